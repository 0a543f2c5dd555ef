// mosh-ts-server under hostile input: garbage, truncated, bit-flipped and replayed datagrams, bogus resizes.
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { seededRandom } from "../sdk/linkem/seeded-random.js";
import { MoshServer } from "../sdk/server/mosh-server.js";
import { HostView } from "../sdk/state/host-view.js";
import { UserStream } from "../sdk/state/user-stream.js";
import { systemClock } from "../sdk/transport/ports.js";
import { Transport } from "../sdk/transport/transport.js";
import { udpNetwork } from "../sdk/transport/udp.js";
import { visibleDifferences } from "./helpers/screens.js";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bind(): Promise<Socket> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    s.bind(0, "127.0.0.1", () => resolve(s));
    cleanups.push(() => s.close());
  });
}

async function shellServer(dir: string): Promise<MoshServer> {
  const server = await MoshServer.start({
    command: ["/bin/sh"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8", PS1: "$ " },
    bindAddress: "127.0.0.1",
    port: 0,
  });
  cleanups.push(() => server.close());
  return server;
}

/** A relay between the client and the server that records what the client sent. */
async function relay(serverPort: number) {
  const front = await bind();
  const upstream = await bind();
  const fromClient: Buffer[] = [];
  let client: { address: string; port: number } | null = null;
  front.on("message", (msg, rinfo) => {
    client = { address: rinfo.address, port: rinfo.port };
    fromClient.push(Buffer.from(msg));
    upstream.send(msg, serverPort, "127.0.0.1");
  });
  upstream.on("message", (msg) => {
    if (client) front.send(msg, client.port, client.address);
  });
  return { port: front.address().port, upstream, fromClient, upstreamPort: upstream.address().port };
}

describe("mosh-ts-server and hostile datagrams", () => {
  it("garbage, truncated, bit-flipped and replayed datagrams change nothing and crash nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mosh-ts-bad-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await shellServer(dir);
    const r = await relay(server.port);
    const s = new MoshSession({ host: "127.0.0.1", port: r.port, key: server.key });
    cleanups.push(() => s.close());
    const roams: string[] = [];
    server.on("roam", (ep) => roams.push(`${ep.address}:${ep.port}`));
    let errors = 0;
    server.on("error", () => errors++);
    await s.connect();
    await s.waitFor("$ ");
    s.write("echo ran >> ran.txt; echo once\r");
    await s.waitFor(/^once$/m);
    await sleep(300);
    await server.settled();
    const before = server.screen();
    const ackBefore = server.echoAck;
    expect(roams).toEqual([`127.0.0.1:${r.upstreamPort}`]);

    const attacker = await bind();
    const rand = seededRandom(3);
    const send = (sock: Socket, data: Uint8Array) => sock.send(data, server.port, "127.0.0.1");
    const captured = r.fromClient.slice();
    expect(captured.length).toBeGreaterThanOrEqual(2);
    let sent = 0;
    for (const len of [0, 1, 10, 23, 24, 25, 40, 100, 1400, 3000]) {
      for (const sock of [attacker, r.upstream]) {
        send(sock, randomBytes(len));
        sent++;
      }
    }
    for (const d of captured) {
      for (const cut of [1, 8, 24, d.length - 1]) {
        if (cut > 0 && cut < d.length) {
          send(attacker, d.subarray(0, cut));
          send(r.upstream, d.subarray(0, cut));
          sent += 2;
        }
      }
      for (let k = 0; k < 4; k++) {
        const flipped = Buffer.from(d);
        const bit = Math.floor(rand() * flipped.length * 8);
        flipped[bit >> 3] ^= 1 << (bit & 7);
        send(attacker, flipped);
        send(r.upstream, flipped);
        sent += 2;
      }
      // Replays: from the client's own address and from a stranger.
      send(r.upstream, d);
      send(attacker, d);
      sent += 2;
    }
    await sleep(1000);
    await server.settled();
    expect(errors).toBeGreaterThan(sent / 2);
    expect(readFileSync(join(dir, "ran.txt"), "utf8")).toBe("ran\n");
    expect(roams).toEqual([`127.0.0.1:${r.upstreamPort}`]);
    expect(server.clientEndpoint).toEqual({ address: "127.0.0.1", port: r.upstreamPort });
    expect(server.exitInfo).toBeNull();
    expect(server.echoAck).toBe(ackBefore);
    expect(visibleDifferences(server.screen(), before)).toEqual([]);
    s.write("echo still-$((2+3))\r");
    await s.waitFor(/^still-5$/m);
  });

  it("bogus window sizes (0x0, 100000x100000) from an authenticated client are ignored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mosh-ts-bad-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = await shellServer(dir);
    const input = new UserStream();
    input.pushResize(80, 24);
    const t = await Transport.open<UserStream, HostView>({
      role: "client",
      key: server.key,
      clock: systemClock,
      network: udpNetwork,
      initialLocal: new UserStream(),
      initialRemote: new HostView(80, 24),
      remote: { address: "127.0.0.1", port: server.port },
      sendMindelay: 1,
    });
    cleanups.push(() => t.close());
    t.setCurrentState(input);
    const waitScreen = async (re: RegExp) => {
      for (let i = 0; i < 200; i++) {
        await server.settled();
        if (re.test(server.screen().lines().join("\n"))) return;
        await sleep(50);
      }
      throw new Error(`server screen never matched ${re}:\n${server.screen().lines().join("\n")}`);
    };
    await waitScreen(/^\$$/m);
    for (const [c, r] of [
      [0, 0],
      [100000, 100000],
      [-1, 24],
      [80, 0],
    ]) {
      input.pushResize(c, r);
      input.pushKeys(Buffer.from(`echo size-after-${c}x${r}: $(stty size)\r`));
      t.setCurrentState(input);
      await waitScreen(new RegExp(`^size-after-${c}x${r}: 24 80$`, "m"));
    }
    expect([server.screen().cols, server.screen().rows]).toEqual([80, 24]);
    expect(server.exitInfo).toBeNull();
  });
});
