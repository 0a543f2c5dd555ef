// An idle client keeps its RTT current over the simulated network (its heartbeats timed so that the server's echo them), without sending more datagrams than mosh: whatever the phase of the two ends' heartbeats, and when the RTT moves a lot while idle.
import { afterEach, describe, expect, it } from "vitest";
import { TO_CLIENT, TO_SERVER } from "../wire/datagram.js";
import { type SimPair, simPair } from "./harness.fixture.js";
import { ACK_INTERVAL } from "./sender.js";

let pair: SimPair | null = null;
afterEach(() => {
  pair?.close();
  pair = null;
});

/**
 * A pair on a 20 ms RTT link, one exchange of data at `phase` ms after the start (which sets the
 * client's heartbeat phase against the server's), then idle.
 */
async function idleAfter(phase: number): Promise<SimPair> {
  const p = await simPair({ conditions: { delay: 10 } });
  pair = p;
  p.clock.advance(1000 + phase);
  p.clientState.push(1);
  p.client.setCurrentState(p.clientState);
  p.clock.advance(300);
  p.serverState.push(2);
  p.server.setCurrentState(p.serverState);
  p.clock.advance(300);
  expect(p.client.srtt).toBeLessThan(40);
  return p;
}

/** The send times of the client's datagrams from `since` on. */
function clientSends(p: SimPair, since: number): number[] {
  return p.log.all.filter((d) => d.direction === TO_SERVER && d.inst && d.at >= since).map((d) => d.at);
}

describe("idle RTT", () => {
  it("follows a link that got slower while idle, at every phase of the two ends' heartbeats", async () => {
    for (let phase = 0; phase < ACK_INTERVAL; phase += 250) {
      const p = await idleAfter(phase);
      // The link gets slower (RTT 20 -> 200 ms); nothing changes at either end: heartbeats only.
      p.net.setConditions({ delay: 100 });
      const from = p.clock.now();
      p.clock.advance(45_000);
      // One sample per server heartbeat (3 s), smoothed by 7/8: most of the way to 200.
      expect(p.client.srtt, `phase ${phase}`).toBeGreaterThan(150);
      expect(p.client.srtt, `phase ${phase}`).toBeLessThan(210);
      // Never more datagrams than mosh sends: at least ACK_INTERVAL between two of the client's.
      const sends = clientSends(p, from);
      for (let i = 1; i < sends.length; i++)
        expect(sends[i] - sends[i - 1]).toBeGreaterThanOrEqual(ACK_INTERVAL);
      expect(sends.length).toBeLessThanOrEqual(45_000 / ACK_INTERVAL);
      p.close();
      pair = null;
    }
  });

  it("finds the server's echo again when the RTT moves by more than the lead while idle", async () => {
    const p = await idleAfter(1700);
    // RTT 20 -> 1400 ms: SRTT misplaces the heartbeat by far more than the 1 s the echo allows.
    p.net.setConditions({ delay: 700 });
    p.clock.advance(120_000);
    expect(p.client.srtt).toBeGreaterThan(1200);
    expect(p.client.srtt).toBeLessThan(1450);
    // And back to fast.
    p.net.setConditions({ delay: 10 });
    p.clock.advance(120_000);
    expect(p.client.srtt).toBeLessThan(40);
  });

  it("still answers the server's first datagram at once (an ack owed sooner keeps its time)", async () => {
    const p = await simPair({ conditions: { delay: 50 } });
    pair = p;
    p.clock.advance(2000);
    const first = p.log.all.find((d) => d.direction === TO_CLIENT && d.inst);
    expect(first).toBeDefined();
    // The client's answer leaves as the server's first datagram arrives (50 ms after it was sent),
    // not at a heartbeat time.
    const answer = p.log.all.find((d) => d.direction === TO_SERVER && d.inst && d.at > (first?.at ?? 0));
    expect((answer?.at ?? Number.POSITIVE_INFINITY) - (first?.at ?? 0)).toBeLessThanOrEqual(51);
  });
});
