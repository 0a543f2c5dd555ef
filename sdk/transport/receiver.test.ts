// Tests of the SSP receiver's state list (docs/mosh-protocol.md §6.5 steps 4–10).
import { describe, expect, it } from "vitest";
import type { Instruction } from "../wire/instruction.js";
import { ListState } from "./list-state.fixture.js";
import { RECEIVER_QUENCH_MS, TransportReceiver } from "./receiver.js";

function inst(oldNum: number, newNum: number, diff: Uint8Array, throwawayNum = 0): Instruction {
  return {
    protocolVersion: 2,
    oldNum: BigInt(oldNum),
    newNum: BigInt(newNum),
    ackNum: 0n,
    throwawayNum: BigInt(throwawayNum),
    diff,
    chaff: new Uint8Array(0),
  };
}

/** The diff taking a list of `from` items to a list of `to` items (item k = k). */
function diff(from: number, to: number): Uint8Array {
  const all = new ListState(Array.from({ length: to }, (_, k) => k));
  return all.diffFrom(new ListState(Array.from({ length: from }, (_, k) => k)));
}

describe("TransportReceiver", () => {
  it("builds new states from the base and reports the newest", () => {
    const r = new TransportReceiver(new ListState(), 0);
    const o = r.receive(inst(0, 1, diff(0, 2)), 10);
    expect(o.kind).toBe("newest");
    expect(r.newest.num).toBe(1n);
    expect(r.newest.state.items).toEqual([0, 1]);
    expect(r.newest.time).toBe(10);
    r.receive(inst(1, 2, diff(2, 3)), 20);
    expect(r.newest.state.items).toEqual([0, 1, 2]);
    // The earlier states were not mutated.
    expect(r.states.map((s) => s.state.items.length)).toEqual([0, 2, 3]);
  });

  it("ignores duplicates and unknown bases", () => {
    const r = new TransportReceiver(new ListState(), 0);
    r.receive(inst(0, 1, diff(0, 1)), 1);
    expect(r.receive(inst(0, 1, diff(0, 1)), 2).kind).toBe("duplicate");
    expect(r.receive(inst(5, 6, diff(3, 4)), 2).kind).toBe("unknown-base");
    expect(r.states.map((s) => s.num)).toEqual([0n, 1n]);
  });

  it("inserts out-of-order states in number order without making them the newest", () => {
    const r = new TransportReceiver(new ListState(), 0);
    r.receive(inst(0, 3, diff(0, 3)), 1);
    const o = r.receive(inst(0, 2, diff(0, 2)), 2);
    expect(o.kind).toBe("out-of-order");
    expect(r.states.map((s) => s.num)).toEqual([0n, 2n, 3n]);
    expect(r.newest.num).toBe(3n);
  });

  it("erases states below throwaway_num but keeps the newest", () => {
    const r = new TransportReceiver(new ListState(), 0);
    r.receive(inst(0, 1, diff(0, 1)), 1);
    r.receive(inst(1, 2, diff(1, 2), 1), 2);
    expect(r.states.map((s) => s.num)).toEqual([1n, 2n]);
    // A hostile throwaway above everything held still leaves a usable newest state.
    r.receive(inst(2, 3, diff(2, 3), 100), 3);
    expect(r.states.map((s) => s.num)).toEqual([2n, 3n]);
    expect(r.newest.state.items).toEqual([0, 1, 2]);
  });

  it("drops an instruction whose diff does not apply, without changing anything", () => {
    const r = new TransportReceiver(new ListState(), 0);
    r.receive(inst(0, 1, diff(0, 2)), 1);
    const o = r.receive(inst(1, 2, new Uint8Array([1, 2, 3])), 2);
    expect(o.kind).toBe("illegal");
    const o2 = r.receive(inst(1, 2, diff(5, 6)), 2); // well-formed but not from this base
    expect(o2.kind).toBe("illegal");
    expect(r.newest.num).toBe(1n);
    expect(r.newest.state.items).toEqual([0, 1]);
  });

  it("quenches a flood: above 1024 held states, one new state per 15 s", () => {
    const r = new TransportReceiver(new ListState(), 0);
    // Out-of-order-style flood: all from base 0, never thrown away.
    for (let n = 1; n <= 1024; n++) expect(r.receive(inst(0, n, new Uint8Array(0)), 5).kind).toBe("newest");
    expect(r.states).toHaveLength(1025);
    expect(r.receive(inst(0, 2000, new Uint8Array(0)), 10).kind).toBe("newest");
    expect(r.receive(inst(0, 2001, new Uint8Array(0)), 11).kind).toBe("quenched");
    expect(r.receive(inst(0, 2002, new Uint8Array(0)), 10 + RECEIVER_QUENCH_MS - 1).kind).toBe("quenched");
    expect(r.receive(inst(0, 2003, new Uint8Array(0)), 10 + RECEIVER_QUENCH_MS).kind).toBe("newest");
  });
});
