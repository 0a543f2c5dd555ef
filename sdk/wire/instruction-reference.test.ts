// Property tests: the hand-written instruction parser accepts, rejects and returns exactly what the generated protobuf-es code does.
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeInstruction, encodeInstruction, type Instruction, parseInstruction } from "./instruction.js";
import { referenceParseInstruction, referenceSerializeInstruction } from "./instruction-reference.js";
import {
  anyFieldNo,
  value as anyValue,
  anyWireType,
  concat,
  hex,
  mutated,
  pad,
  tag,
  uint64,
} from "./proto-fuzz.fixture.js";
import { WireError } from "./wire-error.js";

/** A value of wire type `wt` (a group holds fields and ends, usually, with its own number). */
const value = (wt: number, no: number): fc.Arbitrary<Uint8Array> =>
  anyValue(wt, no, fc.uint8Array({ maxLength: 12 }), fc.uint8Array({ maxLength: 12 }));

// ---- Outcomes ----

type Outcome = { ok: Instruction } | { error: string };

/** The result of `parse(b)`, or the message of the WireError it threw (anything else fails the test). */
function outcome(parse: (b: Uint8Array) => Instruction, b: Uint8Array): Outcome {
  try {
    return { ok: parse(b) };
  } catch (err) {
    if (err instanceof WireError) return { error: err.message };
    throw err;
  }
}

/** Checks the hand parser against the reference on `b`; returns whether it accepted it. */
function sameParsing(b: Uint8Array): boolean {
  const mine = outcome(parseInstruction, b);
  expect(mine).toEqual(outcome(referenceParseInstruction, b));
  if (!("ok" in mine)) {
    expect(mine.error).toMatch(/^Illegal counterparty input: /);
    return false;
  }
  for (const bytes of [mine.ok.diff, mine.ok.chaff]) {
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
  }
  return true;
}

// ---- Arbitraries ----

const uint32 = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(0, 1, 2, 127, 128, 16383, 16384, 0x7fffffff, 0xffffffff),
);
const someBytes = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 8 },
  { arbitrary: fc.uint8Array({ minLength: 100, maxLength: 5_000 }), weight: 1 },
);

const instruction: fc.Arbitrary<Instruction> = fc.record({
  protocolVersion: uint32,
  oldNum: uint64,
  newNum: uint64,
  ackNum: uint64,
  throwawayNum: uint64,
  diff: someBytes,
  chaff: fc.uint8Array({ maxLength: 16 }),
});

/** The wire type field `no` of an Instruction should have (0 for numbers, 2 for diff and chaff). */
const properWireType = (no: number): number => (no >= 6 ? 2 : 0);

/**
 * One Instruction field `no` (1..7): usually with its own wire type and a value of its kind
 * (padded varints, lengths a little off), sometimes with another wire type, followed by a
 * value of either kind.
 */
function knownField(no: number): fc.Arbitrary<Uint8Array> {
  const own = properWireType(no);
  return fc
    .tuple(
      fc.oneof({ arbitrary: fc.constant(own), weight: 12 }, { arbitrary: anyWireType, weight: 1 }),
      fc.oneof({ arbitrary: fc.constant(own), weight: 3 }, { arbitrary: anyWireType, weight: 1 }),
      pad,
    )
    .chain(([wt, valueType, p]) => value(valueType, no).map((v) => concat(tag(no, wt, p), v)));
}

/** Fields of no known meaning (numbers above 7 or random), any wire type. */
const unknownField = fc
  .tuple(fc.oneof(anyFieldNo, fc.integer({ min: 8, max: 40 })), anyWireType, pad)
  .chain(([n, w, p]) => value(w, n).map((v) => concat(tag(n, w, p), v)));

/** An Instruction with odd but often valid structure. */
const instructionStructure = fc
  .array(
    fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 7 }).chain(knownField), weight: 8 },
      { arbitrary: unknownField, weight: 1 },
    ),
    { maxLength: 10 },
  )
  .map((fs) => concat(...fs));

// ---- Tests ----

