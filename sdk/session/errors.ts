// Error types the session layer reports to SDK users.

/** Why a session failed or ended abnormally; `code` is stable for programs, `message` is for people. */
export class MoshError extends Error {
  override readonly name = "MoshError";
  constructor(
    /** A stable machine-readable reason. */
    readonly code: "connect-timeout" | "closed" | "bad-key" | "bad-address" | "timeout" | "not-connected",
    message: string,
  ) {
    super(message);
  }
}
