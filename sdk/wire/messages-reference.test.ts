// Property tests: the hand-written message codecs write and accept exactly what the generated protobuf-es code does.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeHostMessage,
  decodeUserMessage,
  encodeHostMessage,
  encodeUserMessage,
  type HostOp,
  type UserEvent,
} from "./messages.js";
import {
  referenceDecodeHostMessage,
  referenceDecodeUserMessage,
  referenceEncodeHostMessage,
  referenceEncodeUserMessage,
} from "./messages-reference.js";
import {
  anyFieldNo,
  anyWireType,
  concat,
  hex,
  mutated,
  pad,
  tag,
  uint64,
  value,
  varint,
} from "./proto-fuzz.fixture.js";
import { WireError } from "./wire-error.js";

const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

// ---- Outcomes ----

type Outcome<T> = { ok: T } | { error: "WireError" };

/** The result of `decode(b)`, or that it threw a WireError (anything else fails the test). */
function outcome<T>(decode: (b: Uint8Array) => T, b: Uint8Array): Outcome<T> {
  try {
    return { ok: decode(b) };
  } catch (err) {
    if (err instanceof WireError) return { error: "WireError" };
    throw err;
  }
}

/** Checks both decoders against the reference on `b`; returns whether the UserMessage one accepted it. */
function sameDecoding(b: Uint8Array): { user: boolean; host: boolean } {
  const u = outcome(decodeUserMessage, b);
  expect(u).toEqual(outcome(referenceDecodeUserMessage, b));
  const h = outcome(decodeHostMessage, b);
  expect(h).toEqual(outcome(referenceDecodeHostMessage, b));
  for (const r of [u, h]) {
    if (!("ok" in r)) continue;
    for (const e of r.ok) {
      const bytes = e.kind === "keys" ? e.keys : e.kind === "hostbytes" ? e.bytes : null;
      if (bytes !== null) expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    }
  }
  return { user: "ok" in u, host: "ok" in h };
}

// ---- Arbitraries ----

const int32 = fc.oneof(
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  fc.constantFrom(0, 1, -1, 127, 128, 16383, 16384, 0x7fffffff, -0x80000000),
);
const someBytes = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 8 },
  { arbitrary: fc.uint8Array({ minLength: 100, maxLength: 20_000 }), weight: 1 },
);

const userEvent: fc.Arbitrary<UserEvent> = fc.oneof(
  { arbitrary: someBytes.map((keys) => ({ kind: "keys" as const, keys })), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("resize" as const), cols: int32, rows: int32 }), weight: 1 },
);

const hostOp: fc.Arbitrary<HostOp> = fc.oneof(
  fc.record({ kind: fc.constant("echoack" as const), num: uint64 }),
  fc.record({ kind: fc.constant("resize" as const), cols: int32, rows: int32 }),
  someBytes.map((bytes) => ({ kind: "hostbytes" as const, bytes })),
);

/** Usually length-delimited. */
const wireType = fc.oneof({ arbitrary: fc.constant(2), weight: 15 }, { arbitrary: anyWireType, weight: 1 });
/** One field numbered `no`, of wire type `wt`, with `body` as its payload. */
function fieldOf(
  no: fc.Arbitrary<number>,
  wt: fc.Arbitrary<number>,
  body: fc.Arbitrary<Uint8Array>,
): fc.Arbitrary<Uint8Array> {
  return fc.tuple(no, wt, pad).chain(([n, w, p]) => value(w, n, body).map((v) => concat(tag(n, w, p), v)));
}

/** Fields of no known meaning, nested `depth` levels. */
function unknownFields(depth: number): fc.Arbitrary<Uint8Array> {
  const body =
    depth > 0
      ? fc.oneof(fc.uint8Array({ maxLength: 12 }), unknownFields(depth - 1))
      : fc.uint8Array({ maxLength: 12 });
  return fc.array(fieldOf(anyFieldNo, anyWireType, body), { maxLength: 3 }).map((fs) => concat(...fs));
}

const varintValue = (v: fc.Arbitrary<bigint>): fc.Arbitrary<Uint8Array> =>
  fc.tuple(v, pad).map(([x, p]) => varint(x, p));
const int32Varint = varintValue(int32.map((v) => BigInt.asUintN(64, BigInt(v))));

/** The fields of extension message `no` (HostBytes/Keystroke 2, ResizeMessage 3, EchoAck 7). */
function extensionBody(no: number): fc.Arbitrary<Uint8Array> {
  const known: fc.Arbitrary<Uint8Array>[] = [];
  if (no === 2) known.push(value(2, 4, fc.uint8Array({ maxLength: 20 })).map((v) => concat(tag(4, 2), v)));
  if (no === 3) {
    known.push(int32Varint.map((v) => concat(tag(5, 0), v)));
    known.push(int32Varint.map((v) => concat(tag(6, 0), v)));
  }
  if (no === 7) known.push(varintValue(uint64).map((v) => concat(tag(8, 0), v)));
  const field = fc.oneof(
    { arbitrary: fc.oneof(...known), weight: 6 },
    {
      arbitrary: fieldOf(fc.constantFrom(4, 5, 6, 8), anyWireType, fc.uint8Array({ maxLength: 12 })),
      weight: 1,
    },
    { arbitrary: unknownFields(1), weight: 1 },
  );
  return fc.array(field, { maxLength: 4 }).map((fs) => concat(...fs));
}

