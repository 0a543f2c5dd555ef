// Robustness: random and mutated input to every decoder throws only WireError or CryptoError.
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CryptoError } from "../crypto/crypto-error.js";
import { SessionKey } from "../crypto/session-key.js";
import { DatagramCodec, TIMESTAMP_NONE, TO_SERVER } from "./datagram.js";
import { decodeFragment, encodeFragment, FragmentAssembly } from "./fragment.js";
import { decodeInstruction, encodeInstruction } from "./instruction.js";
import { decodeHostMessage, decodeUserMessage, encodeHostMessage, encodeUserMessage } from "./messages.js";
import { WireError } from "./wire-error.js";

const key = SessionKey.parse("bV4R7Hq0Y2nmKQs1S3jdCw");
const codec = new DatagramCodec(key);
const OPTIONS = { seed: 20240601, numRuns: 400 };

/** Runs `fn`; returns normally or re-throws anything that is not a WireError or CryptoError. */
function onlyOurErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof WireError || err instanceof CryptoError) return;
    throw err;
  }
}

const user = encodeUserMessage([
  { kind: "resize", cols: 80, rows: 24 },
  { kind: "keys", keys: Uint8Array.of(0x61, 0x1b, 0x5b, 0x41) },
]);
const hostMsg = encodeHostMessage([
  { kind: "echoack", num: 93n },
  { kind: "resize", cols: 100, rows: 30 },
  { kind: "hostbytes", bytes: Uint8Array.of(0x1b, 0x5b, 0x48, 0x68, 0x69) },
]);
const protoInstruction = Uint8Array.of(
  0x08,
  0x02,
  0x10,
  0x05,
  0x18,
  0x06,
  0x20,
  0x06,
  0x28,
  0x05,
  0x32,
  0x00,
  0x3a,
  0x01,
  0x00,
);

/** A valid encoding with some bytes overwritten, some bytes cut or some bytes appended. */
function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.nat({ max: valid.length }),
      fc.uint8Array({ maxLength: 8 }),
    )
    .map(([edits, cut, tail]) => {
      const b = Uint8Array.from(valid);
      for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
      return Uint8Array.from([...b.subarray(0, valid.length - cut), ...tail]);
    });
}

const garbage = fc.uint8Array({ maxLength: 300 });

describe("decoders on garbage", () => {
  it("decodeFragment and FragmentAssembly", () => {
    const a = new FragmentAssembly();
    fc.assert(
      fc.property(garbage, (b) => onlyOurErrors(() => a.add(decodeFragment(b)))),
      OPTIONS,
    );
  });

  it("decodeInstruction: raw garbage, compressed garbage, mutated instructions", () => {
    const valid = encodeInstruction({
      protocolVersion: 2,
      oldNum: 1n,
      newNum: 2n,
      ackNum: 3n,
      throwawayNum: 1n,
      diff: user,
      chaff: Uint8Array.of(1, 2, 3),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          garbage,
          garbage.map((b) => new Uint8Array(deflateSync(b))),
          mutated(protoInstruction).map((b) => new Uint8Array(deflateSync(b))),
          mutated(valid),
        ),
        (b) => onlyOurErrors(() => decodeInstruction(b)),
      ),
      OPTIONS,
    );
  });

  it("decodeUserMessage and decodeHostMessage: raw garbage and mutated messages", () => {
    fc.assert(
      fc.property(fc.oneof(garbage, mutated(user), mutated(hostMsg)), (b) => {
        onlyOurErrors(() => decodeUserMessage(b));
        onlyOurErrors(() => decodeHostMessage(b));
      }),
      OPTIONS,
    );
  });

  it("deeply nested groups and huge lengths are refused, not crashed on", () => {
    // Nested "start group" tags: field 1 (a message field) in the diffs, the unknown field 15 in
    // an Instruction (protobuf-es reads a known scalar field whatever its wire type).
    const groups = (tag: number): Uint8Array => new Uint8Array(200_000).fill(tag);
    const hugeLength = (tag: number): Uint8Array => Uint8Array.of(tag, 0xff, 0xff, 0xff, 0xff, 0x0f);
    for (const b of [groups(0x0b), hugeLength(0x0a)]) {
      expect(() => decodeUserMessage(b)).toThrow(WireError);
      expect(() => decodeHostMessage(b)).toThrow(WireError);
    }
    for (const b of [groups(0x7b), hugeLength(0x32), hugeLength(0x7a)]) {
      expect(() => decodeInstruction(deflateSync(b))).toThrow(WireError);
    }
  });

  it("DatagramCodec.decode: garbage and mutated datagrams", () => {
    const valid = codec.encode({
      direction: TO_SERVER,
      seq: 17n,
      timestamp: 100,
      timestampReply: TIMESTAMP_NONE,
      payload: encodeFragment({ id: 1n, num: 0, final: true, contents: Uint8Array.of(0x78, 0x9c) }),
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2100 }), mutated(valid)), (b) =>
        onlyOurErrors(() => codec.decode(b)),
      ),
      OPTIONS,
    );
  });
});
