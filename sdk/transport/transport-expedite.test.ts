// Simulated-network tests of the interactive fast path: keystrokes and their echo leave at once, floods stay paced.
import { afterEach, describe, expect, it } from "vitest";
import { TO_CLIENT, TO_SERVER } from "../wire/datagram.js";
import { type SimPair, simPair } from "./harness.fixture.js";
import { SERVER_SEND_MINDELAY } from "./sender.js";

let pair: SimPair | null = null;
afterEach(() => {
  pair?.close();
  pair = null;
});

/** A pair on a 5 ms-each-way link, settled (RTT sampled, heartbeats exchanged, acks quiet). */
async function settled(expediteEcho?: boolean): Promise<SimPair> {
  const p = await simPair({ conditions: { delay: 5 }, expediteEcho });
  pair = p;
  p.clientState.push(0);
  p.client.setCurrentState(p.clientState);
  p.clock.advance(500);
  p.serverState.push(0); // its data ack gives the server an RTT sample
  p.server.setCurrentState(p.serverState);
  p.clock.advance(500);
  expect(p.client.srtt).toBeLessThan(1000);
  expect(p.server.srtt).toBeLessThan(1000);
  return p;
}

/** Data-carrying instructions in one direction sent at or after `since`, with their times. */
function dataSent(p: SimPair, direction: number, since: number): number[] {
  return p.log.all
    .filter((d) => d.direction === direction && d.inst && d.inst.diff.length > 0 && d.at >= since)
    .map((d) => d.at);
}

describe("Transport: the interactive fast path", () => {
  it("the client sends an expedited keystroke at once, even just after an ack", async () => {
    const p = await settled();
    // The server sends data; the client acks it 100 ms later (ACK_DELAY).
    p.serverState.push(5);
    p.server.setCurrentState(p.serverState);
    let ackAt = -1;
    const start = p.clock.now();
    for (let t = 0; t < 300 && ackAt < 0; t++) {
      p.clock.advance(1);
      const acks = p.log.all.filter(
        (d) => d.direction === TO_SERVER && d.at > start && d.inst && d.inst.diff.length === 0,
      );
      if (acks.length > 0) ackAt = acks[0].at;
    }
    expect(ackAt).toBeGreaterThan(start);
    // A keystroke 3 ms after that ack: mosh would wait for the send interval (20 ms here).
    p.clock.advance(3);
    const typedAt = p.clock.now();
    p.client.expedite();
    p.clientState.push(42);
    p.client.setCurrentState(p.clientState);
    expect(dataSent(p, TO_SERVER, typedAt)).toEqual([typedAt]);
    p.clock.advance(10);
    expect(p.server.remoteState().items).toEqual([0, 42]);
  });

  it("the server sends the first change after user input at once, and later ones on mosh's schedule", async () => {
    const p = await settled();
    p.clientState.push(1);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(5); // the client's 1 ms collection, then 5 ms on the link: the input just arrived
    p.clock.advance(1);
    expect(p.server.remoteState().items).toEqual([0, 1]);
    // The application answers 2 ms later: the echo goes at once (mosh: 8 ms later).
    p.clock.advance(2);
    const echoAt = p.clock.now();
    p.serverState.push(100);
    p.server.setCurrentState(p.serverState);
    expect(dataSent(p, TO_CLIENT, echoAt)).toEqual([echoAt]);
    // More output right after: SEND_MINDELAY later, as mosh would.
    p.clock.advance(1);
    p.serverState.push(101);
    p.server.setCurrentState(p.serverState);
    p.clock.advance(50);
    expect(dataSent(p, TO_CLIENT, echoAt)).toEqual([echoAt, echoAt + 1 + SERVER_SEND_MINDELAY]);
    expect(p.client.remoteState().items).toEqual([0, 100, 101]);
  });

  it("with expediteEcho false the server keeps mosh-server's SEND_MINDELAY", async () => {
    const p = await settled(false);
    p.clientState.push(1);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(6);
    expect(p.server.remoteState().items).toEqual([0, 1]);
    p.clock.advance(2);
    const echoAt = p.clock.now();
    p.serverState.push(100);
    p.server.setCurrentState(p.serverState);
    p.clock.advance(50);
    expect(dataSent(p, TO_CLIENT, echoAt)).toEqual([echoAt + SERVER_SEND_MINDELAY]);
  });

  it("output that comes later than the echo window waits for mosh's schedule", async () => {
    const p = await settled();
    p.clientState.push(1);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(6);
    p.clock.advance(200); // the application takes 200 ms (and the server's data ack went out meanwhile)
    const outAt = p.clock.now();
    p.serverState.push(100);
    p.server.setCurrentState(p.serverState);
    p.clock.advance(50);
    expect(dataSent(p, TO_CLIENT, outAt)).toEqual([outAt + SERVER_SEND_MINDELAY]);
  });

  it("a flood of output stays paced while the user types; every keystroke still gets through", async () => {
    const p = await settled();
    const start = p.clock.now();
    let key = 1000;
    // 3 s of output every ms; a keystroke every 97 ms.
    for (let t = 1; t <= 3000; t++) {
      p.clock.advance(1);
      p.serverState.push(t);
      p.server.setCurrentState(p.serverState);
      if (t % 97 === 0) {
        p.client.expedite();
        p.clientState.push(key++);
        p.client.setCurrentState(p.clientState);
      }
    }
    p.clock.advance(500);
    const frames = dataSent(p, TO_CLIENT, start);
    const keys = Math.floor(3000 / 97);
    const interval = p.server.sendInterval;
    // Paced: about one frame per send interval, plus at most one extra per keystroke.
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(3500 / interval) + keys + 1);
    expect(p.client.remoteState().items.length).toBe(3001);
    expect(p.server.remoteState().items.slice(-keys)).toEqual(
      Array.from({ length: keys }, (_, k) => 1000 + k),
    );
    expect(p.serverErrors).toEqual([]);
    expect(p.clientErrors).toEqual([]);
  });
});
