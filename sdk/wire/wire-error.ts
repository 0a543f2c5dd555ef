// The error type for malformed input from the peer ("Illegal counterparty input" in mosh).
import { MoshError } from "../errors.js";

/**
 * Input from the counterparty that cannot be decoded (code `malformed-input`): a short or
 * oversize datagram, a bad fragment, a failed decompression, malformed protobuf. Non-fatal: the
 * receiver drops the datagram (or instruction) and carries on, as mosh does.
 */
export class WireError extends MoshError {
  override readonly name = "WireError";
  declare readonly code: "malformed-input";

  /** @param message what was wrong with the input (never contains key material). */
  constructor(message: string) {
    super("malformed-input", message);
  }
}
