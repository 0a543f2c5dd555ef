// Simulated-network tests of Transport: convergence under loss/reordering/duplication, shutdown, roaming, port hopping.
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../linkem/seeded-random.js";
import { SHUTDOWN_NUM } from "../wire/instruction.js";
import { type SimPair, simPair } from "./harness.fixture.js";
import type { Endpoint } from "./ports.js";
import type { ShutdownOutcome } from "./transport.js";

let pair: SimPair | null = null;
afterEach(() => {
  pair?.close();
  pair = null;
});

/** Opens a pair that the test's cleanup closes. */
async function open(options?: Parameters<typeof simPair>[0]): Promise<SimPair> {
  pair = await simPair(options);
  return pair;
}

const HOSTILE = { loss: 0.3, delay: 15, jitter: 20, reorder: 0.15, duplicate: 0.15 };

/** Appends items on both sides at random moments for `ms`, then lets the link go quiet. */
function typeRandomly(p: SimPair, seed: number, ms: number): void {
  const rnd = seededRandom(seed);
  let next = 1;
  for (let t = 0; t < ms; t += 10) {
    p.clock.advance(10);
    if (rnd() < 0.15) {
      const n = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < n; k++) p.clientState.push(next++);
      p.client.setCurrentState(p.clientState);
    }
    if (rnd() < 0.05) {
      p.serverState.push(100000 + next++);
      p.server.setCurrentState(p.serverState);
    }
  }
}

function shutdownOutcomes(t: {
  on(e: "shutdown", f: (o: ShutdownOutcome) => void): unknown;
}): ShutdownOutcome[] {
  const out: ShutdownOutcome[] = [];
  t.on("shutdown", (o) => out.push(o));
  return out;
}

