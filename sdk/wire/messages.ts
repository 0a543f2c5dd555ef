// The two diff payloads: ClientBuffers.UserMessage (keys, resizes) and HostBuffers.HostMessage (docs/mosh-protocol.md §5.2, §5.3).
//
// Hand-written protobuf: the bytes written and the inputs accepted are exactly those of the
// @bufbuild/protobuf code generated from ./proto (kept in ./messages-reference.ts as the
// reference the tests compare against), without its reflective extension handling.
import { ProtoReader } from "./proto-reader.js";
import { int32Size, putInt32, putUint64, putVarint, uint64Size, varintSize } from "./proto-writer.js";
import { WireError } from "./wire-error.js";

/** One client → server event: bytes typed by the user, or a window resize. */
export type UserEvent = { kind: "keys"; keys: Uint8Array } | { kind: "resize"; cols: number; rows: number };

/** One server → client operation: an echo ack, a resize, or terminal bytes for the client's emulator. */
export type HostOp =
  | { kind: "echoack"; num: bigint }
  | { kind: "resize"; cols: number; rows: number }
  | { kind: "hostbytes"; bytes: Uint8Array };

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT64_MAX = 0xffffffffffffffffn;

// Tags: (field number << 3) | wire type 2 (length-delimited) or 0 (varint).
const TAG_INSTRUCTION = 0x0a; // UserMessage / HostMessage.instruction = 1
const TAG_BYTES_EXT = 0x12; // Instruction.keystroke / hostbytes = 2
const TAG_RESIZE_EXT = 0x1a; // Instruction.resize = 3
const TAG_ECHOACK_EXT = 0x3a; // Instruction.echoack = 7
const TAG_BYTES = 0x22; // Keystroke.keys / HostBytes.hoststring = 4
const TAG_WIDTH = 0x28; // ResizeMessage.width = 5
const TAG_HEIGHT = 0x30; // ResizeMessage.height = 6
const TAG_ECHO_ACK_NUM = 0x40; // EchoAck.echo_ack_num = 8

// Field numbers the decoders look for.
const F_INSTRUCTION = 1;
const F_BYTES_EXT = 2;
const F_RESIZE_EXT = 3;
const F_ECHOACK_EXT = 7;
const F_BYTES = 4;
const F_WIDTH = 5;
const F_HEIGHT = 6;
const F_ECHO_ACK_NUM = 8;

// protobuf-es's group nesting budget (100) left at each level: a diff's own fields, an
// Instruction's fields, an extension message's fields (read afresh, as getExtension does).
const LIMIT_MESSAGE = 99;
const LIMIT_INSTRUCTION = 98;
const LIMIT_EXTENSION = 99;

function checkSize(cols: number, rows: number): void {
  if (
    !Number.isInteger(cols) ||
    cols < INT32_MIN ||
    cols > INT32_MAX ||
    !Number.isInteger(rows) ||
    rows < INT32_MIN ||
    rows > INT32_MAX
  ) {
    throw new RangeError("resize width and height must be 32-bit integers");
  }
}

/** Size of an embedded message of `inner` bytes after its one-byte tag. */
function field(inner: number): number {
  return 1 + varintSize(inner) + inner;
}

/** Bytes of a ResizeMessage's fields. */
function resizeInner(cols: number, rows: number): number {
  return 2 + int32Size(cols) + int32Size(rows);
}

/** Writes Instruction{resize: ResizeMessage{width, height}} as a diff's `instruction` field. */
function putResize(out: Uint8Array, pos: number, cols: number, rows: number): number {
  const inner = resizeInner(cols, rows);
  out[pos++] = TAG_INSTRUCTION;
  pos = putVarint(out, pos, field(inner));
  out[pos++] = TAG_RESIZE_EXT;
  pos = putVarint(out, pos, inner);
  out[pos++] = TAG_WIDTH;
  pos = putInt32(out, pos, cols);
  out[pos++] = TAG_HEIGHT;
  return putInt32(out, pos, rows);
}

/** Writes the header of Instruction{2: {4: <n bytes>}} (Keystroke or HostBytes); the bytes follow. */
function putBytesHeader(out: Uint8Array, pos: number, n: number): number {
  const inner = field(n);
  out[pos++] = TAG_INSTRUCTION;
  pos = putVarint(out, pos, field(inner));
  out[pos++] = TAG_BYTES_EXT;
  pos = putVarint(out, pos, inner);
  out[pos++] = TAG_BYTES;
  return putVarint(out, pos, n);
}

/**
 * Serialises user events as mosh's client does: consecutive keys are packed into one Keystroke,
 * and each resize is its own Instruction. Empty keys add nothing. `resize(80, 24)` alone gives
 * `0a 06 1a 04 28 50 30 18`.
 * @throws RangeError on a size that is not a 32-bit integer.
 */
