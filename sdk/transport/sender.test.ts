// Tests of the SSP sender: timers, numbering, the assumed state, the 32-state cap, shutdown (docs/mosh-protocol.md §6.2–§6.4, §6.6).
import { describe, expect, it } from "vitest";
import type { Instruction } from "../wire/instruction.js";
import { PROTOCOL_VERSION, SHUTDOWN_NUM } from "../wire/instruction.js";
import { ListState } from "./list-state.fixture.js";
import {
  ACK_DELAY,
  ACK_INTERVAL,
  EARLY_FRAME_GAP,
  EXPEDITE_WINDOW,
  type SenderLink,
  TransportSender,
} from "./sender.js";

class FakeLink implements SenderLink {
  rtoMs = 50;
  intervalMs = 20;
  remote = true;
  sent: Instruction[] = [];
  rto(): number {
    return this.rtoMs;
  }
  sendInterval(): number {
    return this.intervalMs;
  }
  hasRemoteAddress(): boolean {
    return this.remote;
  }
  send(inst: Instruction): void {
    this.sent.push(inst);
  }
  get last(): Instruction {
    return this.sent[this.sent.length - 1];
  }
}

const T0 = 100_000;

/** A sender whose initial empty ack (state 1) went out at T0. */
function started(mindelay = 8): { s: TransportSender<ListState>; link: FakeLink; cur: ListState } {
  const link = new FakeLink();
  const cur = new ListState();
  const s = new TransportSender(cur, link, T0, mindelay);
  s.tick(T0);
  return { s, link, cur };
}