describe("Transport over a simulated network", () => {
  it("synchronises both ways on a clean link, with data acks and fresh-numbered heartbeats", async () => {
    const p = await open();
    p.clientState.push(1, 2, 3);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(200);
    expect(p.server.remoteState().items).toEqual([1, 2, 3]);
    p.serverState.push(7);
    p.server.setCurrentState(p.serverState);
    p.clock.advance(200);
    expect(p.client.remoteState().items).toEqual([7]);
    expect(p.client.srtt).toBeLessThan(1000); // an RTT sample was taken
    // Idle: each side's heartbeats carry fresh state numbers. (The client moves one heartbeat
    // to align with the server's, once: up to 2.5 s later.)
    const before = p.server.remoteStateNum();
    p.clock.advance(12_500);
    expect(p.server.remoteStateNum()).toBeGreaterThanOrEqual(before + 3n);
    const beats = p.log.fromClient().slice(-3);
    expect(beats.every((i) => i.diff.length === 0)).toBe(true);
    expect(new Set(beats.map((i) => i.newNum)).size).toBe(3);
    expect(p.serverErrors).toEqual([]);
    expect(p.clientErrors).toEqual([]);
  });

  it("the client's first instruction carries its first state; the server's first reply is an empty ack", async () => {
    const p = await open();
    p.clientState.push(42);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(100);
    const c = p.log.fromClient()[0];
    expect([c.oldNum, c.newNum, c.ackNum]).toEqual([0n, 1n, 0n]);
    const s = p.log.fromServer()[0];
    expect([s.oldNum, s.newNum, s.ackNum, s.diff.length]).toEqual([0n, 1n, 1n, 0]);
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`converges with 30% loss, reordering and duplication each way (seed ${seed})`, async () => {
      const p = await open({ seed, conditions: HOSTILE });
      const seen: bigint[] = [];
      p.server.on("remote-state", (num) => seen.push(num));
      typeRandomly(p, seed * 7919, 20_000);
      p.clock.advance(30_000);
      expect(p.clientState.items.length).toBeGreaterThan(200);
      expect(p.serverState.items.length).toBeGreaterThan(20);
      // Every item arrived exactly once and in order: the replicas equal the originals.
      expect(p.server.remoteState().items).toEqual(p.clientState.items);
      expect(p.client.remoteState().items).toEqual(p.serverState.items);
      // remote-state fires only for a new newest state.
      for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThan(seen[k - 1]);
      expect(p.net.counters.lost).toBeGreaterThan(0);
      expect(p.net.counters.duplicated).toBeGreaterThan(0);
      expect(p.net.counters.reordered).toBeGreaterThan(0);

      // Then a clean shutdown from the client (seed parity picks the initiator).
      const initiator = seed % 2 ? p.client : p.server;
      const peer = seed % 2 ? p.server : p.client;
      const iOut = shutdownOutcomes(initiator);
      const pOut = shutdownOutcomes(peer);
      initiator.startShutdown();
      p.clock.advance(10_000);
      expect(iOut).toEqual(["acknowledged"]);
      expect(initiator.shutdownAcknowledged).toBe(true);
      expect(pOut).toEqual(["counterparty-acknowledged"]);
      expect(peer.counterpartyShutdownAckSent).toBe(true);
      expect(peer.remoteStateNum()).toBe(SHUTDOWN_NUM);
      // The -1 state equals the initiator's final state.
      expect(peer.remoteState().items).toEqual((seed % 2 ? p.clientState : p.serverState).items);
    });
  }

  it("shuts down from the server on a clean link", async () => {
    const p = await open();
    p.serverState.push(1, 2);
    p.server.setCurrentState(p.serverState);
    p.clock.advance(500);
    const sOut = shutdownOutcomes(p.server);
    const cOut = shutdownOutcomes(p.client);
    p.server.startShutdown();
    p.clock.advance(1000);
    expect(sOut).toEqual(["acknowledged"]);
    expect(cOut).toEqual(["counterparty-acknowledged"]);
    expect(p.client.remoteState().items).toEqual([1, 2]);
    // After an acknowledged shutdown the initiator sends nothing more.
    const n = p.log.all.filter((d) => d.direction === 1).length;
    p.clock.advance(5000);
    expect(p.log.all.filter((d) => d.direction === 1).length).toBe(n);
  });

  it("gives up a shutdown after 16 tries when the peer is gone", async () => {
    const p = await open();
    p.clock.advance(1000);
    p.client.close();
    const out = shutdownOutcomes(p.server);
    p.server.startShutdown();
    expect(p.server.shutdownInProgress).toBe(true);
    p.clock.advance(15_000);
    expect(out).toEqual(["timed-out"]);
    expect(p.server.shutdownAckTimedOut).toBe(true);
    expect(p.server.shutdownAcknowledged).toBe(false);
    const tries = p.log.fromServer().filter((i) => i.newNum === SHUTDOWN_NUM);
    expect(tries).toHaveLength(16);
  });

  it("follows a client whose address changes mid-session (server roaming)", async () => {
    const p = await open();
    const roams: Endpoint[] = [];
    p.server.on("roam", (ep) => roams.push(ep));
    p.clientState.push(1);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(500);
    expect(p.server.remoteEndpoint).toEqual(p.client.localEndpoint);
    const apparent = { address: "127.0.0.9", port: 5555 };
    p.net.translate(p.client.localEndpoint, apparent);
    p.clientState.push(2);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(500);
    expect(p.server.remoteEndpoint).toEqual(apparent);
    expect(roams).toEqual([p.client.localEndpoint, apparent]);
    p.serverState.push(9);
    p.server.setCurrentState(p.serverState);
    p.clock.advance(500);
    expect(p.server.remoteState().items).toEqual([1, 2]);
    expect(p.client.remoteState().items).toEqual([9]);
  });

  it("hops to a new client port after 10 s without round-trip success, and the server follows", async () => {
    const p = await open();
    p.clientState.push(1);
    p.client.setCurrentState(p.clientState);
    await p.clock.advanceAsync(1000);
    const oldLocal = p.client.localEndpoint;
    const hops: Array<{ at: number; ep: Endpoint }> = [];
    p.client.on("roam", (ep) => hops.push({ at: p.clock.now(), ep }));
    // Replies stop reaching the client.
    p.net.setConditions({ loss: 1 }, { fromPort: p.server.localEndpoint.port });
    const lastSuccess = p.client.lastRoundTripSuccess;
    p.clientState.push(2);
    p.client.setCurrentState(p.clientState);
    await p.clock.advanceAsync(15_000);
    expect(hops).toHaveLength(1);
    expect(hops[0].at - lastSuccess).toBeGreaterThan(10_000);
    expect(hops[0].ep.port).not.toBe(oldLocal.port);
    expect(p.client.localEndpoint).toEqual(hops[0].ep);
    // The server saw the new port at once (client to server still works).
    expect(p.server.remoteEndpoint).toEqual(hops[0].ep);
    p.net.clearConditions();
    p.serverState.push(5);
    p.server.setCurrentState(p.serverState);
    await p.clock.advanceAsync(2000);
    expect(p.client.remoteState().items).toEqual([5]);
    expect(p.server.remoteState().items).toEqual([1, 2]);
    // The old socket is still read for a while, then closed 60 s after the new one took over.
    expect(p.net.socketAt(oldLocal)).toBeDefined();
    await p.clock.advanceAsync(61_000, 1000);
    expect(p.net.socketAt(oldLocal)).toBeUndefined();
    expect(p.net.socketAt(p.client.localEndpoint)).toBeDefined();
  });

  it("a server detaches from a client silent for 40 s and reattaches when it speaks again", async () => {
    const p = await open();
    p.clock.advance(1000);
    let detached = 0;
    p.server.on("detach", () => detached++);
    p.net.setConditions({ loss: 1 }, { toPort: p.server.localEndpoint.port });
    p.clock.advance(45_000);
    expect(detached).toBe(1);
    expect(p.server.hasRemoteAddress).toBe(false);
    const sent = p.log.all.filter((d) => d.direction === 1).length;
    p.clock.advance(10_000);
    expect(p.log.all.filter((d) => d.direction === 1).length).toBe(sent);
    p.net.clearConditions();
    p.clientState.push(3);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(3000);
    expect(p.server.hasRemoteAddress).toBe(true);
    expect(p.server.remoteState().items).toEqual([3]);
  });

  it("works over IPv6 with 1216-byte datagrams", async () => {
    const p = await open({ ipv6: true });
    expect(p.server.localEndpoint.address).toBe("::1");
    const rnd = seededRandom(9);
    for (let k = 0; k < 1500; k++) p.clientState.push(Math.floor(rnd() * 2 ** 32));
    p.client.setCurrentState(p.clientState);
    p.clock.advance(1000);
    expect(p.server.remoteState().items).toEqual(p.clientState.items);
    expect(Math.max(...p.log.all.map((d) => d.size))).toBe(1216);
  });

  it("keeps IPv4 datagrams within 1252 bytes and falls back to 500 after EMSGSIZE", async () => {
    const p = await open();
    const rnd = seededRandom(10);
    for (let k = 0; k < 1500; k++) p.clientState.push(Math.floor(rnd() * 2 ** 32));
    p.client.setCurrentState(p.clientState);
    p.clock.advance(1000);
    expect(p.server.remoteState().items).toEqual(p.clientState.items);
    const sizes = p.log.all.map((d) => d.size);
    expect(Math.max(...sizes)).toBe(1252);

    p.net.setConditions({ maxDatagram: 1000 });
    const from = p.log.all.length;
    for (let k = 0; k < 1500; k++) p.clientState.push(Math.floor(rnd() * 2 ** 32));
    p.client.setCurrentState(p.clientState);
    p.clock.advance(3000);
    expect(p.clientErrors.some((e) => (e.cause as { code?: string } | undefined)?.code === "EMSGSIZE")).toBe(
      true,
    );
    expect(p.server.remoteState().items).toEqual(p.clientState.items);
    const later = p.log.all.slice(from).filter((d) => d.direction === 0);
    expect(Math.max(...later.map((d) => d.size))).toBe(500);
  });
});
