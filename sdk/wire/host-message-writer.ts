// The server's per-frame HostMessage serialiser: echo ack, resize and host bytes written straight to protobuf bytes.

const utf8 = new TextEncoder();
const UINT64_MAX = 0xffffffffffffffffn;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** Scratch space for the UTF-8 of the host bytes (copied into the message at once). */
let scratch = new Uint8Array(16 * 1024);

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function putVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

function varint64Size(v: bigint): number {
  let n = 1;
  for (let x = v >> 7n; x > 0n; x >>= 7n) n++;
  return n;
}

function putVarint64(buf: Uint8Array, pos: number, v: bigint): number {
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

/** An int32 as protobuf writes it: negative numbers sign-extended to 64 bits (10 bytes). */
function int32Bits(v: number): bigint {
  return v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v);
}

/**
 * Serialises a HostMessage of up to three Instructions, in mosh's order: an `EchoAck` (if
 * `echoAck` is not null), a `ResizeMessage` (if `size` is not null), then `HostBytes` (if
 * `hostBytes` is not null; a string is sent as UTF-8). The bytes are exactly those of
 * `encodeHostMessage` (./messages.ts) for the same operations, without building protobuf
 * message objects: this runs once or twice for every frame the server sends.
 * @throws RangeError on an echo ack outside 0..2^64−1 or a size that is not a 32-bit integer.
 */
export function writeHostMessage(
  echoAck: bigint | null,
  size: { readonly cols: number; readonly rows: number } | null,
  hostBytes: string | Uint8Array | null,
): Uint8Array {
  let total = 0;
  let ackInner = 0;
  if (echoAck !== null) {
    if (echoAck < 0n || echoAck > UINT64_MAX)
      throw new RangeError("echo ack must be an unsigned 64-bit number");
    ackInner = 1 + varint64Size(echoAck); // EchoAck { 8: echo_ack_num }
    total += 2 + 1 + varintSize(ackInner) + ackInner; // HostMessage.1 → Instruction.7 → EchoAck
  }
  let w = 0n;
  let h = 0n;
  let resizeInner = 0;
  if (size !== null) {
    for (const v of [size.cols, size.rows]) {
      if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
        throw new RangeError("resize width and height must be 32-bit integers");
      }
    }
    w = int32Bits(size.cols);
    h = int32Bits(size.rows);
    resizeInner = 2 + varint64Size(w) + varint64Size(h); // ResizeMessage { 5: width, 6: height }
    total += 2 + 1 + varintSize(resizeInner) + resizeInner;
  }
  let bytes: Uint8Array | null = null;
  let bytesLen = 0;
  if (hostBytes !== null) {
    if (typeof hostBytes === "string") {
      // At most 3 UTF-8 bytes per UTF-16 unit.
      if (scratch.length < hostBytes.length * 3) scratch = new Uint8Array(hostBytes.length * 3);
      bytesLen = utf8.encodeInto(hostBytes, scratch).written;
      bytes = scratch;
    } else {
      bytes = hostBytes;
      bytesLen = hostBytes.length;
    }
    const inner = 1 + varintSize(bytesLen) + bytesLen; // HostBytes { 4: hoststring }
    const inst = 1 + varintSize(inner) + inner; // Instruction { 2: hostbytes }
    total += 1 + varintSize(inst) + inst;
  }

  const out = new Uint8Array(total);
  let pos = 0;
  if (echoAck !== null) {
    const inst = 1 + varintSize(ackInner) + ackInner;
    out[pos++] = 0x0a; // HostMessage.instruction
    pos = putVarint(out, pos, inst);
    out[pos++] = 0x3a; // Instruction.echoack (7)
    pos = putVarint(out, pos, ackInner);
    out[pos++] = 0x40; // EchoAck.echo_ack_num (8)
    pos = putVarint64(out, pos, echoAck);
  }
  if (size !== null) {
    const inst = 1 + varintSize(resizeInner) + resizeInner;
    out[pos++] = 0x0a;
    pos = putVarint(out, pos, inst);
    out[pos++] = 0x1a; // Instruction.resize (3)
    pos = putVarint(out, pos, resizeInner);
    out[pos++] = 0x28; // ResizeMessage.width (5)
    pos = putVarint64(out, pos, w);
    out[pos++] = 0x30; // ResizeMessage.height (6)
    pos = putVarint64(out, pos, h);
  }
  if (bytes !== null) {
    const inner = 1 + varintSize(bytesLen) + bytesLen;
    const inst = 1 + varintSize(inner) + inner;
    out[pos++] = 0x0a;
    pos = putVarint(out, pos, inst);
    out[pos++] = 0x12; // Instruction.hostbytes (2)
    pos = putVarint(out, pos, inner);
    out[pos++] = 0x22; // HostBytes.hoststring (4)
    pos = putVarint(out, pos, bytesLen);
    out.set(bytes.length === bytesLen ? bytes : bytes.subarray(0, bytesLen), pos);
  }
  return out;
}
