// The encrypted UDP datagram: nonce tail, OCB-sealed timestamps and fragment, tag (docs/mosh-protocol.md §2.2, §2.3, §3).
import { OcbCipher } from "../crypto/ocb.js";
import type { SessionKey } from "../crypto/session-key.js";
import { MAX_DATAGRAM } from "./mtu.js";
import { WireError } from "./wire-error.js";

/** Direction bit of datagrams sent by the client. */
export const TO_SERVER = 0;
/** Direction bit of datagrams sent by the server. */
export const TO_CLIENT = 1;
/** The direction of a datagram: {@link TO_SERVER} or {@link TO_CLIENT}. */
export type Direction = 0 | 1;
/** `timestamp_reply` meaning "no reply". Also never sent as a timestamp (see {@link timestamp16}). */
export const TIMESTAMP_NONE = 0xffff;

/** One datagram's contents, before encryption / after decryption. */
export interface Packet {
  /** Who sent it: {@link TO_SERVER} (the client) or {@link TO_CLIENT} (the server). */
  direction: Direction;
  /** Per-sender datagram counter, 0..2^63−1; never reuse one under a key. */
  seq: bigint;
  /** Sender's clock, ms mod 65536 (see {@link timestamp16}). */
  timestamp: number;
  /** Echo of the peer's last timestamp, or {@link TIMESTAMP_NONE}. */
  timestampReply: number;
  /** The encoded fragment (see `encodeFragment`). */
  payload: Uint8Array;
}

const NONCE_BYTES = 8;
const TAG_BYTES = 16;
const TIMESTAMP_BYTES = 4;
/** 4 timestamp bytes + 10 fragment-header bytes: a shorter authenticated plaintext aborts real mosh. */
const MIN_PLAINTEXT = 14;
const SEQ_MASK = (1n << 63n) - 1n;

/** A plain Uint8Array view of the same bytes (no copy), so results never surface as Buffers. */
function view(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Seals packets into datagrams and opens datagrams into packets under one session key. */
export class DatagramCodec {
  readonly #ocb: OcbCipher;

  /** @param key the session key (used in both directions). */
  constructor(key: SessionKey) {
    this.#ocb = new OcbCipher(key);
  }

  /**
   * Builds `nonce tail (8) || OCB(timestamp16 || timestampReply16 || payload) || tag (16)`.
   * @throws RangeError on a sequence number outside 0..2^63−1 or a timestamp outside 0..65535.
   */
  encode(p: Packet): Uint8Array {
    if (p.seq < 0n || p.seq > SEQ_MASK) throw new RangeError("Counter wrapped");
    if (p.direction !== TO_SERVER && p.direction !== TO_CLIENT) throw new RangeError("bad direction");
    const nonce = (BigInt(p.direction) << 63n) | p.seq;
    const plain = Buffer.allocUnsafe(TIMESTAMP_BYTES + p.payload.length);
    plain.writeUInt16BE(p.timestamp, 0);
    plain.writeUInt16BE(p.timestampReply, 2);
    plain.set(p.payload, TIMESTAMP_BYTES);
    const sealed = this.#ocb.seal(nonce, plain);
    const out = Buffer.allocUnsafe(NONCE_BYTES + sealed.length);
    out.writeBigUInt64BE(nonce, 0);
    out.set(sealed, NONCE_BYTES);
    return view(out);
  }

  /**
   * Opens a datagram. `payload` is the fragment (a view of the decrypted plaintext).
   * @throws WireError if the datagram is shorter than 24 bytes, longer than 2048 bytes, or its
   *   plaintext is shorter than 14 bytes.
   * @throws CryptoError `Packet failed integrity check.` if authentication fails.
   */
  decode(datagram: Uint8Array): Packet {
    if (datagram.length < NONCE_BYTES + TAG_BYTES) throw new WireError("Datagram too short");
    if (datagram.length > MAX_DATAGRAM) throw new WireError("Received oversize datagram");
    const dv = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    const nonce = dv.getBigUint64(0);
    const plain = this.#ocb.open(nonce, datagram.subarray(NONCE_BYTES));
    if (plain.length < MIN_PLAINTEXT) throw new WireError("Datagram plaintext too short");
    return {
      direction: nonce >> 63n === 0n ? TO_SERVER : TO_CLIENT,
      seq: nonce & SEQ_MASK,
      timestamp: (plain[0] << 8) | plain[1],
      timestampReply: (plain[2] << 8) | plain[3],
      payload: plain.subarray(TIMESTAMP_BYTES),
    };
  }
}

/** The 16-bit timestamp of a monotonic ms clock reading: ms mod 65536, with 65535 sent as 0. */
export function timestamp16(nowMs: number): number {
  const ts = ((Math.floor(nowMs) % 65536) + 65536) % 65536;
  return ts === TIMESTAMP_NONE ? 0 : ts;
}