export function encodeUserMessage(events: readonly UserEvent[]): Uint8Array {
  let total = 0;
  let run = 0; // key bytes since the last resize
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind === "keys") {
      run += e.keys.length;
      continue;
    }
    checkSize(e.cols, e.rows);
    if (run > 0) total += field(field(field(run)));
    run = 0;
    total += field(field(resizeInner(e.cols, e.rows)));
  }
  if (run > 0) total += field(field(field(run)));
  const out = new Uint8Array(total);
  let pos = 0;
  let from = 0; // first event of the current run of keys
  run = 0;
  for (let i = 0; i <= events.length; i++) {
    const e = i < events.length ? events[i] : null;
    if (e !== null && e.kind === "keys") {
      run += e.keys.length;
      continue;
    }
    if (run > 0) {
      pos = putBytesHeader(out, pos, run);
      for (let k = from; k < i; k++) {
        const keys = (events[k] as { keys: Uint8Array }).keys;
        out.set(keys, pos);
        pos += keys.length;
      }
      run = 0;
    }
    from = i + 1;
    if (e !== null) pos = putResize(out, pos, e.cols, e.rows);
  }
  return out;
}

/**
 * Serialises host operations, one Instruction each, in the given order (mosh's server sends
 * echoack, then resize, then hostbytes).
 * @throws RangeError on an echo ack outside 0..2^64−1 or a size that is not a 32-bit integer.
 */
export function encodeHostMessage(ops: readonly HostOp[]): Uint8Array {
  let total = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    switch (op.kind) {
      case "echoack":
        if (op.num < 0n || op.num > UINT64_MAX)
          throw new RangeError("echo ack must be an unsigned 64-bit number");
        total += field(field(1 + uint64Size(op.num)));
        break;
      case "resize":
        checkSize(op.cols, op.rows);
        total += field(field(resizeInner(op.cols, op.rows)));
        break;
      case "hostbytes":
        total += field(field(field(op.bytes.length)));
        break;
    }
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    switch (op.kind) {
      case "echoack": {
        const inner = 1 + uint64Size(op.num);
        out[pos++] = TAG_INSTRUCTION;
        pos = putVarint(out, pos, field(inner));
        out[pos++] = TAG_ECHOACK_EXT;
        pos = putVarint(out, pos, inner);
        out[pos++] = TAG_ECHO_ACK_NUM;
        pos = putUint64(out, pos, op.num);
        break;
      }
      case "resize":
        pos = putResize(out, pos, op.cols, op.rows);
        break;
      case "hostbytes":
        pos = putBytesHeader(out, pos, op.bytes.length);
        out.set(op.bytes, pos);
        pos += op.bytes.length;
        break;
    }
  }
  return out;
}

// ---- Decoding ----
//
// protobuf-es parses a diff as: for each tag, field 1 (whatever its wire type) is a varint
// length and an Instruction of that many bytes; any other field is skipped. An Instruction
// declares no fields, so every field in it is skipped and kept as an unknown field (the value
// bytes after the tag). getExtension(n) then reads each kept field numbered n, in order, as
// a varint length and the extension message's fields, merged into one message (the last
// value of a field wins). A message ends when the position reaches or passes its end; a read
// fails only when it passes the end of the buffer it reads (the whole diff, or one kept
// field's bytes for an extension). The code below follows those steps without building the
// objects.

const reader = new ProtoReader();

// The fields of the extension message last read by readExtension.
let bytesStart = -1; // start of the last `bytes` field 4 (−1: none)
let bytesLen = 0;
let width = 0;
let height = 0;
let echoAck = 0n;

/** Skips the fields of an Instruction up to `end`; returns which of the field numbers 0..31 occur (bit n = field n). */
function scanInstruction(r: ProtoReader, end: number): number {
  let seen = 0;
  while (r.pos < end) {
    const t = r.tag();
    const no = t >>> 3;
    r.skip(t & 7, no, LIMIT_INSTRUCTION);
    if (no < 32) seen |= 1 << no;
  }
  return seen;
}

// The Instruction last found by nextInstruction.
let instStart = 0;
let instEnd = 0;
let instSeen = 0; // bit n: it has a field numbered n

/**
 * Moves `r` (reading a whole diff) past the next Instruction that has a field among `wanted`
 * (bit n = field n), skipping all else; sets instStart, instEnd, instSeen. False at the end.
 */
function nextInstruction(r: ProtoReader, wanted: number): boolean {
  const lim = r.lim;
  while (r.pos < lim) {
    const t = r.tag();
    if (t >>> 3 !== F_INSTRUCTION) {
      r.skip(t & 7, t >>> 3, LIMIT_MESSAGE);
      continue;
    }
    const len = r.uint32();
    const start = r.pos;
    const seen = scanInstruction(r, start + len);
    if ((seen & wanted) !== 0) {
      instStart = start;
      instEnd = start + len;
      instSeen = seen;
      return true;
    }
  }
  return false;
}

