// The error type for non-fatal transport problems: illegal counterparty input and socket failures.

/** What kind of problem a {@link TransportError} reports. */
export type TransportErrorCode =
  /** An authenticated datagram or instruction the protocol rejects (mosh's "Illegal counterparty input"). */
  | "illegal-input"
  /** `protocol_version` is not 2 (mosh's "mosh protocol version mismatch"). */
  | "version-mismatch"
  /** A socket failed to send, receive or open. */
  | "socket";

/**
 * A non-fatal transport problem, reported through the transport's `error` event. The offending
 * datagram or instruction is dropped; the session carries on. The message never holds key material.
 */
export class TransportError extends Error {
  override readonly name = "TransportError";
  /** What kind of problem this is. */
  readonly code: TransportErrorCode;

  /** @param cause the underlying error, if any */
  constructor(code: TransportErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}
