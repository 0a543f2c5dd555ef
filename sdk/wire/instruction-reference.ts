// The instruction protobuf written with the generated @bufbuild/protobuf code: the reference for ./instruction.ts (tests, benchmarks; not used at runtime).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { InstructionSchema } from "./gen/transportinstruction_pb.js";
import type { Instruction } from "./instruction.js";
import { WireError } from "./wire-error.js";

/** A plain Uint8Array view of the same bytes (no copy), so results never surface as Buffers. */
function view(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * `parseInstruction` (./instruction.ts) with protobuf-es:
 * `fromBinary(InstructionSchema, b, { readUnknownFields: false })`, every failure a WireError.
 */
export function referenceParseInstruction(b: Uint8Array): Instruction {
  let m: ReturnType<typeof fromBinary<typeof InstructionSchema>>;
  try {
    m = fromBinary(InstructionSchema, b, { readUnknownFields: false });
  } catch (err) {
    throw new WireError(`Illegal counterparty input: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    protocolVersion: m.protocolVersion,
    oldNum: m.oldNum,
    newNum: m.newNum,
    ackNum: m.ackNum,
    throwawayNum: m.throwawayNum,
    diff: view(m.diff),
    chaff: view(m.chaff),
  };
}

/** The uncompressed protobuf of `i` as protobuf-es's `toBinary` writes it (every field set). */
export function referenceSerializeInstruction(i: Instruction): Uint8Array {
  return toBinary(InstructionSchema, create(InstructionSchema, { ...i }));
}
