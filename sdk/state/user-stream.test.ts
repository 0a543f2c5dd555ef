import { describe, expect, it } from "vitest";
import { UserStream } from "./user-stream.js";

const keys = (s: string) => Uint8Array.from(Buffer.from(s));

describe("UserStream", () => {
  it("diffs only what is new since the base and applies it on the other side", () => {
    const a = new UserStream();
    a.pushResize(80, 24);
    const base = a.clone();
    a.pushKeys(keys("ab"));
    a.pushKeys(keys("c"));
    a.pushResize(100, 30);
    const remote = base.clone();
    remote.applyDiff(a.diffFrom(base));
    expect(remote.equals(a)).toBe(true);
    expect(remote.eventsSince(1)).toEqual([
      { kind: "keys", keys: keys("abc") }, // consecutive keys travel as one Keystroke
      { kind: "resize", cols: 100, rows: 30 },
    ]);
    expect(a.diffFrom(a.clone()).length).toBe(0);
  });

  it("the first state is exactly mosh's resize(80,24) message", () => {
    const a = new UserStream();
    a.pushResize(80, 24);
    expect(Buffer.from(a.diffFrom(new UserStream())).toString("hex")).toBe("0a061a0428503018");
  });

  it("subtract keeps diffs from the acknowledged state and newer ones intact", () => {
    const a = new UserStream();
    a.pushKeys(keys("hello"));
    const acked = a.clone();
    a.pushKeys(keys(" world"));
    const newer = a.clone();
    a.pushKeys(keys("!"));
    const before = [a.diffFrom(acked), a.diffFrom(newer)].map((d) => Buffer.from(d).toString("hex"));
    a.subtract(acked);
    expect([a.diffFrom(acked), a.diffFrom(newer)].map((d) => Buffer.from(d).toString("hex"))).toEqual(before);
    expect(() => a.eventsSince(2)).toThrow(RangeError);
    expect(a.eventsSince(5)).toEqual([
      { kind: "keys", keys: keys(" world") },
      { kind: "keys", keys: keys("!") },
    ]);
  });

  it("clones are independent", () => {
    const a = new UserStream();
    a.pushKeys(keys("x"));
    const b = a.clone();
    a.pushKeys(keys("y"));
    expect(b.length).toBe(1);
    expect(a.length).toBe(2);
  });
});
