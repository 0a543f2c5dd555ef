// The SDK's one error type, MoshError, and every code it carries (shared by all layers, like version.ts).

/** Codes of key and encryption failures ({@link CryptoErrorCode} of `CryptoError`). */
export type CryptoErrorCode =
  /** A session key that is not 22 base64 characters encoding 16 bytes (mosh's `Key must be …` texts). */
  | "bad-key"
  /** A datagram whose authentication tag does not match (mosh's `Packet failed integrity check.`). */
  | "integrity";

/** Codes of non-fatal problems with the peer's datagrams and of the sockets (`TransportError`, `WireError`). */
export type TransportErrorCode =
  /** A datagram, fragment or message that cannot be decoded (too short or long, bad compression or protobuf). */
  | "malformed-input"
  /** An authenticated datagram or instruction the protocol rejects (mosh's "Illegal counterparty input"). */
  | "illegal-input"
  /** `protocol_version` is not 2 (mosh's "mosh protocol version mismatch"). */
  | "version-mismatch"
  /** A socket failed to send, receive or open. */
  | "socket";

/**
 * Codes of the SSH bootstrap (`BootstrapError`): one per way `mosh host` can fail before the
 * session runs.
 */
export type BootstrapErrorCode =
  /** The target or an option could not be understood (bad ssh option, bad port range, bad target). */
  | "bad-argument"
  /** The host name did not resolve. */
  | "unknown-host"
  /** The TCP connection was refused. */
  | "connection-refused"
  /** The TCP connection or the SSH banner exchange timed out. */
  | "connection-timeout"
  /** Another network or SSH protocol failure (unreachable, reset, jump host refused to forward). */
  | "connection-failed"
  /** The server did not accept any of our authentication methods. */
  | "auth-failed"
  /** The host key differs from the one in known_hosts. */
  | "host-key-changed"
  /** The host key is marked `@revoked` in known_hosts. */
  | "host-key-revoked"
  /** The host key is not known and strict checking (or the user, or a host verifier) refused it. */
  | "host-key-rejected"
  /** The remote shell could not find the server program (exit 127 / "command not found"). */
  | "server-not-found"
  /** The server printed no `MOSH CONNECT` line. */
  | "no-connect-line"
  /** The server printed a malformed `MOSH CONNECT` line. */
  | "bad-connect-line"
  /** The server could not be started (non-zero exit without `MOSH CONNECT`, or it did not answer in time). */
  | "server-failed"
  /** The address of the server could not be learned (no `MOSH SSH_CONNECTION` through a proxy). */
  | "no-remote-ip"
  /** The server was started but nothing came back over UDP. */
  | "udp-timeout"
  /** The caller aborted (AbortSignal, or Ctrl-C at a prompt). */
  | "aborted";

/** Codes of `MoshSession` and `MoshServer` calls. */
export type SessionErrorCode =
  /** An option or argument is out of range (window size, empty command, UDP port range). */
  | "bad-argument"
  /** The host name of a `MoshSession` did not resolve. */
  | "bad-address"
  /** No state came from the server within `connectTimeoutMs` (mosh-client's "did not make a successful connection"). */
  | "connect-timeout"
  /** The session ended (or `connect()` was called twice) before the call could complete. */
  | "closed"
  /** `rebind()` on a session that is not running. */
  | "not-connected"
  /** `waitFor()` timed out before the screen matched. */
  | "timeout"
  /** `MoshServer.start()` could not bind a UDP port (the socket's error is the `cause`). */
  | "bind-failed";

/**
 * Every code a {@link MoshError} can carry. Stable: programs may switch on them; messages are for
 * people and may change.
 */
export type MoshErrorCode = SessionErrorCode | CryptoErrorCode | TransportErrorCode | BootstrapErrorCode;

/**
 * The error type of the whole SDK: everything mosh-ts throws, rejects with or reports through an
 * `error` event is a `MoshError` with a stable {@link MoshErrorCode} in `code`. Subclasses say
 * which part failed and narrow the code; `instanceof MoshError` catches them all:
 *
 * - `CryptoError`: `bad-key` (a malformed session key: thrown by `new MoshSession`,
 *   `MoshServer.start` and `SessionKey.parse`), `integrity` (a forged or corrupted datagram,
 *   reported through `error` events);
 * - `TransportError`, `WireError`: `malformed-input`, `illegal-input`, `version-mismatch`,
 *   `socket` (non-fatal, reported through `error` events; the datagram is dropped);
 * - `BootstrapError`: the SSH bootstrap's codes (`unknown-host`, `auth-failed`,
 *   `host-key-changed`, `udp-timeout`, … see {@link BootstrapErrorCode});
 * - `MoshError` itself: `bad-argument`, `bad-address`, `connect-timeout`, `closed`,
 *   `not-connected`, `timeout`, `bind-failed`.
 *
 * Messages never contain the session key.
 *
 * @example
 * try {
 *   new MoshSession({ host, port, key });
 * } catch (err) {
 *   if (err instanceof MoshError && err.code === "bad-key") console.error("bad MOSH_KEY:", err.message);
 * }
 */
export class MoshError extends Error {
  override readonly name: string = "MoshError";
  /** A stable machine-readable reason. */
  readonly code: MoshErrorCode;

  /**
   * @param code the reason
   * @param message for people (never holds key material)
   * @param options `cause`: the underlying error, if any
   */
  constructor(code: MoshErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