const extensionField = fc
  .constantFrom(2, 3, 7, 2, 3, 7, 4, 100)
  .chain((no) =>
    fieldOf(
      fc.constant(no),
      wireType,
      no === 2 || no === 3 || no === 7 ? extensionBody(no) : fc.uint8Array({ maxLength: 12 }),
    ),
  );

const instructionBody = fc
  .array(fc.oneof({ arbitrary: extensionField, weight: 5 }, { arbitrary: unknownFields(1), weight: 1 }), {
    maxLength: 4,
  })
  .map((fs) => concat(...fs));

/** A UserMessage / HostMessage with odd but often valid structure. */
const diffMessage = fc
  .array(
    fc.oneof(
      { arbitrary: fieldOf(fc.constant(1), wireType, instructionBody), weight: 6 },
      { arbitrary: unknownFields(2), weight: 1 },
    ),
    { maxLength: 5 },
  )
  .map((fs) => concat(...fs));

// ---- Tests ----

describe("encoders write the generated code's bytes", () => {
  it("encodeUserMessage", () => {
    fc.assert(
      fc.property(fc.array(userEvent, { maxLength: 8 }), (events) => {
        expect(toHex(encodeUserMessage(events))).toBe(toHex(referenceEncodeUserMessage(events)));
      }),
      { seed: 11, numRuns: 1000 },
    );
  });

  it("encodeHostMessage", () => {
    fc.assert(
      fc.property(fc.array(hostOp, { maxLength: 6 }), (ops) => {
        expect(toHex(encodeHostMessage(ops))).toBe(toHex(referenceEncodeHostMessage(ops)));
      }),
      { seed: 12, numRuns: 1000 },
    );
  });

  it("refuse what the generated code's wrappers refuse, with RangeError", () => {
    const badSizes = [2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY];
    for (const cols of badSizes) {
      for (const [a, b] of [
        [cols, 1],
        [1, cols],
      ]) {
        const ev: UserEvent[] = [
          { kind: "keys", keys: Uint8Array.of(1) },
          { kind: "resize", cols: a, rows: b },
        ];
        expect(() => encodeUserMessage(ev)).toThrow(RangeError);
        expect(() => referenceEncodeUserMessage(ev)).toThrow(RangeError);
        const op: HostOp[] = [{ kind: "resize", cols: a, rows: b }];
        expect(() => encodeHostMessage(op)).toThrow(RangeError);
        expect(() => referenceEncodeHostMessage(op)).toThrow(RangeError);
      }
    }
    for (const num of [-1n, 1n << 64n]) {
      expect(() => encodeHostMessage([{ kind: "echoack", num }])).toThrow(RangeError);
      expect(() => referenceEncodeHostMessage([{ kind: "echoack", num }])).toThrow(RangeError);
    }
  });
});

