// A server's start frames: before the client acknowledges anything, a change goes out at once (a bounded number of times).
import { afterEach, describe, expect, it } from "vitest";
import { TO_CLIENT } from "../wire/datagram.js";
import { type SimPair, simPair } from "./harness.fixture.js";
import { SEND_INTERVAL_MIN } from "./rtt.js";
import { START_FRAMES } from "./sender.js";

let pair: SimPair | null = null;
afterEach(() => {
  pair?.close();
  pair = null;
});

/** Times of the server's data-carrying instructions. */
function serverData(p: SimPair): number[] {
  return p.log.all
    .filter((d) => d.direction === TO_CLIENT && d.inst && d.inst.diff.length > 0)
    .map((d) => d.at);
}

/**
 * A pair on a `delay` ms-each-way link. The client's first state (with data) arrives at the
 * server, which acknowledges it at once; 1 ms later the server's state changes (a new session's
 * resize) and `promptAfter` ms after that again (the shell's prompt), as a new mosh-ts-server
 * session does. Returns the time the client's state arrived.
 */
async function start(expediteEcho: boolean, delay: number, promptAfter: number): Promise<number> {
  const p = await simPair({ conditions: { delay }, expediteEcho });
  pair = p;
  let arrived = -1;
  p.server.on("remote-state", () => {
    if (arrived < 0) arrived = p.clock.now();
  });
  p.clientState.push(0);
  p.client.setCurrentState(p.clientState);
  for (let t = 0; t < 1000 && arrived < 0; t++) p.clock.advance(1);
  expect(arrived).toBeGreaterThanOrEqual(0);
  expect(p.log.fromServer().map((i) => i.diff.length)).toEqual([0]); // the immediate ack
  p.clock.advance(1);
  p.serverState.push(1);
  p.server.setCurrentState(p.serverState);
  p.clock.advance(promptAfter);
  p.serverState.push(2);
  p.server.setCurrentState(p.serverState);
  return arrived;
}

describe("Transport (server): start frames", () => {
  it("sends the change that follows the first frame at once, not SEND_MINDELAY and a send interval later", async () => {
    const arrived = await start(true, 5, 3);
    pair!.clock.advance(100);
    const data = serverData(pair!);
    // The first change goes at once (the early frame for the client's state), the second too
    // (a start frame; mosh: one send interval after the previous datagram).
    expect(data.slice(0, 2)).toEqual([arrived + 1, arrived + 4]);
    pair!.clock.advance(500);
    expect(pair!.client.remoteState().items).toEqual([1, 2]);
    expect(pair!.serverErrors).toEqual([]);
    expect(pair!.clientErrors).toEqual([]);
  });

  it("keeps mosh's pace with expediteEcho false", async () => {
    const arrived = await start(false, 5, 3);
    pair!.clock.advance(100);
    const data = serverData(pair!);
    // The empty ack went out on arrival; both changes wait for the send interval after it
    // (20 ms before the first RTT sample) and go in one frame.
    expect(data.slice(0, 1)).toEqual([arrived + SEND_INTERVAL_MIN]);
    expect(data.length).toBe(1);
    pair!.clock.advance(500);
    expect(pair!.client.remoteState().items).toEqual([1, 2]);
  });

  it("a flood at start gets at most START_FRAMES immediate frames, then the send interval", async () => {
    // 100 ms each way: no acknowledgement can arrive in the window looked at.
    const arrived = await start(true, 100, 0);
    const p = pair!;
    for (let t = 0; t < 150; t++) {
      p.serverState.push(3 + t);
      p.server.setCurrentState(p.serverState);
      p.clock.advance(1);
    }
    const data = serverData(p).filter((at) => at < arrived + 150);
    // At arrived + 1: the three start frames (the "resize", the "prompt" and the flood's first
    // change, each sent as it is made); at arrived + 2 the early frame the client's input earned.
    expect(START_FRAMES).toBe(3);
    expect(data.slice(0, START_FRAMES + 1)).toEqual([arrived + 1, arrived + 1, arrived + 1, arrived + 2]);
    // Then mosh's pace: one send interval after the last regular (start) frame, and so on.
    const paced = data.slice(START_FRAMES + 1);
    expect(paced.length).toBeGreaterThan(3);
    expect(paced).toEqual(paced.map((_, i) => arrived + 1 + (i + 1) * SEND_INTERVAL_MIN));
    expect(p.serverErrors).toEqual([]);
  });

  it("after the client's first acknowledgement, changes keep the send interval", async () => {
    await start(true, 5, 3);
    const p = pair!;
    p.clock.advance(500); // the client acknowledged the server's states
    expect(p.server.srtt).toBeLessThan(1000);
    const from = p.clock.now();
    for (let t = 0; t < 100; t++) {
      p.serverState.push(100 + t);
      p.server.setCurrentState(p.serverState);
      p.clock.advance(1);
    }
    const data = serverData(p).filter((at) => at >= from);
    const gaps = data.slice(1).map((at, i) => at - data[i]);
    expect(gaps.length).toBeGreaterThan(2);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(SEND_INTERVAL_MIN);
  });
});
