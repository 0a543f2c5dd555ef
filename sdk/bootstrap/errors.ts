// The error type of the SSH bootstrap: one stable code per way `mosh host` can fail before the session runs.
import { type BootstrapErrorCode, MoshError } from "../errors.js";

export type { BootstrapErrorCode };

/**
 * A bootstrap failure: a {@link MoshError} with a {@link BootstrapErrorCode}. Messages are for
 * people and follow OpenSSH's and mosh's wording where those exist; they never contain the
 * session key.
 */
export class BootstrapError extends MoshError {
  override readonly name = "BootstrapError";
  declare readonly code: BootstrapErrorCode;
  constructor(
    code: BootstrapErrorCode,
    message: string,
    /** Extra facts for programs (for `host-key-changed`: the file and line of the offending key). */
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(code, message);
  }
}

/** Throws a `BootstrapError("aborted")` if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BootstrapError("aborted", "connection aborted");
}
