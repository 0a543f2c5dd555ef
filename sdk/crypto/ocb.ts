// AES-128-OCB (RFC 7253) sealing and opening with mosh's nonce layout, on node:crypto.
import { type Cipher, createCipheriv, createDecipheriv, type Decipher, timingSafeEqual } from "node:crypto";
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

const BLOCK = 16;

/** RFC 7253 `double`: multiplication by x in GF(2^128), in place. */
function double(b: Uint8Array): void {
  const carry = b[0] >> 7;
  for (let i = 0; i < BLOCK - 1; i++) b[i] = ((b[i] << 1) | (b[i + 1] >> 7)) & 0xff;
  b[BLOCK - 1] = ((b[BLOCK - 1] << 1) & 0xff) ^ (carry * 0x87);
}

/** Number of trailing zero bits of `i` (i ≥ 1). */
function ntz(i: number): number {
  return 31 - Math.clz32(i & -i);
}

/**
 * AES-128-OCB under one session key, as mosh uses it: a 12-byte nonce made of 4 zero bytes and
 * the 64-bit datagram nonce (big-endian), no associated data, a 16-byte tag after the ciphertext.
 *
 * OCB (RFC 7253) is computed here on top of two long-lived AES-128-ECB contexts (one
 * encrypting, one decrypting) from node:crypto, so that a datagram costs one or two AES calls
 * over all its blocks instead of a new cipher context; the offsets, checksum and tag follow the
 * RFC step by step. The results are byte for byte those of OpenSSL's `aes-128-ocb`.
 */
export class OcbCipher {
  readonly #enc: Cipher;
  readonly #dec: Decipher;
  /** L_* = E(0), L_$ = double(L_*), L_i = double^(i+1)(L_$). */
  readonly #lStar = new Uint8Array(BLOCK);
  readonly #lDollar = new Uint8Array(BLOCK);
  readonly #l: Uint8Array[] = [];
  /** The 128-bit nonce block: bytes 3 = 1 (TAGLEN 128, 96-bit nonce), 8..15 = the datagram nonce. */
  readonly #nonceBlock = Buffer.alloc(BLOCK);
  /** Stretch of the last Ktop (nonce with its low 6 bits cleared); Ktop changes every 64 nonces. */
  readonly #stretch = new Uint8Array(24);
  #stretchFor = -1n;
  /** Running offset and checksum. */
  readonly #offset = new Uint8Array(BLOCK);
  readonly #checksum = new Uint8Array(BLOCK);
  /** Scratch: AES input blocks and the offset of every block. */
  #work = Buffer.alloc(2048);
  #offsets = new Uint8Array(2048);