describe("TransportSender", () => {
  it("sends an empty ack with a fresh number at once, with every field filled in", () => {
    const { s, link } = started();
    expect(link.sent).toHaveLength(1);
    const i = link.last;
    expect(i.protocolVersion).toBe(PROTOCOL_VERSION);
    expect([i.oldNum, i.newNum, i.ackNum, i.throwawayNum]).toEqual([0n, 1n, 0n, 0n]);
    expect(i.diff.length).toBe(0);
    expect(i.chaff.length).toBeLessThanOrEqual(16);
    expect(s.sentStates.map((x) => x.num)).toEqual([0n, 1n]);
    expect(s.nextAckTime).toBe(T0 + ACK_INTERVAL);
  });

  it("sends nothing without a remote address (wait is infinite)", () => {
    const link = new FakeLink();
    link.remote = false;
    const s = new TransportSender(new ListState(), link, T0);
    expect(s.waitTime(T0)).toBe(Number.POSITIVE_INFINITY);
    s.tick(T0 + 10_000);
    expect(link.sent).toHaveLength(0);
  });

  it("heartbeats every 3 s with fresh state numbers and the assumed base", () => {
    const { s, link } = started();
    expect(s.waitTime(T0 + 1)).toBe(ACK_INTERVAL - 1);
    s.tick(T0 + 2999);
    expect(link.sent).toHaveLength(1);
    s.tick(T0 + 3000);
    s.tick(T0 + 6000);
    expect(link.sent.map((i) => i.newNum)).toEqual([1n, 2n, 3n]);
    expect(link.sent.every((i) => i.diff.length === 0)).toBe(true);
    // Empty acks do not move the assumed state: the base stays state 0.
    expect(link.sent.map((i) => i.oldNum)).toEqual([0n, 0n, 0n]);
  });

  it("waits SEND_MINDELAY (8 ms) after a change before sending, then sends the diff as a new state", () => {
    const { s, link, cur } = started(8);
    const t = T0 + 500; // long after the last send, so the frame interval is not the limit
    cur.push(7);
    s.setCurrentState(cur);
    expect(s.waitTime(t)).toBe(8);
    s.tick(t + 7);
    expect(link.sent).toHaveLength(1);
    s.tick(t + 8);
    expect(link.sent).toHaveLength(2);
    const i = link.last;
    expect(i.newNum).toBe(2n);
    expect(i.oldNum).toBe(0n); // prospective resend: the diff from the acknowledged state is as short
    const replica = new ListState();
    replica.applyDiff(i.diff);
    expect(replica.items).toEqual([7]);
    expect(s.nextAckTime).toBe(t + 8 + ACK_INTERVAL);
  });

  it("uses a 1 ms mindelay when configured (the client)", () => {
    const { s, link, cur } = started(1);
    cur.push(1);
    s.tick(T0 + 500);
    expect(s.waitTime(T0 + 500)).toBe(1);
    s.tick(T0 + 501);
    expect(link.sent).toHaveLength(2);
  });

  it("keeps frames at least one send interval apart", () => {
    const { s, link, cur } = started(8);
    link.intervalMs = 250;
    cur.push(1);
    s.tick(T0 + 1); // mindelay clock starts; the frame interval (T0 + 250) dominates
    expect(s.nextSendTime).toBe(T0 + 250);
    s.tick(T0 + 249);
    expect(link.sent).toHaveLength(1);
    s.tick(T0 + 250);
    expect(link.sent).toHaveLength(2);
    cur.push(2);
    s.tick(T0 + 251);
    expect(s.nextSendTime).toBe(T0 + 500);
  });

  it("sends a delayed data ack 100 ms after receiving data", () => {
    const { s, link } = started();
    const t = T0 + 1000;
    s.setAckNum(5n);
    s.setDataAck();
    expect(s.waitTime(t)).toBe(ACK_DELAY);
    s.tick(t + 99);
    expect(link.sent).toHaveLength(1);
    s.tick(t + 100);
    expect(link.sent).toHaveLength(2);
    expect(link.last.ackNum).toBe(5n);
    expect(link.last.newNum).toBe(2n);
    // Sending cleared the pending ack: next is the heartbeat.
    expect(s.waitTime(t + 100)).toBe(ACK_INTERVAL);
  });

  it("falls back to the acknowledged state as the base RTO + ACK_DELAY after sending", () => {
    const { s, link, cur } = started(8);
    s.processAcknowledgmentThrough(1n); // state 1 acknowledged: front = 1
    cur.push(1, 2, 3);
    s.tick(T0 + 100);
    s.tick(T0 + 108); // state 2 sent
    expect(link.last.newNum).toBe(2n);
    expect(s.sentStates.map((x) => x.num)).toEqual([1n, 2n]);
    const sentAt = T0 + 108;
    s.calculateTimers(sentAt + link.rtoMs + ACK_DELAY - 1);
    expect(s.assumedReceiverState.num).toBe(2n);
    s.calculateTimers(sentAt + link.rtoMs + ACK_DELAY);
    expect(s.assumedReceiverState.num).toBe(1n);
  });

  it("retransmits at the frame rate while the peer was heard in the last 10 s, then every RTO + ACK_DELAY", () => {
    const { s, link, cur } = started(8);
    s.processAcknowledgmentThrough(1n);
    const heard = T0 + 50;
    s.remoteHeard(heard);
    // State 2 (sent, then never acknowledged), then state 3: the walk stops at the stale state 2.
    cur.push(1);
    s.tick(T0 + 60);
    s.tick(T0 + 68);
    cur.push(2);
    s.tick(T0 + 1000);
    s.tick(T0 + 1008);
    expect(link.sent.map((i) => i.newNum)).toEqual([1n, 2n, 3n]);
    // Retransmissions of state 3 from the acknowledged base, 20 ms apart.
    const times: number[] = [];
    for (let t = T0 + 1009; t < heard + 10_000; t++) {
      const n = link.sent.length;
      s.tick(t);
      if (link.sent.length > n) times.push(t);
    }
    expect(times.length).toBeGreaterThan(100);
    const gaps = times.slice(1).map((t, k) => t - times[k]);
    expect(new Set(gaps)).toEqual(new Set([20]));
    expect(link.sent.slice(3).every((i) => i.newNum === 3n && i.oldNum === 1n)).toBe(true);
    // After 10 s without hearing the peer: only heartbeats (every 3 s).
    const before = link.sent.length;
    for (let t = heard + 10_000; t < heard + 20_000; t++) s.tick(t);
    const late = link.sent.slice(before);
    expect(late.length).toBeGreaterThanOrEqual(3);
    expect(late.length).toBeLessThanOrEqual(4);
  });

  it("retransmits a lone unacknowledged state every RTO + ACK_DELAY while the peer is heard", () => {
    const { s, link, cur } = started(8);
    s.processAcknowledgmentThrough(1n);
    s.remoteHeard(T0 + 50);
    link.rtoMs = 300;
    cur.push(1);
    s.tick(T0 + 60);
    s.tick(T0 + 68); // state 2 sent
    expect(s.waitTime(T0 + 69)).toBe(T0 + 68 + 300 + ACK_DELAY - (T0 + 69));
    const times: number[] = [];
    for (let t = T0 + 69; t < T0 + 2000; t++) {
      const n = link.sent.length;
      s.tick(t);
      if (link.sent.length > n) times.push(t);
    }
    expect(times).toEqual([T0 + 468, T0 + 868, T0 + 1268, T0 + 1668]);
    expect(link.sent.slice(2).every((i) => i.newNum === 2n && i.oldNum === 1n)).toBe(true);
  });

  it("caps the sent-state list at 32 by trimming the middle", () => {
    const { s, cur } = started(1);
    let t = T0;
    for (let k = 0; k < 40; k++) {
      cur.push(k);
      t += 300;
      s.tick(t);
      s.tick(t + 1);
    }
    const nums = s.sentStates.map((x) => Number(x.num));
    expect(nums).toHaveLength(32);
    expect(nums[0]).toBe(0); // the acknowledged front is kept
    expect(nums.slice(-15)).toEqual([27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41]);
    // What went missing is from the middle.
    expect(nums).not.toContain(17);
    expect(nums).toContain(16);
  });

  it("acks erase older sent states; acks of culled states are ignored", () => {
    const { s, cur } = started(1);
    for (let k = 0; k < 3; k++) {
      cur.push(k);
      s.tick(T0 + 300 * (k + 1));
      s.tick(T0 + 300 * (k + 1) + 1);
    }
    expect(s.sentStates.map((x) => x.num)).toEqual([0n, 1n, 2n, 3n, 4n]);
    s.processAcknowledgmentThrough(3n);
    expect(s.sentStates.map((x) => x.num)).toEqual([3n, 4n]);
    expect(s.sentStateAckedTimestamp).toBe(s.sentStates[0].time);
    s.processAcknowledgmentThrough(1n); // culled
    s.processAcknowledgmentThrough(99n); // never sent
    expect(s.sentStates.map((x) => x.num)).toEqual([3n, 4n]);
    expect(cur.subtractCalls).toBeGreaterThan(0);
  });

  it("shuts down with new_num = -1 at frame rate and gives up after 16 tries", () => {
    const { s, link } = started();
    s.startShutdown(T0 + 10);
    expect(s.shutdownInProgress).toBe(true);
    for (let t = T0 + 10; t < T0 + 5000; t++) {
      s.tick(t);
      if (s.shutdownAckTimedOut(t)) break;
    }
    const shut = link.sent.filter((i) => i.newNum === SHUTDOWN_NUM);
    expect(shut).toHaveLength(16);
    expect(s.shutdownTries).toBe(16);
    const at = link.sent.length;
    expect(shut.every((i) => i.diff.length === 0)).toBe(true);
    expect(s.shutdownAcknowledged).toBe(false);
    expect(at).toBe(17);
  });

  it("times out a shutdown after 10 s even with fewer tries", () => {
    const { s } = started();
    s.startShutdown(T0);
    expect(s.shutdownAckTimedOut(T0 + 9999)).toBe(false);
    expect(s.shutdownAckTimedOut(T0 + 10_000)).toBe(true);
  });

  it("sends the shutdown state with the real diff from the assumed base, never a stale base with an empty diff", () => {
    const { s, link, cur } = started(8);
    cur.push(1, 2);
    s.tick(T0 + 300);
    s.tick(T0 + 308); // state 2 = [1, 2], unacknowledged
    // Long after: the assumed state fell back to state 0, so the -1 state must carry [1, 2].
    s.startShutdown(T0 + 5000);
    s.tick(T0 + 5000);
    const i = link.last;
    expect(i.newNum).toBe(SHUTDOWN_NUM);
    expect(i.oldNum).toBe(0n);
    const replica = new ListState();
    replica.applyDiff(i.diff);
    expect(replica.items).toEqual([1, 2]);
    // The peer acknowledges -1: the shutdown is acknowledged.
    s.processAcknowledgmentThrough(SHUTDOWN_NUM);
    expect(s.shutdownAcknowledged).toBe(true);
  });

  it("freezes the local state at shutdown", () => {
    const { s, cur } = started();
    s.startShutdown(T0);
    cur.push(9);
    s.setCurrentState(cur);
    expect(s.currentState.items).toEqual([]);
  });

  it("acknowledges a peer's shutdown at frame rate and reports it", () => {
    const { s, link } = started();
    s.setAckNum(SHUTDOWN_NUM);
    expect(s.counterpartyShutdownAckSent).toBe(false);
    s.tick(T0 + 20);
    expect(link.last.ackNum).toBe(SHUTDOWN_NUM);
    expect(s.counterpartyShutdownAckSent).toBe(true);
    expect(s.waitTime(T0 + 20)).toBe(20);
  });
});