describe("parseInstruction accepts, rejects and returns what the generated code does", () => {
  it("valid encodings of random instructions (protobuf-es toBinary and encodeInstruction)", () => {
    fc.assert(
      fc.property(instruction, (i) => {
        const b = referenceSerializeInstruction(i);
        expect(sameParsing(b)).toBe(true);
        expect(parseInstruction(b)).toEqual(i);
        const z = encodeInstruction(i);
        expect(decodeInstruction(z)).toEqual(i);
      }),
      { seed: 31, numRuns: 500 },
    );
  });

  it("random structures: unknown fields, wrong wire types, padded varints, wrong lengths, groups", () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(instructionStructure, (b) => {
        runs++;
        if (sameParsing(b)) accepted++;
      }),
      { seed: 32, numRuns: 4000 },
    );
    // The generator must exercise both sides of the decision.
    expect(accepted).toBeGreaterThan(runs * 0.2);
    expect(accepted).toBeLessThan(runs * 0.9);
  });

  it("mutated structures and mutated valid encodings", () => {
    const valid = instruction.map(referenceSerializeInstruction);
    fc.assert(
      fc.property(mutated(fc.oneof(instructionStructure, valid)), (b) => {
        sameParsing(b);
      }),
      { seed: 33, numRuns: 3000 },
    );
  });

  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        sameParsing(b);
      }),
      { seed: 34, numRuns: 3000 },
    );
  });

  it("edge cases of protobuf-es's reader", () => {
    const cases = [
      "", // empty: every field 0 / empty
      "0802100018012000", // no diff or chaff
      "0a0102", // protocol_version as length-delimited: still read as a varint (1), then a stray varint field 0
      "0d02", // protocol_version with wire type 5: read as a varint
      "0b02", // protocol_version with wire type 3: read as a varint
      "0c02", // protocol_version with wire type 4: read as a varint
      "0f02", // wire type 7: refused
      "0e02", // wire type 6: refused
      "3001aa", // diff with wire type 0: read as bytes
      "3101aa", // diff with wire type 1
      "3301aa3401bb", // diff and chaff as start / end group
      "3205", // diff longer than the input
      "12ffffffffffffffffff01", // old_num 2^64−1
      "12ffffffffffffffffff7f", // old_num with bits past 64
      "12ffffffffffffffffffff01", // an 11-byte varint
      "1280808080808080808000", // a padded 10-byte varint
      "08ffffffff0f", // protocol_version 2^32−1
      "08ffffffffff01", // protocol_version past 32 bits: low 32 kept
      "08ffffffffffffffffff01", // a 10-byte protocol_version
      "08ffffffffffffffffffff01", // an 11-byte protocol_version
      "0801" + "0802", // the last occurrence wins
      "3201aa" + "3200", // an empty diff last wins
      "8801" + "05", // field 17, a varint
      "8880808000" + "05", // tag as a padded 5-byte varint
      "888080808001" + "05", // tag as a 6-byte varint
      "88808080f001" + "05", // tag with bits past 32
      "0005", // field number 0
      "1c", // a stray end group
      "4b4c", // an empty group 9
      "4b544c", // a group 9 holding a group-end 10: refused
      "4b" + "08ff" + "4c", // a group holding a field 1 with a bad varint
      "4b4d", // a group 9 closed as 9 with wire type 5: not an end, then EOF
      "45aabbcc", // a truncated fixed32
      "49aabbccddeeff0011", // a fixed64
      "3a00" + "3201", // chaff empty, truncated diff
      "1801" + "4a80", // new_num then a length that runs out
    ];
    for (const c of cases) {
      const b = hex(c);
      expect(outcome(parseInstruction, b), c).toEqual(outcome(referenceParseInstruction, b));
    }
  });

  it("group nesting limit (100, as protobuf-es)", () => {
    const nested = (fieldNo: number, depth: number): Uint8Array =>
      concat(
        ...Array.from({ length: depth }, () => tag(fieldNo, 3)),
        ...Array.from({ length: depth }, () => tag(fieldNo, 4)),
      );
    const decisions: boolean[] = [];
    for (const depth of [97, 98, 99, 100, 101]) decisions.push(sameParsing(nested(9, depth)));
    expect(decisions).toContain(true);
    expect(decisions).toContain(false);
  });

  it("returns views of the input, never Buffers, for Buffer input too", () => {
    const b = referenceSerializeInstruction({
      protocolVersion: 2,
      oldNum: 1n,
      newNum: 2n,
      ackNum: 3n,
      throwawayNum: 4n,
      diff: Uint8Array.of(1, 2, 3),
      chaff: Uint8Array.of(9),
    });
    const buf = Buffer.concat([Buffer.from([7, 7]), Buffer.from(b)]).subarray(2);
    const i = parseInstruction(buf);
    for (const bytes of [i.diff, i.chaff]) {
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
      expect(bytes.buffer).toBe(buf.buffer);
    }
    expect([...i.diff]).toEqual([1, 2, 3]);
    expect([...i.chaff]).toEqual([9]);
    const d = decodeInstruction(deflateSync(b));
    expect(Object.getPrototypeOf(d.diff)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(d.chaff)).toBe(Uint8Array.prototype);
  });

  it("decodeInstruction reports zlib failures as WireErrors in the same style", () => {
    for (const c of [hex(""), hex("789c"), hex("0802"), deflateSync(hex("3205"))]) {
      let message = "";
      try {
        decodeInstruction(c);
      } catch (err) {
        expect(err).toBeInstanceOf(WireError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/^Illegal counterparty input: ./);
    }
  });
});
