// Test fixture: hand-built protobuf bytes and fast-check generators of odd wire structures, shared by the codec reference tests.
import fc from "fast-check";

/** Bytes from hex text (whitespace ignored). */
export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

/** The parts, one after another, in one new array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** The varint of `v` (≥ 0), padded with `pad` extra zero-payload bytes (a non-canonical encoding). */
export function varint(v: bigint, pad = 0): Uint8Array {
  const out: number[] = [];
  do {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  } while (v > 0n);
  for (let i = 0; i < pad; i++) out.push(0x80);
  out[out.length - 1] &= 0x7f;
  if (pad > 0) out[out.length - 1] = 0;
  return Uint8Array.from(out);
}

/** The tag of field `no` with wire type `wt`, its varint padded by `pad` bytes. */
export const tag = (no: number, wt: number, pad = 0): Uint8Array =>
  varint((BigInt(no) << 3n) | BigInt(wt), pad);

/** uint64 values, edge cases included. */
export const uint64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: 300n }),
  fc.constantFrom(0n, 127n, 128n, (1n << 53n) - 1n, 1n << 53n, (1n << 63n) - 1n, (1n << 64n) - 1n),
);

/** Usually 0, sometimes a few padding bytes (up to 11: past protobuf's 10-byte varint limit). */
export const pad = fc.oneof(
  { arbitrary: fc.constant(0), weight: 30 },
  { arbitrary: fc.nat({ max: 11 }), weight: 1 },
);
/** Usually the true length, sometimes off by a little. */
const lengthDelta = fc.oneof(
  { arbitrary: fc.constant(0), weight: 30 },
  { arbitrary: fc.integer({ min: -3, max: 3 }), weight: 1 },
);
/** `n` random bytes, now and then one fewer. */
const fixed = (n: number): fc.Arbitrary<Uint8Array> =>
  fc
    .oneof({ arbitrary: fc.constant(n), weight: 10 }, { arbitrary: fc.constant(n - 1), weight: 1 })
    .chain((len) => fc.uint8Array({ minLength: len, maxLength: len }));
/** Any wire type, rarely an invalid one (4: a stray end group; 6, 7: undefined). */
export const anyWireType = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1, 2, 3, 5), weight: 10 },
  { arbitrary: fc.constantFrom(4, 6, 7), weight: 1 },
);
/** Field numbers: small, large, and rarely the invalid 0. */
export const anyFieldNo = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 20 }), weight: 10 },
  { arbitrary: fc.integer({ min: 1, max: (1 << 29) - 1 }), weight: 10 },
  { arbitrary: fc.constant(0), weight: 1 },
);

/** Fields of wire types 0, 1, 2 and 5 (a group's contents); `flatBody` gives their payloads. */
function flatFields(flatBody: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .array(
      fc
        .tuple(anyFieldNo, fc.constantFrom(0, 1, 2, 5))
        .chain(([n, w]) => value(w, n, flatBody, flatBody).map((v) => concat(tag(n, w), v))),
      { maxLength: 3 },
    )
    .map((fs) => concat(...fs));
}

/**
 * A value of wire type `wt` for field `no`: padded varints, fixed-size values now and then a
 * byte short, a length-delimited `body` whose length is sometimes a little off, or a group of
 * fields (with payloads from `flatBody`) that usually ends with its own field number.
 */
export function value(
  wt: number,
  no: number,
  body: fc.Arbitrary<Uint8Array>,
  flatBody: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 8 }),
): fc.Arbitrary<Uint8Array> {
  switch (wt) {
    case 0:
      return fc.tuple(fc.bigInt({ min: 0n, max: (1n << 70n) - 1n }), pad).map(([v, p]) => varint(v, p));
    case 1:
      return fixed(8);
    case 5:
      return fixed(4);
    case 2:
      return fc
        .tuple(body, lengthDelta, pad)
        .map(([b, d, p]) => concat(varint(BigInt(Math.max(0, b.length + d)), p), b));
    case 3:
      return fc
        .tuple(
          flatFields(flatBody),
          fc.oneof({ arbitrary: fc.constant(no), weight: 10 }, { arbitrary: anyFieldNo, weight: 1 }),
        )
        .map(([b, end]) => concat(b, tag(end, 4)));
    default:
      return fc.constant(new Uint8Array(0));
  }
}

/** A valid encoding with some bytes overwritten, some bytes cut or some bytes appended. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.nat(),
      fc.uint8Array({ maxLength: 8 }),
    )
    .map(([v, edits, cut, tail]) => {
      const b = Uint8Array.from(v);
      for (const [at, x] of edits) if (b.length > 0) b[at % b.length] = x;
      return concat(b.subarray(0, b.length - (cut % (b.length + 1))), tail);
    });
}