/** Ticks every ms from `from` (inclusive) to `to` (exclusive); returns the times something was sent. */
function run(
  s: TransportSender<ListState>,
  link: FakeLink,
  from: number,
  to: number,
  each?: (t: number) => void,
) {
  const times: number[] = [];
  for (let t = from; t < to; t++) {
    each?.(t);
    const n = link.sent.length;
    s.tick(t);
    if (link.sent.length > n) times.push(t);
  }
  return times;
}

describe("TransportSender: the interactive fast path (expedite)", () => {
  it("sends an expedited change at once, inside the send interval and without SEND_MINDELAY", () => {
    const { s, link, cur } = started(8);
    link.intervalMs = 250;
    const t = T0 + 10; // 10 ms after the last send: mosh would wait until T0 + 250
    s.expedite(t);
    cur.push(1);
    expect(s.waitTime(t)).toBe(0);
    s.tick(t);
    expect(link.sent).toHaveLength(2);
    expect(link.last.newNum).toBe(2n);
    const replica = new ListState();
    replica.applyDiff(link.last.diff);
    expect(replica.items).toEqual([1]);
    expect(s.expedited(t)).toBe(false); // the credit is used up
  });

  it("is not delayed by an empty ack sent just before (the client's keystroke after its data ack)", () => {
    const { s, link, cur } = started(1);
    link.intervalMs = 125;
    s.setDataAck();
    s.tick(T0 + 500 + ACK_DELAY); // (the pending ack is due 100 ms after the first calculateTimers)
    s.tick(T0 + 1000);
    const acks = link.sent.length;
    expect(link.last.diff.length).toBe(0);
    const ackAt = s.sentStates[s.sentStates.length - 1].time;
    // A keystroke 5 ms after that ack: mosh waits for ack + 125 ms.
    cur.push(42);
    expect(s.waitTime(ackAt + 5)).toBe(ackAt + 125 - (ackAt + 5));
    s.expedite(ackAt + 5);
    s.tick(ackAt + 5);
    expect(link.sent).toHaveLength(acks + 1);
    expect(link.last.diff.length).toBeGreaterThan(0);
  });

  it("gives one early frame per credit; the next change keeps mosh's schedule", () => {
    const { s, link, cur } = started(8);
    link.intervalMs = 250;
    const t = T0 + 1000; // the last regular send (T0) is long past
    s.expedite(t);
    cur.push(1);
    s.tick(t);
    expect(link.sent).toHaveLength(2);
    // More output 2 ms later (a command's output after the echo of Enter): SEND_MINDELAY after
    // it, as mosh would send it had the early frame not been sent; not a whole interval later.
    cur.push(2);
    expect(run(s, link, t + 2, t + 300)).toEqual([t + 2 + 8]);
    // And the frame after that is paced by the interval from that regular frame.
    cur.push(3);
    expect(run(s, link, t + 11, t + 600)).toEqual([t + 10 + 250]);
  });

  it("keeps early frames at least EARLY_FRAME_GAP apart", () => {
    const { s, link, cur } = started(8);
    link.intervalMs = 250;
    s.tick(T0 + 1); // (nothing to send)
    // A regular frame at T0 + 300 sets the pace: the next regular send is due at T0 + 550.
    cur.push(1);
    run(s, link, T0 + 300, T0 + 309);
    expect(link.sent).toHaveLength(2);
    const t = T0 + 320;
    s.expedite(t);
    cur.push(2);
    s.tick(t);
    expect(link.sent).toHaveLength(3);
    // A second credit 5 ms later: the early frame waits for the gap, still long before T0 + 550.
    s.expedite(t + 5);
    cur.push(3);
    expect(run(s, link, t + 5, t + 100)).toEqual([t + EARLY_FRAME_GAP]);
  });

  it("lets a credit expire after EXPEDITE_WINDOW", () => {
    const { s, link, cur } = started(8);
    link.intervalMs = 250;
    s.tick(T0 + 300);
    cur.push(1);
    run(s, link, T0 + 300, T0 + 309); // a regular frame at T0 + 308: the next one is due at T0 + 558
    const t = T0 + 320;
    s.expedite(t);
    expect(s.expedited(t + EXPEDITE_WINDOW)).toBe(true);
    expect(s.expedited(t + EXPEDITE_WINDOW + 1)).toBe(false);
    // The change comes after the window: mosh's schedule.
    cur.push(2);
    expect(run(s, link, t + EXPEDITE_WINDOW + 1, T0 + 700)).toEqual([T0 + 308 + 250]);
  });

  it("is ignored while shutting down", () => {
    const { s, link } = started(8);
    link.intervalMs = 250;
    s.startShutdown(T0 + 5);
    s.expedite(T0 + 5);
    expect(s.expedited(T0 + 5)).toBe(false);
    expect(run(s, link, T0 + 5, T0 + 300)).toEqual([T0 + 250]);
  });

  it("keeps a flood paced by the send interval, with at most one extra frame per credit", () => {
    const flood = (credits: number[]) => {
      const { s, link, cur } = started(8);
      link.intervalMs = 100;
      const end = T0 + 5000;
      const times = run(s, link, T0 + 1, end, (t) => {
        cur.push(t); // new output every ms
        if (credits.includes(t)) s.expedite(t);
      });
      return { times, link };
    };
    const plain = flood([]);
    const gaps = plain.times.slice(1).map((t, k) => t - plain.times[k]);
    expect(new Set(gaps)).toEqual(new Set([100]));
    // The user types 20 keys during the flood: one extra frame at most per key, sent at once;
    // the other frames are still at least one send interval apart.
    const credits = Array.from({ length: 20 }, (_, k) => T0 + 137 + k * 211);
    const typed = flood(credits);
    expect(typed.times.length).toBeLessThanOrEqual(plain.times.length + credits.length);
    const extra = typed.times.filter((t) => credits.includes(t));
    expect(extra.length).toBeGreaterThan(0);
    const regular = typed.times.filter((t) => !credits.includes(t));
    const regularGaps = regular.slice(1).map((t, k) => t - regular[k]);
    expect(Math.min(...regularGaps)).toBeGreaterThanOrEqual(100);
    expect(regular.length).toBeLessThanOrEqual(plain.times.length);
  });

  it("bounds a stream of expedited changes: one early frame, then mosh's pace", () => {
    const { s, link, cur } = started(1);
    link.intervalMs = 250;
    const from = T0 + 1000;
    // A program writes (and expedites) a byte every ms for 1 s.
    const times = run(s, link, from, from + 1000, (t) => {
      cur.push(t);
      s.expedite(t);
    });
    // Early frames every EARLY_FRAME_GAP at most, regular frames every 250 ms at most.
    expect(times.length).toBeLessThanOrEqual(1000 / EARLY_FRAME_GAP + 1000 / 250 + 2);
    const gaps = times.slice(1).map((t, k) => t - times[k]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1);
    // The newest frame carries everything up to the time it was sent.
    const last = link.last;
    const base = new DataView(last.diff.buffer, last.diff.byteOffset).getUint32(0);
    expect(base + (last.diff.length - 4) / 4).toBe(times[times.length - 1] - from + 1);
  });

  it("waitTime after a tick that sent nothing still sees every change made since", () => {
    const { s, link, cur } = started();
    const t = T0 + 1;
    s.tick(t); // nothing due
    expect(s.waitTime(t)).toBe(ACK_INTERVAL - 1);
    cur.push(5);
    s.setCurrentState(cur);
    expect(s.waitTime(t)).toBe(20 - 1); // the send interval after the ack at T0
    s.tick(t);
    s.setDataAck();
    expect(s.waitTime(t)).toBe(20 - 1);
    s.expedite(t);
    expect(s.waitTime(t)).toBe(0);
    s.tick(t);
    expect(link.sent.map((i) => i.diff.length > 0)).toEqual([false, true]);
    expect(s.waitTime(t)).toBe(ACK_INTERVAL);
  });

  it("start frames: before any acknowledgement a change goes out at once, for that many frames", () => {
    const link = new FakeLink();
    const cur = new ListState();
    const s = new TransportSender(cur, link, T0, 8, 2);
    s.tick(T0); // the empty ack (state 1)
    const sends: number[] = [];
    for (let t = T0 + 1; t < T0 + 100; t++) {
      cur.push(t);
      s.setCurrentState(cur);
      const n = link.sent.length;
      s.tick(t);
      if (link.sent.length > n) sends.push(t - T0);
    }
    // Two start frames as soon as they changed, then the send interval (20 ms) after the previous frame.
    expect(sends.slice(0, 5)).toEqual([1, 2, 22, 42, 62]);
    // Once the peer acknowledged a state, the send interval applies at once.
    const link2 = new FakeLink();
    const cur2 = new ListState();
    const s2 = new TransportSender(cur2, link2, T0, 8, 2);
    s2.tick(T0);
    s2.processAcknowledgmentThrough(1n);
    cur2.push(1);
    s2.setCurrentState(cur2);
    expect(s2.waitTime(T0 + 1)).toBe(19);
  });
});
