// Protobuf varint sizing and writing for the hand-written message encoders (lengths, int32, uint64).

/** Largest number written with plain arithmetic (2^53 − 1). */
const SAFE = 0x1fffffffffffffn;

/** Bytes of the varint encoding of `v` (0 ≤ v < 2^53). */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes the varint `v` (0 ≤ v < 2^53) at `pos`; returns the position after it. */
export function putVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** Bytes of an int32 field value as protobuf writes it (a negative number takes 10 bytes). */
export function int32Size(v: number): number {
  return v < 0 ? 10 : varintSize(v);
}

/** Writes the int32 `v` as protobuf does (a negative number sign-extended to 64 bits); returns the position after it. */
export function putInt32(buf: Uint8Array, pos: number, v: number): number {
  if (v >= 0) return putVarint(buf, pos, v);
  const lo = v >>> 0;
  buf[pos++] = (lo & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 7) & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 14) & 0x7f) | 0x80;
  buf[pos++] = ((lo >>> 21) & 0x7f) | 0x80;
  buf[pos++] = (lo >>> 28) | 0xf0; // the top 4 bits of lo, then three 1 bits of the high word
  buf[pos++] = 0xff;
  buf[pos++] = 0xff;
  buf[pos++] = 0xff;
  buf[pos++] = 0xff;
  buf[pos++] = 0x01;
  return pos;
}

/** Bytes of the varint encoding of `v` (0 ≤ v < 2^64). */
export function uint64Size(v: bigint): number {
  if (v <= SAFE) return varintSize(Number(v));
  let n = 1;
  for (let x = v >> 7n; x > 0n; x >>= 7n) n++;
  return n;
}

/** Writes the varint `v` (0 ≤ v < 2^64) at `pos`; returns the position after it. */
export function putUint64(buf: Uint8Array, pos: number, v: bigint): number {
  if (v <= SAFE) return putVarint(buf, pos, Number(v));
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}
