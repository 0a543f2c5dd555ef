// The typed progress events of the bootstrap (resolving → connecting → authenticating → starting-server → connected).

/** One step of `connect()`/`bootstrap()`, for UIs that show progress. None of them carries the session key. */
export type ProgressEvent =
  /** Reading ~/.ssh/config for the target. */
  | { kind: "resolving"; target: string }
  /** Opening a TCP connection (or a forwarded channel through a jump host) to one SSH hop. */
  | { kind: "connecting"; host: string; port: number; address?: string; via?: string }
  /** The transport is up and the host key accepted; authenticating as `user`. */
  | { kind: "authenticating"; host: string; user: string }
  /** Logged in; running the server command on the remote host. */
  | { kind: "starting-server"; host: string; command: string }
  /** The server printed `MOSH CONNECT` (`bootstrap()`), or the first UDP state arrived (`connect()`). */
  | { kind: "connected"; host: string; port: number };

/** Receives progress events. */
export type ProgressListener = (event: ProgressEvent) => void;

/** Where human-readable messages go (warnings, the remote motd, "Permanently added ..."): one string per call. */
export type MessageListener = (text: string) => void;
