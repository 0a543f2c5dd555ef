// The transport instruction: protobuf TransportBuffers.Instruction, zlib-compressed (docs/mosh-protocol.md §4.2, §5.1).
//
// Hand-written protobuf: the inputs accepted and the fields returned are exactly those of the
// @bufbuild/protobuf code generated from ./proto/transportinstruction.proto (kept, with
// ./instruction-reference.ts, as the reference the tests compare against).
import { randomFillSync } from "node:crypto";
import { ProtoReader } from "./proto-reader.js";
import { putUint64, putVarint, uint64Size, varintSize } from "./proto-writer.js";
import { WireError } from "./wire-error.js";
import { deflateDatagram, inflateDatagram } from "./zlib-context.js";

/** The only protocol version mosh 1.4.0 speaks. */
export const PROTOCOL_VERSION = 2;
/** `new_num` of a shutdown (2^64−1, "-1"). */
export const SHUTDOWN_NUM = 0xffffffffffffffffn;

/** One state-synchronisation instruction: a diff from state `oldNum` to state `newNum`, plus acks. */
export interface Instruction {
  /** Must be {@link PROTOCOL_VERSION}; the receiver checks it. */
  protocolVersion: number;
  /** Number of the sender's state the diff starts from. */
  oldNum: bigint;
  /** Number of the state the diff produces ({@link SHUTDOWN_NUM} = shutdown). */
  newNum: bigint;
  /** Newest peer state this sender has received. */
  ackNum: bigint;
  /** The peer may drop its copies of states numbered below this. */
  throwawayNum: bigint;
  /** Serialised UserMessage or HostMessage; empty = no change. */
  diff: Uint8Array;
  /** Random padding (see {@link makeChaff}). */
  chaff: Uint8Array;
}

const UINT32_MAX = 0xffffffff;
const UINT64_MAX = 0xffffffffffffffffn;

function checkUint64(name: string, v: bigint): void {
  if (v < 0n || v > UINT64_MAX) throw new RangeError(`${name} must be an unsigned 64-bit number`);
}

/** Scratch space for the serialised protobuf (it is compressed at once, so one buffer serves every call). */
let scratch = new Uint8Array(2048);

/**
 * Serialises `i` as real mosh does (all seven fields, in field-number order, empty `diff` and
 * `chaff` included as zero-length fields) and compresses it with zlib (header `78 9C`).
 * The bytes are those protobuf's own encoder writes for the seven set fields; the zlib context
 * is reused between calls (see ./zlib-context.ts).
 * @throws RangeError if a number is out of its field's range.
 */
export function encodeInstruction(i: Instruction): Uint8Array {
  if (!Number.isInteger(i.protocolVersion) || i.protocolVersion < 0 || i.protocolVersion > UINT32_MAX) {
    throw new RangeError("protocolVersion must be an unsigned 32-bit number");
  }
  checkUint64("oldNum", i.oldNum);
  checkUint64("newNum", i.newNum);
  checkUint64("ackNum", i.ackNum);
  checkUint64("throwawayNum", i.throwawayNum);
  const { diff, chaff } = i;
  const size =
    5 +
    varintSize(i.protocolVersion) +
    uint64Size(i.oldNum) +
    uint64Size(i.newNum) +
    uint64Size(i.ackNum) +
    uint64Size(i.throwawayNum) +
    2 +
    varintSize(diff.length) +
    diff.length +
    varintSize(chaff.length) +
    chaff.length;
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  const buf = scratch;
  let pos = 0;
  // Field tags: (field number << 3) | wire type (0 = varint, 2 = length-delimited).
  buf[pos++] = 0x08;
  pos = putVarint(buf, pos, i.protocolVersion);
  buf[pos++] = 0x10;
  pos = putUint64(buf, pos, i.oldNum);
  buf[pos++] = 0x18;
  pos = putUint64(buf, pos, i.newNum);
  buf[pos++] = 0x20;
  pos = putUint64(buf, pos, i.ackNum);
  buf[pos++] = 0x28;
  pos = putUint64(buf, pos, i.throwawayNum);
  buf[pos++] = 0x32;
  pos = putVarint(buf, pos, diff.length);
  buf.set(diff, pos);
  pos += diff.length;
  buf[pos++] = 0x3a;
  pos = putVarint(buf, pos, chaff.length);
  buf.set(chaff, pos);
  pos += chaff.length;
  return deflateDatagram(buf.subarray(0, pos));
}