/**
 * Reads every field numbered `no` of the Instruction last found by nextInstruction as
 * extension message `no`, merging them into bytesStart/bytesLen, width/height or echoAck.
 * `r` ends where it was (after the Instruction).
 */
function readExtension(r: ProtoReader, no: number): void {
  const end = instEnd;
  bytesStart = -1;
  bytesLen = 0;
  width = 0;
  height = 0;
  echoAck = 0n;
  const lim = r.lim;
  r.pos = instStart;
  while (r.pos < end) {
    const t = r.tag();
    const valueStart = r.pos;
    r.skip(t & 7, t >>> 3, LIMIT_INSTRUCTION);
    if (t >>> 3 !== no) continue;
    const valueEnd = r.pos;
    r.reset(r.buf, valueStart, valueEnd);
    const msgEnd = r.uint32() + r.pos;
    while (r.pos < msgEnd) {
      const ft = r.tag();
      const fno = ft >>> 3;
      if (no === F_BYTES_EXT && fno === F_BYTES) {
        bytesStart = r.bytes();
        bytesLen = r.pos - bytesStart;
      } else if (no === F_RESIZE_EXT && fno === F_WIDTH) {
        width = r.int32();
      } else if (no === F_RESIZE_EXT && fno === F_HEIGHT) {
        height = r.int32();
      } else if (no === F_ECHOACK_EXT && fno === F_ECHO_ACK_NUM) {
        echoAck = r.uint64();
      } else {
        r.skip(ft & 7, fno, LIMIT_EXTENSION);
      }
    }
    r.reset(r.buf, valueEnd, lim);
  }
}

/** A plain Uint8Array view of `b[start, start + len)` (no copy), never a Buffer. */
function view(b: Uint8Array, start: number, len: number): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset + start, len);
}

/** Releases the reader's hold on the last input. */
function release(): void {
  reader.reset(EMPTY, 0, 0);
}

const EMPTY = new Uint8Array(0);

const BYTES_EXT = 1 << F_BYTES_EXT;
const RESIZE_EXT = 1 << F_RESIZE_EXT;
const USER_WANTED = BYTES_EXT | RESIZE_EXT;
const HOST_WANTED = USER_WANTED | (1 << F_ECHOACK_EXT);

/**
 * Parses a UserMessage: one `keys` event per non-empty Keystroke, one `resize` per resize.
 * Instructions with neither extension are ignored (as mosh does). Accepts exactly what the
 * generated protobuf-es decoder accepts (unknown fields and extensions are skipped).
 * @throws WireError on malformed protobuf.
 */
export function decodeUserMessage(b: Uint8Array): UserEvent[] {
  const out: UserEvent[] = [];
  const r = reader;
  r.reset(b, 0, b.length);
  try {
    while (nextInstruction(r, USER_WANTED)) {
      if ((instSeen & BYTES_EXT) !== 0) {
        readExtension(r, F_BYTES_EXT);
        if (bytesLen > 0) out.push({ kind: "keys", keys: view(b, bytesStart, bytesLen) });
      } else {
        readExtension(r, F_RESIZE_EXT);
        out.push({ kind: "resize", cols: width, rows: height });
      }
    }
  } catch (err) {
    throw asWireError(err);
  } finally {
    release();
  }
  return out;
}

/**
 * Parses a HostMessage, one operation per Instruction. An Instruction carrying several
 * extensions counts as the first of hostbytes, resize, echoack (mosh's order of checks);
 * one with none is ignored. Accepts exactly what the generated protobuf-es decoder accepts
 * (unknown fields and extensions are skipped).
 * @throws WireError on malformed protobuf.
 */
export function decodeHostMessage(b: Uint8Array): HostOp[] {
  const out: HostOp[] = [];
  const r = reader;
  r.reset(b, 0, b.length);
  try {
    while (nextInstruction(r, HOST_WANTED)) {
      if ((instSeen & BYTES_EXT) !== 0) {
        readExtension(r, F_BYTES_EXT);
        out.push({
          kind: "hostbytes",
          bytes: bytesStart < 0 ? new Uint8Array(0) : view(b, bytesStart, bytesLen),
        });
      } else if ((instSeen & RESIZE_EXT) !== 0) {
        readExtension(r, F_RESIZE_EXT);
        out.push({ kind: "resize", cols: width, rows: height });
      } else {
        readExtension(r, F_ECHOACK_EXT);
        out.push({ kind: "echoack", num: echoAck });
      }
    }
  } catch (err) {
    throw asWireError(err);
  } finally {
    release();
  }
  return out;
}

/** The reader throws only WireError; anything else (a bug) is reported as one too, so a datagram is never fatal. */
function asWireError(err: unknown): WireError {
  if (err instanceof WireError) return err;
  return new WireError(`Illegal counterparty input: ${err instanceof Error ? err.message : String(err)}`);
}
