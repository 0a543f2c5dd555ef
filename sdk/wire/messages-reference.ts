// The message codecs written with the generated @bufbuild/protobuf code: the reference for ./messages.ts (tests, benchmarks; not used at runtime).
import { create, fromBinary, getExtension, hasExtension, setExtension, toBinary } from "@bufbuild/protobuf";
import * as host from "./gen/hostinput_pb.js";
import * as user from "./gen/userinput_pb.js";
import type { HostOp, UserEvent } from "./messages.js";
import { WireError } from "./wire-error.js";

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT64_MAX = 0xffffffffffffffffn;

/** A plain Uint8Array view of the same bytes (no copy), so results never surface as Buffers. */
function view(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function checkSize(cols: number, rows: number): void {
  for (const v of [cols, rows]) {
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
      throw new RangeError("resize width and height must be 32-bit integers");
    }
  }
}

function illegal(err: unknown): WireError {
  return new WireError(`Illegal counterparty input: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * `encodeUserMessage` (./messages.ts) with protobuf-es (`create`, `setExtension`, `toBinary`).
 *
 * Serialises user events as mosh's client does: consecutive keys are packed into one Keystroke,
 * and each resize is its own Instruction. Empty keys add nothing. `resize(80, 24)` alone gives
 * `0a 06 1a 04 28 50 30 18`.
 * @throws RangeError on a size that is not a 32-bit integer.
 */
export function referenceEncodeUserMessage(events: readonly UserEvent[]): Uint8Array {
  const msg = create(user.UserMessageSchema);
  let pending: Uint8Array[] = [];
  const flushKeys = (): void => {
    if (pending.length === 0) return;
    const keys = pending.length === 1 ? pending[0] : view(Buffer.concat(pending));
    const inst = create(user.InstructionSchema);
    setExtension(inst, user.keystroke, create(user.KeystrokeSchema, { keys }));
    msg.instruction.push(inst);
    pending = [];
  };
  for (const e of events) {
    if (e.kind === "keys") {
      if (e.keys.length > 0) pending.push(e.keys);
      continue;
    }
    checkSize(e.cols, e.rows);
    flushKeys();
    const inst = create(user.InstructionSchema);
    setExtension(inst, user.resize, create(user.ResizeMessageSchema, { width: e.cols, height: e.rows }));
    msg.instruction.push(inst);
  }
  flushKeys();
  return toBinary(user.UserMessageSchema, msg);
}

/**
 * `decodeUserMessage` (./messages.ts) with protobuf-es (`fromBinary`, `getExtension`).
 *
 * Parses a UserMessage: one `keys` event per non-empty Keystroke, one `resize` per resize.
 * Instructions with neither extension are ignored (as mosh does).
 * @throws WireError on malformed protobuf.
 */
export function referenceDecodeUserMessage(b: Uint8Array): UserEvent[] {
  try {
    const msg = fromBinary(user.UserMessageSchema, view(b));
    const out: UserEvent[] = [];
    for (const inst of msg.instruction) {
      if (hasExtension(inst, user.keystroke)) {
        const keys = getExtension(inst, user.keystroke).keys;
        if (keys.length > 0) out.push({ kind: "keys", keys });
      } else if (hasExtension(inst, user.resize)) {
        const r = getExtension(inst, user.resize);
        out.push({ kind: "resize", cols: r.width, rows: r.height });
      }
    }
    return out;
  } catch (err) {
    throw illegal(err);
  }
}

/**
 * `encodeHostMessage` (./messages.ts) with protobuf-es (`create`, `setExtension`, `toBinary`).
 *
 * Serialises host operations, one Instruction each, in the given order (mosh's server sends
 * echoack, then resize, then hostbytes).
 * @throws RangeError on an echo ack outside 0..2^64−1 or a size that is not a 32-bit integer.
 */
export function referenceEncodeHostMessage(ops: readonly HostOp[]): Uint8Array {
  const msg = create(host.HostMessageSchema);
  for (const op of ops) {
    const inst = create(host.InstructionSchema);
    switch (op.kind) {
      case "echoack":
        if (op.num < 0n || op.num > UINT64_MAX)
          throw new RangeError("echo ack must be an unsigned 64-bit number");
        setExtension(inst, host.echoack, create(host.EchoAckSchema, { echoAckNum: op.num }));
        break;
      case "resize":
        checkSize(op.cols, op.rows);
        setExtension(
          inst,
          host.resize,
          create(host.ResizeMessageSchema, { width: op.cols, height: op.rows }),
        );
        break;
      case "hostbytes":
        setExtension(inst, host.hostbytes, create(host.HostBytesSchema, { hoststring: op.bytes }));
        break;
    }
    msg.instruction.push(inst);
  }
  return toBinary(host.HostMessageSchema, msg);
}

/**
 * `decodeHostMessage` (./messages.ts) with protobuf-es (`fromBinary`, `getExtension`).
 *
 * Parses a HostMessage, one operation per Instruction. An Instruction carrying several
 * extensions counts as the first of hostbytes, resize, echoack (mosh's order of checks);
 * one with none is ignored.
 * @throws WireError on malformed protobuf.
 */
export function referenceDecodeHostMessage(b: Uint8Array): HostOp[] {
  try {
    const msg = fromBinary(host.HostMessageSchema, view(b));
    const out: HostOp[] = [];
    for (const inst of msg.instruction) {
      if (hasExtension(inst, host.hostbytes)) {
        out.push({ kind: "hostbytes", bytes: getExtension(inst, host.hostbytes).hoststring });
      } else if (hasExtension(inst, host.resize)) {
        const r = getExtension(inst, host.resize);
        out.push({ kind: "resize", cols: r.width, rows: r.height });
      } else if (hasExtension(inst, host.echoack)) {
        out.push({ kind: "echoack", num: getExtension(inst, host.echoack).echoAckNum });
      }
    }
    return out;
  } catch (err) {
    throw illegal(err);
  }
}
