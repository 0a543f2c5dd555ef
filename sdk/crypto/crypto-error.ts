// The error type for key and encryption failures, carrying mosh's exact message texts.

/**
 * A failure of the session key or of authenticated encryption. `message` is mosh's exact text
 * (for example `Packet failed integrity check.` or `Key must be 22 letters long.`), so that it
 * can be shown as mosh shows it (`Crypto exception: <message>`). It never contains key material.
 */
export class CryptoError extends Error {
  override readonly name = "CryptoError";

  /** @param message mosh's exact error text. */
  constructor(message: string) {
    super(message);
  }
}
