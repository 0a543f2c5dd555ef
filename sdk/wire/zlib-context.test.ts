// Tests for the reused zlib contexts: byte-identical to deflateSync/inflateSync, errors included, across reuse.
import { deflateSync, inflateSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InstructionSchema } from "./gen/transportinstruction_pb.js";
import { encodeInstruction } from "./instruction.js";
import { deflateDatagram, inflateDatagram } from "./zlib-context.js";

const LIMIT = 4 * 1024 * 1024;
const errorOf = (f: () => unknown): string => {
  try {
    f();
    return "no error";
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
};

describe("deflateDatagram / inflateDatagram", () => {
  it("give exactly what deflateSync and inflateSync give, call after call", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 1, maxLength: 8 }), (inputs) => {
        for (const input of inputs) {
          const z = deflateDatagram(input);
          expect(Buffer.from(z).equals(deflateSync(input))).toBe(true);
          expect([...z.subarray(0, 2)]).toEqual([0x78, 0x9c]);
          expect(Buffer.from(inflateDatagram(z)).equals(Buffer.from(input))).toBe(true);
        }
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it("handle results larger than the fast path's buffer", () => {
    const big = new Uint8Array(300 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const z = deflateDatagram(big);
    expect(Buffer.from(z).equals(deflateSync(big))).toBe(true);
    const zeros = deflateSync(new Uint8Array(1024 * 1024));
    expect(inflateDatagram(zeros).length).toBe(1024 * 1024);
    expect(Buffer.from(inflateDatagram(z)).equals(Buffer.from(big))).toBe(true);
  });

  it("throw as inflateSync does on bad input, and keep working afterwards", () => {
    const good = deflateSync(Buffer.from("hello, mosh"));
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      Buffer.from("789c", "hex"),
      good.subarray(0, good.length - 3),
      Buffer.from("not zlib at all"),
      deflateSync(new Uint8Array(LIMIT + 1)),
    ];
    for (const b of bad) {
      const expected = errorOf(() => inflateSync(b, { maxOutputLength: LIMIT }));
      expect(expected).not.toBe("no error");
      expect(errorOf(() => inflateDatagram(b))).toBe(expected);
      expect(Buffer.from(inflateDatagram(good)).toString()).toBe("hello, mosh");
    }
  });

  it("ignore bytes after the end of the stream, as inflateSync does", () => {
    const trailing = Buffer.concat([deflateSync(Buffer.from("abc")), Buffer.from("xyz")]);
    expect(Buffer.from(inflateDatagram(trailing)).toString()).toBe(
      inflateSync(trailing, { maxOutputLength: LIMIT }).toString(),
    );
    expect(Buffer.from(inflateDatagram(deflateSync(Buffer.from("ok")))).toString()).toBe("ok");
  });
});

describe("encodeInstruction", () => {
  it("serialises exactly as protobuf's encoder does, then deflates", () => {
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        u64,
        u64,
        u64,
        u64,
        fc.uint8Array({ maxLength: 5000 }),
        fc.uint8Array({ maxLength: 16 }),
        (protocolVersion, oldNum, newNum, ackNum, throwawayNum, diff, chaff) => {
          const fields = { protocolVersion, oldNum, newNum, ackNum, throwawayNum, diff, chaff };
          const expected = deflateSync(toBinary(InstructionSchema, create(InstructionSchema, fields)));
          expect(Buffer.from(encodeInstruction(fields)).equals(expected)).toBe(true);
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});
