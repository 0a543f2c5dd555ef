// The error type for non-fatal transport problems: illegal counterparty input and socket failures.
import { MoshError, type TransportErrorCode } from "../errors.js";

export type { TransportErrorCode };

/**
 * A non-fatal transport problem, reported through the transport's `error` event. The offending
 * datagram or instruction is dropped; the session carries on. The message never holds key material.
 */
export class TransportError extends MoshError {
  override readonly name = "TransportError";
  declare readonly code: Exclude<TransportErrorCode, "malformed-input">;

  /** @param cause the underlying error, if any */
  constructor(code: Exclude<TransportErrorCode, "malformed-input">, message: string, cause?: unknown) {
    super(code, message, cause === undefined ? undefined : { cause });
  }
}