/**
 * Inflates (at most 4 MiB) and parses an instruction (see {@link parseInstruction}).
 * Missing fields read as 0 / empty; the protocol version is returned, not checked.
 * @throws WireError on any failure (bad zlib data, too large, malformed protobuf).
 */
export function decodeInstruction(compressed: Uint8Array): Instruction {
  let raw: Uint8Array;
  try {
    raw = inflateDatagram(compressed);
  } catch (err) {
    throw asWireError(err);
  }
  return parseInstruction(raw);
}

// Field numbers of TransportBuffers.Instruction.
const F_PROTOCOL_VERSION = 1;
const F_OLD_NUM = 2;
const F_NEW_NUM = 3;
const F_ACK_NUM = 4;
const F_THROWAWAY_NUM = 5;
const F_DIFF = 6;
const F_CHAFF = 7;

/** protobuf-es's group nesting budget (100) left for unknown fields of a top-level message. */
const LIMIT_MESSAGE = 99;

const reader = new ProtoReader();
const EMPTY = new Uint8Array(0);

/** A plain Uint8Array view of `b[start, start + len)` (no copy), never a Buffer; a fresh empty array if `start` < 0. */
function view(b: Uint8Array, start: number, len: number): Uint8Array {
  return start < 0 ? new Uint8Array(0) : new Uint8Array(b.buffer, b.byteOffset + start, len);
}

/**
 * Parses an uncompressed TransportBuffers.Instruction, accepting exactly what the generated
 * protobuf-es decoder (`fromBinary(InstructionSchema, b)`) accepts: missing fields read as
 * 0 / empty, the last occurrence of a field wins, unknown fields are skipped, and a known
 * field is read as its declared type whatever wire type its tag says (as protobuf-es does).
 * `diff` and `chaff` are views of `b` (no copy), plain Uint8Arrays even if `b` is a Buffer.
 * @throws WireError on malformed protobuf.
 */
export function parseInstruction(b: Uint8Array): Instruction {
  const r = reader;
  r.reset(b, 0, b.length);
  let protocolVersion = 0;
  let oldNum = 0n;
  let newNum = 0n;
  let ackNum = 0n;
  let throwawayNum = 0n;
  let diffStart = -1;
  let diffLen = 0;
  let chaffStart = -1;
  let chaffLen = 0;
  try {
    const lim = r.lim;
    while (r.pos < lim) {
      const t = r.tag();
      switch (t >>> 3) {
        case F_PROTOCOL_VERSION:
          protocolVersion = r.uint32();
          break;
        case F_OLD_NUM:
          oldNum = r.uint64();
          break;
        case F_NEW_NUM:
          newNum = r.uint64();
          break;
        case F_ACK_NUM:
          ackNum = r.uint64();
          break;
        case F_THROWAWAY_NUM:
          throwawayNum = r.uint64();
          break;
        case F_DIFF:
          diffStart = r.bytes();
          diffLen = r.pos - diffStart;
          break;
        case F_CHAFF:
          chaffStart = r.bytes();
          chaffLen = r.pos - chaffStart;
          break;
        default:
          r.skip(t & 7, t >>> 3, LIMIT_MESSAGE);
      }
    }
  } catch (err) {
    throw asWireError(err);
  } finally {
    r.reset(EMPTY, 0, 0);
  }
  return {
    protocolVersion,
    oldNum,
    newNum,
    ackNum,
    throwawayNum,
    diff: view(b, diffStart, diffLen),
    chaff: view(b, chaffStart, chaffLen),
  };
}

/** Any failure as mosh's "Illegal counterparty input" WireError (the reader's own are already). */
function asWireError(err: unknown): WireError {
  if (err instanceof WireError) return err;
  return new WireError(`Illegal counterparty input: ${err instanceof Error ? err.message : String(err)}`);
}

/** Pool of random bytes for chaff (padding needs no secrecy, but the system CSPRNG is cheap per 4 KiB, not per byte). */
const pool = new Uint8Array(4096);
let poolPos = pool.length;

function poolBytes(n: number): Uint8Array {
  if (poolPos + n > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const out = pool.slice(poolPos, poolPos + n);
  poolPos += n;
  return out;
}

/**
 * Random padding as mosh makes it: a length of `random_byte % 17` (0..16), then that many
 * random bytes. `random` defaults to the system CSPRNG (drawn from a pooled buffer); pass a
 * seeded source in tests.
 */
export function makeChaff(random?: (n: number) => Uint8Array): Uint8Array {
  if (random === undefined) return poolBytes(poolBytes(1)[0] % 17);
  const len = random(1)[0] % 17;
  return Uint8Array.from(random(len));
}
