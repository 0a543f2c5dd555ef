// Tests for the instruction codec: mosh's exact bytes (docs/mosh-protocol.md §5.4), zlib framing, uint64 and error handling.
import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  decodeInstruction,
  encodeInstruction,
  type Instruction,
  makeChaff,
  PROTOCOL_VERSION,
  SHUTDOWN_NUM,
} from "./instruction.js";
import { WireError } from "./wire-error.js";

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function instruction(over: Partial<Instruction>): Instruction {
  return {
    protocolVersion: PROTOCOL_VERSION,
    oldNum: 0n,
    newNum: 0n,
    ackNum: 0n,
    throwawayNum: 0n,
    diff: new Uint8Array(0),
    chaff: new Uint8Array(0),
    ...over,
  };
}

/** A small seeded PRNG (mulberry32) as a byte source for makeChaff. */
function seededBytes(seed: number): (n: number) => Uint8Array {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
  return (n) => Uint8Array.from({ length: n }, next);
}

describe("encodeInstruction", () => {
  it("reproduces the first instruction of a real session (§5.4)", () => {
    const chaff = hex("0102030405060708f9");
    const z = encodeInstruction(
      instruction({ oldNum: 0n, newNum: 1n, diff: hex("0a061a0428503018"), chaff }),
    );
    expect(toHex(z.subarray(0, 2))).toBe("789c");
    expect(toHex(inflateSync(z))).toBe(
      "08021000180120002800" + "32080a061a0428503018" + "3a09" + toHex(chaff),
    );
  });

  it("reproduces an empty ack, writing the empty diff as a zero-length field (§5.4)", () => {
    const z = encodeInstruction(
      instruction({ oldNum: 5n, newNum: 6n, ackNum: 6n, throwawayNum: 5n, chaff: hex("aabbcc") }),
    );
    expect(toHex(inflateSync(z))).toBe("08021005180620062805" + "3200" + "3a03aabbcc");
  });

  it("writes all seven fields even when everything is zero or empty", () => {
    const z = encodeInstruction(instruction({ protocolVersion: 0 }));
    expect(toHex(inflateSync(z))).toBe("0800" + "1000" + "1800" + "2000" + "2800" + "3200" + "3a00");
  });

  it("writes new_num = -1 as a 10-byte varint and round-trips 2^64-1 in every number", () => {
    const z = encodeInstruction(
      instruction({ oldNum: 3n, newNum: SHUTDOWN_NUM, ackNum: 2n, throwawayNum: 3n }),
    );
    expect(toHex(inflateSync(z))).toBe(
      "0802" + "1003" + "18ffffffffffffffffff01" + "2002" + "2803" + "3200" + "3a00",
    );
    const big = instruction({
      oldNum: SHUTDOWN_NUM,
      newNum: SHUTDOWN_NUM,
      ackNum: SHUTDOWN_NUM,
      throwawayNum: 1n << 63n,
    });
    expect(decodeInstruction(encodeInstruction(big))).toEqual(big);
  });

  it("round-trips an instruction with a large diff", () => {
    const diff = seededBytes(1)(200_000);
    const i = instruction({
      oldNum: 41n,
      newNum: 42n,
      ackNum: 17n,
      throwawayNum: 40n,
      diff,
      chaff: hex("00"),
    });
    const back = decodeInstruction(encodeInstruction(i));
    expect(back.oldNum).toBe(41n);
    expect(back.newNum).toBe(42n);
    expect(back.ackNum).toBe(17n);
    expect(back.throwawayNum).toBe(40n);
    expect(back.protocolVersion).toBe(2);
    expect(Buffer.from(back.diff).equals(Buffer.from(diff))).toBe(true);
    expect(toHex(back.chaff)).toBe("00");
  });

  it("refuses numbers out of range", () => {
    expect(() => encodeInstruction(instruction({ newNum: -1n }))).toThrow(RangeError);
    expect(() => encodeInstruction(instruction({ ackNum: 1n << 64n }))).toThrow(RangeError);
    expect(() => encodeInstruction(instruction({ protocolVersion: 2.5 }))).toThrow(RangeError);
  });
});

describe("decodeInstruction", () => {
  it("accepts fields in any order and missing fields", () => {
    const reversed = hex("3a01ee" + "3202abcd" + "2809" + "200a" + "180b" + "100c" + "0802");
    expect(decodeInstruction(deflateSync(reversed))).toEqual(
      instruction({
        oldNum: 12n,
        newNum: 11n,
        ackNum: 10n,
        throwawayNum: 9n,
        diff: hex("abcd"),
        chaff: hex("ee"),
      }),
    );
    expect(decodeInstruction(deflateSync(hex("1807")))).toEqual(
      instruction({ protocolVersion: 0, newNum: 7n }),
    );
  });

  it("returns the protocol version without judging it", () => {
    expect(decodeInstruction(encodeInstruction(instruction({ protocolVersion: 1 }))).protocolVersion).toBe(1);
  });

  it("turns every failure into a WireError", () => {
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      hex("789c"),
      hex("0802100018012000"), // protobuf, not zlib
      deflateSync(hex("0802100018012000")).subarray(0, 8), // truncated zlib
      deflateSync(hex("32ff")), // length beyond the end
      deflateSync(hex("0f")), // field 1 with the invalid wire type 7
      deflateSync(Buffer.alloc(4 * 1024 * 1024 + 1)), // inflates beyond 4 MiB
    ];
    for (const c of cases) {
      expect(() => decodeInstruction(c)).toThrow(WireError);
    }
  });
});

describe("makeChaff", () => {
  it("has length random_byte % 17 and that many random bytes", () => {
    const seen = new Set<number>();
    const random = seededBytes(42);
    for (let i = 0; i < 2000; i++) {
      const c = makeChaff(random);
      expect(c.length).toBeLessThanOrEqual(16);
      seen.add(c.length);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    const fixed = [33, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    let k = 0;
    const scripted = (n: number): Uint8Array => {
      const out = Uint8Array.from(fixed.slice(k, k + n));
      k += n;
      return out;
    };
    expect([...makeChaff(scripted)]).toEqual(fixed.slice(1, 17)); // 33 % 17 = 16
  });

  it("uses the system CSPRNG by default", () => {
    for (let i = 0; i < 100; i++) expect(makeChaff().length).toBeLessThanOrEqual(16);
  });
});
