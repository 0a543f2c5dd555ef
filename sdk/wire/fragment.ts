// Fragments of a compressed instruction: the 10-byte header codec, splitting, and reassembly.
import { FRAGMENT_HEADER } from "./mtu.js";
import { WireError } from "./wire-error.js";

/** One slice of a compressed instruction, as carried by one datagram. */
export interface Fragment {
  /** Instruction id (uint64), the same for every fragment of one instruction. */
  id: bigint;
  /** Fragment number within the instruction, 0..32767. */
  num: number;
  /** True on the last fragment of the instruction. */
  final: boolean;
  /** This fragment's slice of the compressed instruction. */
  contents: Uint8Array;
}

/** The largest number of fragments one instruction may have (a 15-bit fragment number). */
const MAX_FRAGMENTS = 0x8000 - 1;
const FINAL_BIT = 0x8000;
const UINT64_MAX = 0xffffffffffffffffn;

/** A plain Uint8Array view of the same bytes (no copy), so results never surface as Buffers. */
function view(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Encodes `id (8, BE) || final-bit + num (2, BE) || contents`. */
export function encodeFragment(f: Fragment): Uint8Array {
  if (f.id < 0n || f.id > UINT64_MAX) throw new RangeError("fragment id must be an unsigned 64-bit number");
  if (!Number.isInteger(f.num) || f.num < 0 || f.num > MAX_FRAGMENTS) {
    throw new RangeError("fragment number must be in 0..32767");
  }
  const out = Buffer.allocUnsafe(FRAGMENT_HEADER + f.contents.length);
  out.writeBigUInt64BE(f.id, 0);
  out.writeUInt16BE((f.final ? FINAL_BIT : 0) | f.num, 8);
  out.set(f.contents, FRAGMENT_HEADER);
  return view(out);
}

/**
 * Decodes a fragment. `contents` is a view into `b` (not a copy).
 * @throws WireError if `b` is shorter than the 10-byte header.
 */
export function decodeFragment(b: Uint8Array): Fragment {
  if (b.length < FRAGMENT_HEADER) throw new WireError("Fragment shorter than its header");
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const word = dv.getUint16(8);
  return {
    id: dv.getBigUint64(0),
    num: word & ~FINAL_BIT,
    final: (word & FINAL_BIT) !== 0,
    contents: view(b.subarray(FRAGMENT_HEADER)),
  };
}

/**
 * Cuts compressed instructions into fragments. Every call uses a new instruction id (the first
 * is 1, as in mosh), so an id is never reused for different bytes.
 */
export class Fragmenter {
  #nextId: bigint;

  /** @param firstId id of the first instruction (default 1). */
  constructor(firstId = 1n) {
    this.#nextId = firstId;
  }

  /** The id the next call to {@link Fragmenter.fragment} will use. */
  get nextId(): bigint {
    return this.#nextId;
  }

  /**
   * Splits `payload` into consecutive slices of at most `maxContents` bytes, numbered from 0,
   * the last one final. An empty payload gives one empty final fragment. The contents are views
   * into `payload`: do not change it while the fragments are in use.
   * @throws RangeError if `maxContents` < 1 or more than 32767 fragments would be needed.
   */
  fragment(payload: Uint8Array, maxContents: number): Fragment[] {
    if (!Number.isInteger(maxContents) || maxContents < 1) {
      throw new RangeError("maxContents must be a positive integer");
    }
    const count = Math.max(1, Math.ceil(payload.length / maxContents));
    if (count > MAX_FRAGMENTS) throw new RangeError("Too many fragments");
    const id = this.#nextId;
    this.#nextId = id === UINT64_MAX ? 0n : id + 1n;
    const out: Fragment[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const start = i * maxContents;
      out[i] = {
        id,
        num: i,
        final: i === count - 1,
        contents: payload.subarray(start, Math.min(start + maxContents, payload.length)),
      };
    }
    return out;
  }
}

/**
 * Reassembles one instruction at a time, as mosh's receiver does: a fragment with a new id
 * discards any partial assembly; duplicates are ignored; fragments may arrive in any order.
 * After an instruction completes, later fragments of the same id start a fresh assembly (so a
 * duplicated one-fragment instruction is delivered again, as in mosh; the transport ignores it).
 * Fragments inconsistent with the final fragment already seen are ignored (mosh would abort).
 */
export class FragmentAssembly {
  #id: bigint | null = null;
  #parts: (Uint8Array | undefined)[] = [];
  #arrived = 0;
  /** Number of fragments of the current id, or -1 until its final fragment arrives. */
  #total = -1;

  /** Adds a fragment; returns the whole payload when fragments 0..k are present and k is final, else null. */
  add(f: Fragment): Uint8Array | null {
    if (f.id !== this.#id) {
      this.#id = f.id;
      this.#reset();
    }
    if (this.#total >= 0 && (f.num >= this.#total || (f.final && f.num !== this.#total - 1))) {
      return null; // beyond, or disagreeing with, the final fragment already seen
    }
    if (f.final && this.#parts.length > f.num + 1) {
      return null; // a final fragment before fragments already seen
    }
    if (this.#parts[f.num] !== undefined) return null; // duplicate
    this.#parts[f.num] = f.contents;
    this.#arrived++;
    if (f.final) this.#total = f.num + 1;
    if (this.#arrived !== this.#total) return null;

    const parts = this.#parts as Uint8Array[];
    const whole = parts.length === 1 ? parts[0] : view(Buffer.concat(parts));
    this.#reset();
    return whole;
  }

  #reset(): void {
    this.#parts = [];
    this.#arrived = 0;
    this.#total = -1;
  }
}
