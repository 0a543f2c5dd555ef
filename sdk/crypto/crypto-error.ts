// The error type for key and encryption failures, carrying mosh's exact message texts.
import { type CryptoErrorCode, MoshError } from "../errors.js";

export type { CryptoErrorCode };

/**
 * A failure of the session key (`bad-key`) or of authenticated encryption (`integrity`).
 * `message` is mosh's exact text (for example `Packet failed integrity check.` or
 * `Key must be 22 letters long.`), so that it can be shown as mosh shows it
 * (`Crypto exception: <message>`). It never contains key material.
 */
export class CryptoError extends MoshError {
  override readonly name = "CryptoError";
  declare readonly code: CryptoErrorCode;

  /**
   * @param code `bad-key` or `integrity`
   * @param message mosh's exact error text
   */
  constructor(code: CryptoErrorCode, message: string) {
    super(code, message);
  }
}