  /** @param key the session key (its bytes are copied into the AES contexts). */
  constructor(key: SessionKey) {
    const bytes = key.bytes();
    this.#enc = createCipheriv("aes-128-ecb", bytes, null);
    this.#enc.setAutoPadding(false);
    this.#dec = createDecipheriv("aes-128-ecb", bytes, null);
    this.#dec.setAutoPadding(false);
    this.#lStar.set(this.#enc.update(new Uint8Array(BLOCK)));
    this.#lDollar.set(this.#lStar);
    double(this.#lDollar);
    let l = this.#lDollar;
    for (let i = 0; i < 32; i++) {
      const next = Uint8Array.from(l);
      double(next);
      this.#l.push(next);
      l = next;
    }
    this.#nonceBlock[3] = 1;
  }

  /**
   * Encrypts and authenticates `plaintext` under `nonce` (0 ≤ nonce < 2^64).
   * @returns ciphertext (same length as `plaintext`) followed by the 16-byte tag.
   */
  seal(nonce: bigint, plaintext: Uint8Array): Uint8Array {
    if (nonce < 0n || nonce > NONCE_MAX) throw new RangeError("OCB nonce must be an unsigned 64-bit number");
    const n = plaintext.length;
    const full = n >> 4;
    const rest = n & 15;
    const blocks = full + (rest > 0 ? 1 : 0) + 1;
    this.#reserve(blocks);
    const work = this.#work;
    const offsets = this.#offsets;
    const off = this.#offset;
    const sum = this.#checksum;
    this.#start(nonce);
    sum.fill(0);
    for (let i = 0; i < full; i++) {
      const li = this.#l[ntz(i + 1)];
      const at = i * BLOCK;
      for (let j = 0; j < BLOCK; j++) {
        const o = off[j] ^ li[j];
        const p = plaintext[at + j];
        off[j] = o;
        offsets[at + j] = o;
        work[at + j] = p ^ o;
        sum[j] ^= p;
      }
    }
    let at = full * BLOCK;
    if (rest > 0) {
      // Offset_* = Offset_m xor L_*; Pad = E(Offset_*); Checksum_* ^= P_* || 1 || 0...
      for (let j = 0; j < BLOCK; j++) {
        off[j] ^= this.#lStar[j];
        work[at + j] = off[j];
      }
      for (let j = 0; j < rest; j++) sum[j] ^= plaintext[at + j];
      sum[rest] ^= 0x80;
      at += BLOCK;
    }
    // Tag = E(Checksum_* xor Offset_* xor L_$) (HASH of no associated data is zero).
    for (let j = 0; j < BLOCK; j++) work[at + j] = sum[j] ^ off[j] ^ this.#lDollar[j];
    const enc = this.#enc.update(work.subarray(0, blocks * BLOCK));
    const out = new Uint8Array(n + BLOCK);
    const fullBytes = full * BLOCK;
    for (let k = 0; k < fullBytes; k++) out[k] = enc[k] ^ offsets[k];
    for (let k = 0; k < rest; k++) out[fullBytes + k] = plaintext[fullBytes + k] ^ enc[fullBytes + k];
    out.set(enc.subarray(at, at + BLOCK), n);
    return out;
  }

  /**
   * Checks and decrypts `sealed` (ciphertext followed by the 16-byte tag) under `nonce`.
   * @throws CryptoError `Packet failed integrity check.` on any failure, a short input included.
   */
  open(nonce: bigint, sealed: Uint8Array): Uint8Array {
    if (sealed.length < TAG_BYTES || nonce < 0n || nonce > NONCE_MAX) {
      throw new CryptoError("integrity", INTEGRITY);
    }
    const n = sealed.length - TAG_BYTES;
    const full = n >> 4;
    const rest = n & 15;
    this.#reserve(full + 1);
    const work = this.#work;
    const offsets = this.#offsets;
    const off = this.#offset;
    const sum = this.#checksum;
    this.#start(nonce);
    sum.fill(0);
    const fullBytes = full * BLOCK;
    for (let i = 0; i < full; i++) {
      const li = this.#l[ntz(i + 1)];
      const at = i * BLOCK;
      for (let j = 0; j < BLOCK; j++) {
        const o = off[j] ^ li[j];
        off[j] = o;
        offsets[at + j] = o;
        work[at + j] = sealed[at + j] ^ o;
      }
    }
    const out = new Uint8Array(n);
    if (full > 0) {
      const dec = this.#dec.update(work.subarray(0, fullBytes));
      for (let k = 0; k < fullBytes; k++) {
        const p = dec[k] ^ offsets[k];
        out[k] = p;
        sum[k & 15] ^= p;
      }
    }
    if (rest > 0) {
      for (let j = 0; j < BLOCK; j++) off[j] ^= this.#lStar[j];
      const pad = this.#enc.update(off);
      for (let k = 0; k < rest; k++) {
        const p = sealed[fullBytes + k] ^ pad[k];
        out[fullBytes + k] = p;
        sum[k] ^= p;
      }
      sum[rest] ^= 0x80;
    }
    for (let j = 0; j < BLOCK; j++) work[j] = sum[j] ^ off[j] ^ this.#lDollar[j];
    const tag = this.#enc.update(work.subarray(0, BLOCK));
    if (!timingSafeEqual(tag, sealed.subarray(n))) throw new CryptoError("integrity", INTEGRITY);
    return out;
  }

  /** Sets the running offset to Offset_0 for `nonce` (RFC 7253 §4.2, nonce-dependent values). */
  #start(nonce: bigint): void {
    const top = nonce >> 6n;
    const stretch = this.#stretch;
    if (top !== this.#stretchFor) {
      const block = this.#nonceBlock;
      block.writeBigUInt64BE(nonce & ~0x3fn, 8);
      const ktop = this.#enc.update(block);
      stretch.set(ktop.subarray(0, BLOCK));
      for (let i = 0; i < 8; i++) stretch[BLOCK + i] = ktop[i] ^ ktop[i + 1];
      this.#stretchFor = top;
    }
    // Offset_0 = Stretch[1 + bottom .. 128 + bottom] (bits).
    const bottom = Number(nonce & 0x3fn);
    const byte = bottom >> 3;
    const bit = bottom & 7;
    const off = this.#offset;
    for (let i = 0; i < BLOCK; i++) {
      off[i] =
        bit === 0
          ? stretch[byte + i]
          : ((stretch[byte + i] << bit) | (stretch[byte + i + 1] >> (8 - bit))) & 0xff;
    }
  }

  /** Makes the scratch buffers hold `blocks` blocks. */
  #reserve(blocks: number): void {
    const bytes = blocks * BLOCK;
    if (this.#work.length < bytes) {
      this.#work = Buffer.alloc(bytes);
      this.#offsets = new Uint8Array(bytes);
    }
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
