// A server transport's pace before its first RTT sample: a new client's first screen is not held back 250 ms.
import { afterEach, describe, expect, it } from "vitest";
import { TO_CLIENT } from "../wire/datagram.js";
import { type SimPair, simPair } from "./harness.fixture.js";
import { SEND_INTERVAL_MAX, SEND_INTERVAL_MIN } from "./rtt.js";

let pair: SimPair | null = null;
afterEach(() => {
  pair?.close();
  pair = null;
});

describe("Transport (server) before the first RTT sample", () => {
  it("sends a state change that follows its first empty ack after SEND_INTERVAL_MIN, not 250 ms", async () => {
    // 100 ms each way: the server's first RTT sample needs a full round trip after its first datagram.
    // mosh's pace (no interactive fast path), which this test is about.
    const p = await simPair({ conditions: { delay: 100 }, expediteEcho: false });
    pair = p;
    p.clientState.push(1);
    p.client.setCurrentState(p.clientState);
    // Let the client's state arrive and the server send its empty ack.
    let ackAt = -1;
    for (let t = 0; t < 400 && ackAt < 0; t++) {
      p.clock.advance(1);
      const first = p.log.all.find((d) => d.direction === TO_CLIENT && d.inst);
      if (first) ackAt = first.at;
    }
    expect(ackAt).toBeGreaterThanOrEqual(0);
    expect(p.log.fromServer()[0].diff.length).toBe(0);
    // The "command" starts printing just after that ack.
    p.clock.advance(2);
    p.serverState.push(7);
    p.server.setCurrentState(p.serverState);
    p.clock.advance(SEND_INTERVAL_MIN + 10);
    const data = p.log.all.find((d) => d.direction === TO_CLIENT && d.inst && d.inst.diff.length > 0);
    expect(data).toBeDefined();
    expect(data!.at - ackAt).toBe(SEND_INTERVAL_MIN);
    expect(data!.at - ackAt).toBeLessThan(SEND_INTERVAL_MAX);
    expect(p.server.srtt).toBe(1000); // still no sample: the short interval applied
    p.clock.advance(300);
    expect(p.client.remoteState().items).toEqual([7]);
    expect(p.serverErrors).toEqual([]);
    expect(p.clientErrors).toEqual([]);
  });
});
