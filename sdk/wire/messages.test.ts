// Tests for the UserMessage / HostMessage codecs: mosh's bytes, key packing, round trips, errors.
import { describe, expect, it } from "vitest";
import {
  decodeHostMessage,
  decodeUserMessage,
  encodeHostMessage,
  encodeUserMessage,
  type HostOp,
  type UserEvent,
} from "./messages.js";
import { WireError } from "./wire-error.js";

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const u8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const keys = (s: string): UserEvent => ({ kind: "keys", keys: u8(s) });

describe("UserMessage", () => {
  it("encodes resize(80, 24) alone as 0a 06 1a 04 28 50 30 18 (docs/mosh-protocol.md §5.2)", () => {
    expect(toHex(encodeUserMessage([{ kind: "resize", cols: 80, rows: 24 }]))).toBe("0a061a0428503018");
  });

  it("packs consecutive keys into one Keystroke; a resize starts a new Instruction", () => {
    const events: UserEvent[] = [
      keys("a"),
      keys(""),
      keys("b"),
      { kind: "resize", cols: 80, rows: 24 },
      keys("c"),
    ];
    const bytes = encodeUserMessage(events);
    expect(toHex(bytes)).toBe("0a06120422026162" + "0a061a0428503018" + "0a051203220163");
    expect(decodeUserMessage(bytes)).toEqual([
      { kind: "keys", keys: u8("ab") },
      { kind: "resize", cols: 80, rows: 24 },
      { kind: "keys", keys: u8("c") },
    ]);
  });

  it("encodes nothing for no events or only empty keys", () => {
    expect(encodeUserMessage([]).length).toBe(0);
    expect(encodeUserMessage([keys("")]).length).toBe(0);
    expect(decodeUserMessage(new Uint8Array(0))).toEqual([]);
  });

  it("round-trips many events, binary keys and extreme sizes included", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const events: UserEvent[] = [
      { kind: "resize", cols: 1, rows: 1 },
      { kind: "keys", keys: all },
      { kind: "resize", cols: -1, rows: 0x7fffffff },
      { kind: "resize", cols: 300, rows: 100 },
      keys("héllo 中"),
    ];
    const back = decodeUserMessage(encodeUserMessage(events));
    expect(back.map((e) => (e.kind === "keys" ? { kind: e.kind, keys: Buffer.from(e.keys) } : e))).toEqual(
      events.map((e) => (e.kind === "keys" ? { kind: e.kind, keys: Buffer.from(e.keys) } : e)),
    );
  });

  it("ignores Instructions without a known extension", () => {
    // Instruction{9: ""} then Instruction{} then resize.
    expect(decodeUserMessage(hex("0a024a00" + "0a00" + "0a061a0428503018"))).toEqual([
      { kind: "resize", cols: 80, rows: 24 },
    ]);
  });

  it("throws WireError on malformed protobuf", () => {
    for (const b of ["0a", "0a05", "0a0212ff", "0a03120122", "0f", "0a021a01"]) {
      expect(() => decodeUserMessage(hex(b)), b).toThrow(WireError);
    }
  });

  it("refuses sizes that are not 32-bit integers", () => {
    expect(() => encodeUserMessage([{ kind: "resize", cols: 2 ** 31, rows: 1 }])).toThrow(RangeError);
    expect(() => encodeUserMessage([{ kind: "resize", cols: 1.5, rows: 1 }])).toThrow(RangeError);
  });
});

describe("HostMessage", () => {
  it("encodes echoack, resize, hostbytes as mosh's server does (§5.3)", () => {
    const ops: HostOp[] = [
      { kind: "echoack", num: 93n },
      { kind: "resize", cols: 100, rows: 30 },
      { kind: "hostbytes", bytes: u8("hi") },
    ];
    const bytes = encodeHostMessage(ops);
    expect(toHex(bytes)).toBe("0a043a02405d" + "0a061a042864301e" + "0a0612042202" + "6869");
    expect(decodeHostMessage(bytes)).toEqual([
      { kind: "echoack", num: 93n },
      { kind: "resize", cols: 100, rows: 30 },
      { kind: "hostbytes", bytes: u8("hi") },
    ]);
  });

  it("writes an echo ack of 0 and round-trips big echo acks", () => {
    expect(toHex(encodeHostMessage([{ kind: "echoack", num: 0n }]))).toBe("0a043a024000");
    for (const num of [0n, 1n, 127n, 128n, 1n << 32n, 1n << 63n, 0xffffffffffffffffn]) {
      expect(decodeHostMessage(encodeHostMessage([{ kind: "echoack", num }]))).toEqual([
        { kind: "echoack", num },
      ]);
    }
    expect(toHex(encodeHostMessage([{ kind: "echoack", num: 0xffffffffffffffffn }]))).toBe(
      "0a0d3a0b40ffffffffffffffffff01",
    );
    expect(() => encodeHostMessage([{ kind: "echoack", num: -1n }])).toThrow(RangeError);
  });

  it("round-trips large terminal output", () => {
    const big = Buffer.alloc(100_000, "x");
    const back = decodeHostMessage(encodeHostMessage([{ kind: "hostbytes", bytes: big }]));
    expect(back.length).toBe(1);
    const op = back[0];
    expect(op.kind === "hostbytes" && Buffer.from(op.bytes).equals(big)).toBe(true);
  });

  it("takes the first of hostbytes, resize, echoack when an Instruction carries several", () => {
    // Instruction{7: {8: 5}, 3: {5: 10, 6: 20}}: resize wins over echoack.
    expect(decodeHostMessage(hex("0a0a" + "3a024005" + "1a04280a3014"))).toEqual([
      { kind: "resize", cols: 10, rows: 20 },
    ]);
  });

  it("throws WireError on malformed protobuf", () => {
    for (const b of ["0a", "0a043a024", "0a033a0140", "0a023a05", "0b"]) {
      expect(() => decodeHostMessage(hex(b.length % 2 ? b + "0" : b)), b).toThrow(WireError);
    }
  });
});
