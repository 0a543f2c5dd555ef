// The 128-bit session key: parsing and validating its 22-character printable form, and keeping it out of logs.
import { closeSync, openSync, readSync } from "node:fs";
import { CryptoError } from "./crypto-error.js";

/** The `mosh` wrapper's check on a key printed by the server: exactly 22 base64 characters. */
export const KEY_PATTERN = /^[A-Za-z0-9/+]{22}$/;

/** Length of the key in bytes. */
const KEY_BYTES = 16;
/** Length of the printable form: base64 of 16 bytes without the trailing `==`. */
const KEY_CHARS = 22;
/** The standard base64 alphabet, the only characters mosh's decoder accepts before the padding. */
const BASE64_CHAR = /^[A-Za-z0-9+/]*$/;
const REDACTED = "SessionKey(<redacted>)";

/**
 * The AES-128 key of one mosh session. The bytes live in a private field; the printable form is
 * only available through {@link SessionKey.reveal}, and every accidental conversion (string,
 * JSON, `util.inspect`, `console.log`) shows `SessionKey(<redacted>)`.
 */
export class SessionKey {
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /**
   * Parses the 22-character printable key, with mosh-client's checks in mosh-client's order.
   * @throws CryptoError (code `bad-key`) with one of mosh's texts: `Key must be 22 letters long.`,
   *   `Key must be well-formed base64.`, `Key must represent 16 octets.`,
   *   `Base64 key was not encoded 128-bit key.`
   */
  static parse(text: string): SessionKey {
    // mosh counts bytes (a C++ std::string), not UTF-16 code units.
    if (Buffer.byteLength(text, "utf8") !== KEY_CHARS) {
      throw new CryptoError("bad-key", "Key must be 22 letters long.");
    }
    // Node's base64 decoder skips characters outside the alphabet: check the alphabet first.
    if (!BASE64_CHAR.test(text)) {
      throw new CryptoError("bad-key", "Key must be well-formed base64.");
    }
    const bytes = Buffer.from(text + "==", "base64");
    if (bytes.length !== KEY_BYTES) {
      throw new CryptoError("bad-key", "Key must represent 16 octets.");
    }
    // The 22nd character carries 4 unused bits that must be zero (it must be one of A, Q, g, w).
    if (bytes.toString("base64").slice(0, KEY_CHARS) !== text) {
      throw new CryptoError("bad-key", "Base64 key was not encoded 128-bit key.");
    }
    return new SessionKey(new Uint8Array(bytes));
  }

  /**
   * A fresh random key (16 bytes from the system's CSPRNG), as mosh-server makes for each session:
   * read from /dev/urandom as mosh's PRNG reads it (so that a server's start loads no crypto module
   * before MOSH CONNECT), or from Web Crypto where there is no /dev/urandom.
   */
  static generate(): SessionKey {
    return new SessionKey(randomKeyBytes());
  }

  /**
   * A key from its 16 raw bytes (copied).
   * @throws CryptoError (code `bad-key`) `Key must represent 16 octets.` if `b` is not 16 bytes long.
   */
  static fromBytes(b: Uint8Array): SessionKey {
    if (b.length !== KEY_BYTES) {
      throw new CryptoError("bad-key", "Key must represent 16 octets.");
    }
    return new SessionKey(Uint8Array.from(b));
  }

  /** The 22-character printable form (base64 without `==`). The only way to see the key as text. */
  reveal(): string {
    return Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength)
      .toString("base64")
      .slice(0, KEY_CHARS);
  }

  /** A copy of the 16 key bytes. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  /** Always `SessionKey(<redacted>)`: never the key. */
  toString(): string {
    return REDACTED;
  }

  /** Always `SessionKey(<redacted>)`: never the key. */
  toJSON(): string {
    return REDACTED;
  }

  /** Always `SessionKey(<redacted>)`: never the key (used by `util.inspect` and `console.log`). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}

/** 16 bytes from /dev/urandom (mosh's source), or from `crypto.getRandomValues` without it. */
function randomKeyBytes(): Uint8Array {
  const bytes = new Uint8Array(KEY_BYTES);
  let fd: number | undefined;
  try {
    fd = openSync("/dev/urandom", "r");
    let got = 0;
    while (got < KEY_BYTES) {
      const n = readSync(fd, bytes, got, KEY_BYTES - got, null);
      if (n <= 0) throw new Error("short read");
      got += n;
    }
    return bytes;
  } catch {
    return globalThis.crypto.getRandomValues(bytes);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
