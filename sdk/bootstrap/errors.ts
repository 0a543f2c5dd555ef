// The error type of the SSH bootstrap: one stable code per way `mosh host` can fail before the session runs.

/**
 * Why the bootstrap failed. Codes are stable for programs; messages are for people and follow
 * OpenSSH's and mosh's wording where those exist.
 */
export type BootstrapErrorCode =
  /** The target or an option could not be understood (bad `-o`, bad port range, bad target). */
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

/** A bootstrap failure. The message never contains the session key. */
export class BootstrapError extends Error {
  override readonly name = "BootstrapError";
  constructor(
    /** A stable machine-readable reason. */
    readonly code: BootstrapErrorCode,
    message: string,
    /** Extra facts for programs (for `host-key-changed`: the file and line of the offending key). */
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
  }
}

/** Throws a `BootstrapError("aborted")` if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BootstrapError("aborted", "connection aborted");
}
