// AES-128-OCB (RFC 7253) sealing and opening with mosh's nonce layout, on node:crypto.
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from "node:crypto";
import { CryptoError } from "./crypto-error.js";
import type { SessionKey } from "./session-key.js";

const ALGORITHM = "aes-128-ocb";
/** OCB tag length in bytes (mosh uses the full 128-bit tag). */
const TAG_BYTES = 16;
const NONCE_MAX = 0xffffffffffffffffn;
const INTEGRITY = "Packet failed integrity check.";

/** A plain Uint8Array view of the same bytes (no copy), so results never surface as Buffers. */
function view(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * AES-128-OCB under one session key, as mosh uses it: a 12-byte nonce made of 4 zero bytes and
 * the 64-bit datagram nonce (big-endian), no associated data, a 16-byte tag after the ciphertext.
 */
export class OcbCipher {
  readonly #key: KeyObject;
  /** Reused nonce buffer: bytes 0..3 stay zero, bytes 4..11 are the 64-bit nonce. */
  readonly #nonce = Buffer.alloc(12);

  /** @param key the session key (its bytes are copied into a node:crypto key object). */
  constructor(key: SessionKey) {
    this.#key = createSecretKey(key.bytes());
  }

  /**
   * Encrypts and authenticates `plaintext` under `nonce` (0 ≤ nonce < 2^64).
   * @returns ciphertext (same length as `plaintext`) followed by the 16-byte tag.
   */
  seal(nonce: bigint, plaintext: Uint8Array): Uint8Array {
    const cipher = createCipheriv(ALGORITHM, this.#key, this.#setNonce(nonce), { authTagLength: TAG_BYTES });
    const body = cipher.update(plaintext);
    const rest = cipher.final();
    return view(Buffer.concat([body, rest, cipher.getAuthTag()], plaintext.length + TAG_BYTES));
  }

  /**
   * Checks and decrypts `sealed` (ciphertext followed by the 16-byte tag) under `nonce`.
   * @throws CryptoError `Packet failed integrity check.` on any failure, a short input included.
   */
  open(nonce: bigint, sealed: Uint8Array): Uint8Array {
    if (sealed.length < TAG_BYTES || nonce < 0n || nonce > NONCE_MAX) {
      throw new CryptoError(INTEGRITY);
    }
    const split = sealed.length - TAG_BYTES;
    try {
      const decipher = createDecipheriv(ALGORITHM, this.#key, this.#setNonce(nonce), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAuthTag(sealed.subarray(split));
      const body = decipher.update(sealed.subarray(0, split));
      const rest = decipher.final();
      return view(rest.length === 0 ? body : Buffer.concat([body, rest], split));
    } catch {
      throw new CryptoError(INTEGRITY);
    }
  }

  #setNonce(nonce: bigint): Buffer {
    if (nonce < 0n || nonce > NONCE_MAX) {
      throw new RangeError("OCB nonce must be an unsigned 64-bit number");
    }
    this.#nonce.writeBigUInt64BE(nonce, 4);
    return this.#nonce;
  }
}

/**
 * Raw AES-128-OCB seal with any nonce and associated data, 16-byte tag: for the RFC 7253 test
 * vectors only. Returns ciphertext followed by the tag.
 * @internal
 */
export function ocbSealRaw(
  key16: Uint8Array,
  nonce12: Uint8Array,
  ad: Uint8Array,
  pt: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv(ALGORITHM, key16, nonce12, { authTagLength: TAG_BYTES });
  cipher.setAAD(ad);
  const body = cipher.update(pt);
  const rest = cipher.final();
  return view(Buffer.concat([body, rest, cipher.getAuthTag()]));
}
