// A protobuf wire-format reader that accepts and rejects exactly what @bufbuild/protobuf's BinaryReader does.
import { WireError } from "./wire-error.js";

/** The error for input the reader refuses (mosh's "Illegal counterparty input"). */
function illegal(what: string): WireError {
  return new WireError(`Illegal counterparty input: ${what}`);
}

/**
 * Reads protobuf wire format from `buf[pos, lim)` with the rules of @bufbuild/protobuf 2's
 * `BinaryReader`, so that the hand-written decoders built on it accept and reject the same
 * inputs as the generated code: a byte at or past `lim` reads as 0 and the read then fails
 * ("premature EOF"); varints may run to 10 bytes (a 32-bit read keeps the low 32 bits);
 * a tag must fit in 32 bits and have a field number > 0 and a wire type ≤ 5; skipping a
 * varint has no length limit; groups nest at most `limit` deep. Nothing is allocated
 * while reading; every failure is a {@link WireError}.
 */
export class ProtoReader {
  /** The bytes read. */
  buf: Uint8Array = new Uint8Array(0);
  /** Read position (may pass `lim` only just before a read fails). */
  pos = 0;
  /** End of the readable bytes (the "buffer length" of protobuf-es). */
  lim = 0;

  /** Starts reading `buf[pos, lim)`. */
  reset(buf: Uint8Array, pos: number, lim: number): void {
    this.buf = buf;
    this.pos = pos;
    this.lim = lim;
  }

  /** The next byte (0 past the end; the position still advances). */
  private next(): number {
    const p = this.pos++;
    return p < this.lim ? this.buf[p] : 0;
  }

  /** Fails if a read went past the end. */
  private bounds(): void {
    if (this.pos > this.lim) throw illegal("premature EOF");
  }

  /** A varint as uint32 (protobuf-es `varint32read`): up to 10 bytes, bits past 32 dropped. */
  uint32(): number {
    let b = this.next();
    if ((b & 0x80) === 0) {
      this.bounds();
      return b;
    }
    let result = b & 0x7f;
    b = this.next();
    result |= (b & 0x7f) << 7;
    if ((b & 0x80) === 0) {
      this.bounds();
      return result;
    }
    b = this.next();
    result |= (b & 0x7f) << 14;
    if ((b & 0x80) === 0) {
      this.bounds();
      return result;
    }
    b = this.next();
    result |= (b & 0x7f) << 21;
    if ((b & 0x80) === 0) {
      this.bounds();
      return result;
    }
    b = this.next();
    result |= (b & 0x0f) << 28;
    for (let n = 5; (b & 0x80) !== 0 && n < 10; n++) b = this.next();
    if ((b & 0x80) !== 0) throw illegal("invalid varint");
    this.bounds();
    return result >>> 0;
  }

  /** An int32 field: {@link uint32} reinterpreted as signed. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A uint64 varint (protobuf-es `varint64read`): up to 10 bytes, bits past 64 dropped. */
  uint64(): bigint {
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      b = this.next();
      lo |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return this.done64(lo, hi);
    }
    b = this.next();
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x70) >> 4;
    if ((b & 0x80) === 0) return this.done64(lo, hi);
    for (let shift = 3; shift <= 31; shift += 7) {
      b = this.next();
      hi |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return this.done64(lo, hi);
    }
    throw illegal("invalid varint");
  }

  private done64(lo: number, hi: number): bigint {
    this.bounds();
    return hi === 0 ? BigInt(lo >>> 0) : (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  /**
   * A tag: returns `fieldNo * 8 + wireType` (take `>>> 3` and `& 7`).
   * @throws WireError if it does not fit in 32 bits, the field number is 0 or the wire type is 6 or 7.
   */
  tag(): number {
    const start = this.pos;
    const tag = this.uint32();
    const n = this.pos - start;
    if (n > 5 || (n === 5 && this.buf[this.pos - 1] > 0x0f)) {
      throw illegal("illegal tag: varint overflows uint32");
    }
    if (tag >>> 3 === 0 || (tag & 7) > 5)
      throw illegal(`illegal tag: field no ${tag >>> 3} wire type ${tag & 7}`);
    return tag;
  }

  /**
   * Skips a `bytes` value; returns its start (its length is `pos − start`).
   * @throws WireError if it runs past the end.
   */
  bytes(): number {
    const len = this.uint32();
    const start = this.pos;
    this.pos += len;
    this.bounds();
    return start;
  }

  /**
   * Skips the value of a field with wire type `wireType` (protobuf-es `BinaryReader.skip`).
   * A group must end with its own field number and may hold groups `limit − 1` deep.
   * @throws WireError on wire type 4 (a stray end group), a group too deep or misclosed, or a read past the end.
   */
  skip(wireType: number, fieldNo: number, limit: number): void {
    switch (wireType) {
      case 0:
        while ((this.next() & 0x80) !== 0) {
          // a varint of any length
        }
        break;
      case 1:
        this.pos += 8;
        break;
      case 5:
        this.pos += 4;
        break;
      case 2: {
        const len = this.uint32();
        this.pos += len;
        break;
      }
      case 3:
        if (limit <= 0) throw illegal("maximum recursion depth reached");
        for (;;) {
          const t = this.tag();
          if ((t & 7) === 4) {
            if (t >>> 3 !== fieldNo) throw illegal("invalid end group tag");
            break;
          }
          this.skip(t & 7, t >>> 3, limit - 1);
        }
        break;
      default:
        throw illegal(`cant skip wire type ${wireType}`);
    }
    this.bounds();
  }
}