describe("decoders accept, reject and return what the generated code does", () => {
  it("valid encodings of random events and operations", () => {
    fc.assert(
      fc.property(
        fc.array(userEvent, { maxLength: 8 }),
        fc.array(hostOp, { maxLength: 6 }),
        (events, ops) => {
          const u = referenceEncodeUserMessage(events);
          const h = referenceEncodeHostMessage(ops);
          expect(sameDecoding(u).user).toBe(true);
          expect(sameDecoding(h).host).toBe(true);
          expect(decodeHostMessage(h).map((o) => o.kind)).toEqual(ops.map((o) => o.kind));
        },
      ),
      { seed: 21, numRuns: 500 },
    );
  });

  it("random structures: unknown fields and extensions, odd wire types, padded varints, groups", () => {
    let accepted = 0;
    let runs = 0;
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(diffMessage, (b) => {
        runs++;
        if (!sameDecoding(b).host) return;
        accepted++;
        for (const op of decodeHostMessage(b)) kinds.set(op.kind, (kinds.get(op.kind) ?? 0) + 1);
      }),
      { seed: 22, numRuns: 3000 },
    );
    // The generator must exercise both sides of the decision, and every kind of operation.
    expect(accepted).toBeGreaterThan(runs * 0.2);
    expect(accepted).toBeLessThan(runs * 0.9);
    for (const kind of ["echoack", "resize", "hostbytes"]) expect(kinds.get(kind) ?? 0).toBeGreaterThan(50);
  });

  it("mutated structures and mutated valid encodings", () => {
    const valid = fc.oneof(
      fc.array(userEvent, { maxLength: 4 }).map(referenceEncodeUserMessage),
      fc.array(hostOp, { maxLength: 4 }).map(referenceEncodeHostMessage),
    );
    fc.assert(
      fc.property(mutated(fc.oneof(diffMessage, valid)), (b) => {
        sameDecoding(b);
      }),
      { seed: 23, numRuns: 3000 },
    );
  });

  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        sameDecoding(b);
      }),
      { seed: 24, numRuns: 3000 },
    );
  });

  it("edge cases of protobuf-es's reader", () => {
    const cases = [
      "", // empty
      "0a021200", // hostbytes / keystroke without its field: empty bytes
      "0a021a00", // resize without fields: 0 × 0
      "0a023a00", // echo ack without its field: 0
      "0a021000", // extension 2 as a varint 0: an empty message
      "0a0412020000", // a field number 0 inside the extension
      "0a011001", // an Instruction whose last field runs past its end
      "0a0112022201", // …and a bytes field past the end of its kept value
      "0800", // field 1 as a varint: still read as a length
      "0c0100", // field 1 with wire type 4
      "1400", // a stray end group
      "0b0c", // field 1 with wire type 3: length 12 then EOF
      "130a0014", // a group holding a field 1
      "13ff8080808080808080800114", // an 11-byte varint skipped in a group
      "08ffffffff0f", // a 5-byte length
      "0affffffff1f", // a 5-byte length with more than 32 bits
      "0a0b3a094080808080808080808001", // echo ack with an 11-byte varint
      "0a0c3a0a40ffffffffffffffffff7f", // echo ack with bits past 64
      "0a0c1a0a28ffffffffffffffffff7f", // width with bits past 64
      "0a0d1a0b28ffffffffff8080808000", // width as a padded 10-byte varint
      "0a073a05408080808010", // 5-byte echo ack
      "0a061a04280a2814", // width twice: the last wins
      "0a0812022201611202", // keys twice: the second has no field 4 and keeps the first
      "0a0812022201611a00", // keys and resize: keys win
      "0a041a003a00", // resize and echoack: resize wins
      "0a0e1202220161" + "1a04280a3014" + "3a00", // all three
      "8a8080808000021a00", // tag as a padded 5-byte varint
      "8a808080800002", // …then a short Instruction
      "8a80808010021a00", // tag with bits past 32
      "0a02fa01", // extension 31
      "0a0382010a", // extension 16 in an Instruction
      "0a05fb01fc0100", // a group field 31 in an Instruction
      "0a043a024005" + "15aabbccdd" + "19" + "0102030405060708", // fixed32/fixed64 unknowns
      "0a043a024005" + "15aabbcc", // truncated fixed32
      "0a063a0415000000", // extension 7 as fixed32: its bytes read as a length and fields
    ];
    for (const c of cases) {
      const b = hex(c);
      const u = outcome(decodeUserMessage, b);
      const h = outcome(decodeHostMessage, b);
      expect(u, c).toEqual(outcome(referenceDecodeUserMessage, b));
      expect(h, c).toEqual(outcome(referenceDecodeHostMessage, b));
    }
  });

  it("group nesting limits at each level (100, as protobuf-es)", () => {
    const nested = (fieldNo: number, depth: number): Uint8Array =>
      concat(
        ...Array.from({ length: depth }, () => tag(fieldNo, 3)),
        ...Array.from({ length: depth }, () => tag(fieldNo, 4)),
      );
    const decisions: boolean[] = [];
    for (const depth of [97, 98, 99, 100, 101]) {
      const g = nested(5, depth);
      const inInstruction = concat(tag(1, 2), varint(BigInt(g.length)), g);
      const ext = concat(tag(2, 2), varint(BigInt(g.length)), g); // the groups as fields of a HostBytes
      const inExtension = concat(tag(1, 2), varint(BigInt(ext.length)), ext);
      for (const b of [g, inInstruction, inExtension]) decisions.push(sameDecoding(b).host);
    }
    expect(decisions).toContain(true);
    expect(decisions).toContain(false);
  });

  it("returns views of the input, never Buffers, for Buffer input too", () => {
    const bytes = referenceEncodeHostMessage([{ kind: "hostbytes", bytes: Uint8Array.of(1, 2, 3) }]);
    const buf = Buffer.concat([Buffer.from([9, 9]), Buffer.from(bytes)]).subarray(2);
    const [op] = decodeHostMessage(buf);
    expect(op.kind === "hostbytes" && Object.getPrototypeOf(op.bytes) === Uint8Array.prototype).toBe(true);
    expect(op.kind === "hostbytes" && [...op.bytes]).toEqual([1, 2, 3]);
    expect(op.kind === "hostbytes" && op.bytes.buffer).toBe(buf.buffer);
  });
});
