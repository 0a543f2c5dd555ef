// Tests for writeHostMessage: the same bytes as encodeHostMessage for every combination of operations.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeHostMessage } from "./host-message-writer.js";
import { decodeHostMessage, encodeHostMessage, type HostOp } from "./messages.js";

describe("writeHostMessage", () => {
  it("matches encodeHostMessage byte for byte", () => {
    const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
    fc.assert(
      fc.property(
        fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
        fc.option(fc.record({ cols: int32, rows: int32 })),
        fc.option(
          fc.oneof(fc.string({ unit: "grapheme", maxLength: 300 }), fc.uint8Array({ maxLength: 300 })),
        ),
        (ack, size, bytes) => {
          const ops: HostOp[] = [];
          if (ack !== null) ops.push({ kind: "echoack", num: ack });
          if (size !== null) ops.push({ kind: "resize", cols: size.cols, rows: size.rows });
          if (bytes !== null) {
            const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
            ops.push({ kind: "hostbytes", bytes: b });
          }
          const got = writeHostMessage(ack, size, bytes);
          expect(Buffer.from(got).toString("hex")).toBe(Buffer.from(encodeHostMessage(ops)).toString("hex"));
          expect(decodeHostMessage(got)).toEqual(ops);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });

  it("writes a long string's UTF-8 in full", () => {
    const text = "\u00e9\u4e2d\ud83d\ude00x".repeat(5000);
    const ops = decodeHostMessage(writeHostMessage(null, null, text));
    expect(ops).toHaveLength(1);
    const op = ops[0];
    expect(op.kind === "hostbytes" && new TextDecoder().decode(op.bytes)).toBe(text);
  });

  it("rejects what encodeHostMessage rejects", () => {
    expect(() => writeHostMessage(-1n, null, null)).toThrow(RangeError);
    expect(() => writeHostMessage(1n << 64n, null, null)).toThrow(RangeError);
    expect(() => writeHostMessage(null, { cols: 1.5, rows: 2 }, null)).toThrow(RangeError);
    expect(() => writeHostMessage(null, { cols: 80, rows: 2 ** 31 }, null)).toThrow(RangeError);
  });
});
