// The transport instruction: protobuf TransportBuffers.Instruction, zlib-compressed (§4.2, §5.1).
import { randomBytes } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { InstructionSchema } from "./gen/transportinstruction_pb.js";
import { WireError } from "./wire-error.js";

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

/** The receiver's inflate limit: 2048 × 2048 bytes, as mosh's. */
const MAX_INFLATED = 4 * 1024 * 1024;
const UINT32_MAX = 0xffffffff;
const UINT64_MAX = 0xffffffffffffffffn;

/** A plain Uint8Array view of the same bytes (no copy), so results never surface as Buffers. */
function view(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function checkUint64(name: string, v: bigint): void {
  if (v < 0n || v > UINT64_MAX) throw new RangeError(`${name} must be an unsigned 64-bit number`);
}

/**
 * Serialises `i` as real mosh does (all seven fields, in field-number order, empty `diff` and
 * `chaff` included as zero-length fields) and compresses it with zlib (header `78 9C`).
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
  // Every field is assigned explicitly, so proto2 presence marks it set and toBinary writes it,
  // zero values and empty bytes included.
  const msg = create(InstructionSchema, {
    protocolVersion: i.protocolVersion,
    oldNum: i.oldNum,
    newNum: i.newNum,
    ackNum: i.ackNum,
    throwawayNum: i.throwawayNum,
    diff: i.diff,
    chaff: i.chaff,
  });
  return view(deflateSync(toBinary(InstructionSchema, msg)));
}

/**
 * Inflates (at most 4 MiB) and parses an instruction. Missing fields read as 0 / empty; the
 * protocol version is returned, not checked.
 * @throws WireError on any failure (bad zlib data, too large, malformed protobuf).
 */
export function decodeInstruction(compressed: Uint8Array): Instruction {
  let m: ReturnType<typeof fromBinary<typeof InstructionSchema>>;
  try {
    const raw = inflateSync(compressed, { maxOutputLength: MAX_INFLATED });
    m = fromBinary(InstructionSchema, view(raw), { readUnknownFields: false });
  } catch (err) {
    throw new WireError(`Illegal counterparty input: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    protocolVersion: m.protocolVersion,
    oldNum: m.oldNum,
    newNum: m.newNum,
    ackNum: m.ackNum,
    throwawayNum: m.throwawayNum,
    diff: m.diff,
    chaff: m.chaff,
  };
}

/**
 * Random padding as mosh makes it: a length of `random_byte % 17` (0..16), then that many
 * random bytes. `random` defaults to the system CSPRNG; pass a seeded source in tests.
 */
export function makeChaff(random: (n: number) => Uint8Array = randomBytes): Uint8Array {
  const len = random(1)[0] % 17;
  return Uint8Array.from(random(len));
}
