// Tests the UDP link emulator over loopback: relaying, loss, duplication, delay, outages, counters and roaming.
import dgram from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { LinkEmulator, type LinkEmulatorOptions } from "./link-emulator.js";

interface Received {
  text: string;
  port: number;
  address: string;
}

/** A loopback UDP socket that queues what it receives. */
class Peer {
  readonly got: Received[] = [];
  private waiters: Array<() => void> = [];
  private constructor(readonly sock: dgram.Socket) {
    sock.on("message", (msg, rinfo) => {
      this.got.push({ text: msg.toString(), port: rinfo.port, address: rinfo.address });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(host = "127.0.0.1", port = 0): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket({
        type: host.includes(":") ? "udp6" : "udp4",
        ipv6Only: host.includes(":"),
      });
      sock.once("error", reject);
      sock.bind(port, host, () => {
        const p = new Peer(sock);
        peers.push(p);
        resolve(p);
      });
    });
  }

  get port(): number {
    return this.sock.address().port;
  }

  send(text: string, port: number, host = "127.0.0.1"): void {
    this.sock.send(text, port, host);
  }

  /** Resolves once a datagram with this text has arrived; returns everything received so far. */
  async until(text: string): Promise<Received[]> {
    while (!this.got.some((r) => r.text === text)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.got;
  }

  texts(): string[] {
    return this.got.map((r) => r.text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.sock.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

const peers: Peer[] = [];
const emulators: LinkEmulator[] = [];

afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function setup(extra: Partial<LinkEmulatorOptions> = {}, host = "127.0.0.1") {
  const server = await Peer.open(host);
  const client = await Peer.open(host);
  const em = await LinkEmulator.start({
    listenHost: host,
    target: { address: host, port: server.port },
    ...extra,
  });
  emulators.push(em);
  return { server, client, em };
}

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe("LinkEmulator", () => {
  it("relays both ways and reports where the client should connect", async () => {
    const { server, client, em } = await setup();
    expect(em.host).toBe("127.0.0.1");
    expect(em.port).toBeGreaterThan(0);
    client.send("ping", em.port);
    const [req] = await server.until("ping");
    expect(req.port).toBe(em.upstreamPort);
    server.send("pong", req.port);
    const [rep] = await client.until("pong");
    expect(rep.port).toBe(em.port);
    expect(em.clientEndpoint).toEqual({ address: "127.0.0.1", port: client.port });
    const s = em.stats();
    expect(s.toServer).toEqual({ datagrams: 1, bytes: 4, dropped: 0, duplicated: 0, delivered: 1 });
    expect(s.toClient).toEqual({ datagrams: 1, bytes: 4, dropped: 0, duplicated: 0, delivered: 1 });
  });

  it("works over IPv6 loopback", async () => {
    const { server, client, em } = await setup({}, "::1");
    expect(em.host).toBe("::1");
    client.send("ping6", em.port, "::1");
    const [req] = await server.until("ping6");
    expect(req.address).toBe("::1");
    server.send("pong6", req.port, "::1");
    expect((await client.until("pong6"))[0].address).toBe("::1");
  });

  it("with loss=1 nothing arrives, and setProfile restores the link", async () => {
    const { server, client, em } = await setup({ toServer: { loss: 1 }, toClient: { loss: 1 } });
    for (let i = 0; i < 20; i++) client.send(`lost${i}`, em.port);
    await waitFor(() => em.stats().toServer.datagrams === 20);
    em.setProfile("toServer", {});
    client.send("end", em.port);
    expect((await server.until("end")).map((r) => r.text)).toEqual(["end"]);
    const s = em.stats().toServer;
    expect(s).toMatchObject({ datagrams: 21, dropped: 20, delivered: 1 });
    expect(s.bytes).toBe(10 * 5 + 10 * 6 + 3);

    // the other direction was still lossy
    server.send("lost-reply", em.upstreamPort);
    await waitFor(() => em.stats().toClient.datagrams === 1);
    em.setProfile("toClient", {});
    server.send("reply", em.upstreamPort);
    expect(await client.until("reply").then(() => client.texts())).toEqual(["reply"]);
    expect(em.stats().toClient).toMatchObject({ datagrams: 2, dropped: 1, delivered: 1 });
  });

  it("with duplicate=1 each datagram arrives twice", async () => {
    const { server, client, em } = await setup({ toServer: { duplicate: 1 } });
    for (let i = 0; i < 5; i++) client.send(`d${i}`, em.port);
    await waitFor(() => em.stats().toServer.datagrams === 5);
    em.setProfile("both", {});
    client.send("end", em.port);
    await server.until("end");
    const texts = server.texts();
    expect(texts.filter((t) => t !== "end").sort()).toEqual([
      "d0",
      "d0",
      "d1",
      "d1",
      "d2",
      "d2",
      "d3",
      "d3",
      "d4",
      "d4",
    ]);
    expect(em.stats().toServer).toMatchObject({ datagrams: 6, duplicated: 5, delivered: 11, dropped: 0 });
  });

  it("down drops everything both ways, including datagrams in flight; restoring brings traffic back", async () => {
    const { server, client, em } = await setup({ toServer: { delayMs: 20 } });
    client.send("in-flight", em.port);
    await waitFor(() => em.inFlight === 1);
    em.setProfile("both", { down: true });
    await waitFor(() => em.inFlight === 0);
    for (let i = 0; i < 5; i++) client.send(`x${i}`, em.port);
    server.send("y", em.upstreamPort);
    await waitFor(() => em.stats().toServer.datagrams === 6 && em.stats().toClient.datagrams === 1);
    em.setProfile("both", {});
    client.send("back", em.port);
    expect((await server.until("back")).map((r) => r.text)).toEqual(["back"]);
    server.send("back-reply", em.upstreamPort);
    await client.until("back-reply");
    expect(client.texts()).toEqual(["back-reply"]);
    const s = em.stats();
    expect(s.toServer).toMatchObject({ datagrams: 7, dropped: 6, delivered: 1 });
    expect(s.toClient).toMatchObject({ datagrams: 2, dropped: 1, delivered: 1 });
  });

  it("delay holds a datagram back so an undelayed later one overtakes it", async () => {
    const { server, client, em } = await setup({ toServer: { delayMs: 40 } });
    client.send("slow", em.port);
    await waitFor(() => em.inFlight === 1);
    em.setProfile("toServer", {});
    client.send("fast", em.port);
    await server.until("slow");
    expect(server.texts()).toEqual(["fast", "slow"]);
    expect(em.inFlight).toBe(0);
  });

  it("a fixed delay keeps order", async () => {
    const { server, client, em } = await setup({ toServer: { delayMs: 5 } });
    const sent = Array.from({ length: 30 }, (_, i) => `m${i}`);
    for (const t of sent) client.send(t, em.port);
    await server.until("m29");
    expect(server.texts()).toEqual(sent);
  });

  it("reorder=1 with a reorder delay lets undelayed traffic overtake", async () => {
    const { server, client, em } = await setup({ toServer: { reorder: 1, reorderDelayMs: 30 } });
    client.send("late", em.port);
    await waitFor(() => em.inFlight === 1);
    em.setProfile("toServer", {});
    client.send("early", em.port);
    await server.until("late");
    expect(server.texts()).toEqual(["early", "late"]);
  });

  it("the same seed gives the same lossy pattern", async () => {
    const run = async (): Promise<string[]> => {
      const { server, client, em } = await setup({ seed: 99, toServer: { loss: 0.5 } });
      for (let i = 0; i < 40; i++) client.send(`p${i}`, em.port);
      await waitFor(() => em.stats().toServer.datagrams === 40);
      em.setProfile("toServer", {});
      client.send("end", em.port);
      await server.until("end");
      return server.texts();
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(5);
    expect(a.length).toBeLessThan(36);
  });

  it("follows a roaming client: replies go to the newest source endpoint", async () => {
    const { server, client, em } = await setup();
    client.send("from-a", em.port);
    const [r1] = await server.until("from-a");
    server.send("to-a", r1.port);
    await client.until("to-a");

    const moved = await Peer.open();
    moved.send("from-b", em.port);
    await server.until("from-b");
    expect(em.clientEndpoint).toEqual({ address: "127.0.0.1", port: moved.port });
    expect(em.clientRoams).toBe(1);
    server.send("to-b", r1.port);
    await moved.until("to-b");
    expect(moved.texts()).toEqual(["to-b"]);
    // the server saw one and the same source port throughout
    expect(new Set(server.got.map((r) => r.port)).size).toBe(1);
    // and the old client gets later replies only if it speaks again
    client.send("from-a-again", em.port);
    await server.until("from-a-again");
    server.send("to-a-again", r1.port);
    await client.until("to-a-again");
    expect(client.texts()).toEqual(["to-a", "to-a-again"]);
    expect(em.clientRoams).toBe(2);
  });

  it("rebindUpstream changes the source port the target sees", async () => {
    const { server, client, em } = await setup();
    client.send("before", em.port);
    const [r1] = await server.until("before");
    const oldPort = em.upstreamPort;
    expect(r1.port).toBe(oldPort);
    await em.rebindUpstream();
    expect(em.upstreamPort).not.toBe(oldPort);
    client.send("after", em.port);
    const got = await server.until("after");
    expect(got[1].port).toBe(em.upstreamPort);
    server.send("reply", em.upstreamPort);
    await client.until("reply");
  });

  it("rebindUpstream(host) moves the client to another loopback address; the family must match", async () => {
    const { server, client, em } = await setup();
    client.send("before", em.port);
    await server.until("before");
    await em.rebindUpstream("127.0.0.2");
    expect(em.upstreamAddress).toBe("127.0.0.2");
    client.send("after", em.port);
    const got = await server.until("after");
    expect(got[1]).toMatchObject({ address: "127.0.0.2", port: em.upstreamPort });
    server.send("reply", em.upstreamPort, "127.0.0.2");
    await client.until("reply");
    await expect(em.rebindUpstream("::1")).rejects.toThrow(/address family/);
  });

  it("tap sees every datagram both ways before the link's fate; inject sends past the profile", async () => {
    const seen: string[] = [];
    const { server, client, em } = await setup({
      toServer: { loss: 1 },
      toClient: { loss: 1 },
      tap: (dir, msg) => seen.push(`${dir}:${msg.toString()}`),
    });
    em.injectToClient(Buffer.from("no-client-yet"));
    client.send("lost-up", em.port);
    await waitFor(() => seen.length === 1);
    server.send("lost-down", em.upstreamPort);
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(["toServer:lost-up", "toClient:lost-down"]);
    em.injectToServer(Buffer.from("injected-up"));
    const up = await server.until("injected-up");
    expect(up).toEqual([{ text: "injected-up", address: "127.0.0.1", port: em.upstreamPort }]);
    em.injectToClient(Buffer.from("injected-down"));
    const down = await client.until("injected-down");
    expect(down).toEqual([{ text: "injected-down", address: "127.0.0.1", port: em.port }]);
    expect(em.stats().toServer).toMatchObject({ datagrams: 1, dropped: 1, delivered: 0 });
  });

  it("ignores datagrams to the upstream socket from anyone but the target", async () => {
    const { server, client, em } = await setup();
    client.send("hello", em.port);
    await server.until("hello");
    const stranger = await Peer.open();
    stranger.send("spoof", em.upstreamPort);
    server.send("real", em.upstreamPort);
    await client.until("real");
    expect(client.texts()).toEqual(["real"]);
    expect(em.stats().toClient.datagrams).toBe(1);
  });

  it("drops replies while no client is known, and survives a vanished target", async () => {
    const server = await Peer.open();
    const client = await Peer.open();
    const em = await LinkEmulator.start({ target: { address: "127.0.0.1", port: server.port } });
    emulators.push(em);
    server.send("nobody", em.upstreamPort);
    await waitFor(() => em.stats().toClient.datagrams === 1);
    expect(em.stats().toClient).toMatchObject({ dropped: 1, delivered: 0 });

    const port = server.port;
    await server.close();
    for (let i = 0; i < 5; i++) client.send(`void${i}`, em.port);
    await waitFor(() => em.stats().toServer.delivered === 5);
    const back = await Peer.open("127.0.0.1", port);
    client.send("again", em.port);
    await back.until("again");
    back.send("ok", em.upstreamPort);
    await client.until("ok");
  });

  it("stop cancels datagrams in flight and is idempotent", async () => {
    const { server, client, em } = await setup({ toServer: { delayMs: 30 } });
    client.send("never", em.port);
    await waitFor(() => em.inFlight === 1);
    await em.stop();
    expect(em.inFlight).toBe(0);
    await em.stop();
    await em.rebindUpstream();
    // a fresh relay to the same server still works, and the cancelled datagram never came
    const em2 = await LinkEmulator.start({ target: { address: "127.0.0.1", port: server.port } });
    emulators.push(em2);
    client.send("fresh", em2.port);
    await server.until("fresh");
    expect(server.texts()).toEqual(["fresh"]);
  });

  it("rejects when the listen port is taken", async () => {
    const { em } = await setup();
    await expect(
      LinkEmulator.start({ listenPort: em.port, target: { address: "127.0.0.1", port: 9 } }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
