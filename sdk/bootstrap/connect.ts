// connect(): the SDK's one call from "user@host" to a connected MoshSession (SSH bootstrap, then UDP).

import { MoshSession, type MoshSessionOptions } from "../client/mosh-session.js";
import { MoshError } from "../errors.js";
import { BootstrapError } from "./errors.js";
import { startLocalServer } from "./local-server.js";
import { type BootstrapOptions, type BootstrapResult, bootstrap } from "./start-server.js";

/** Options of {@link connect}: the bootstrap's, plus the session's. */
export interface ConnectOptions extends BootstrapOptions {
  /** Window size of the session (default 80x24; also the size of the bootstrap pty). */
  cols?: number;
  rows?: number;
  /** Fail with `udp-timeout` when the server sends nothing over UDP for this long (default 5000 ms). */
  udpTimeoutMs?: number;
  /** Run the server on this machine without SSH (`target` must be a numeric address), like `mosh --local`. */
  local?: boolean;
  /** Extra session options (clock, network, stall threshold). */
  session?: Omit<Partial<MoshSessionOptions>, "host" | "port" | "key" | "cols" | "rows" | "connectTimeoutMs">;
}

/**
 * Connects to `target` (`[user@]host` or an alias from ~/.ssh/config): resolves it, logs in over
 * SSH, starts mosh-server, and returns a {@link MoshSession} that has received its first screen.
 *
 * ```ts
 * const session = await connect("myhost", { prompt, onProgress: (e) => console.error(e.kind) });
 * session.write("ls\r");
 * ```
 *
 * Rejects with a {@link MoshError}: a {@link BootstrapError} for failures before the session
 * (its `code` tells what failed: `unknown-host`, `auth-failed`, … and `udp-timeout` when the
 * server started but UDP to its port got no answer), or the session's own codes.
 */
export async function connect(target: string, options: ConnectOptions = {}): Promise<MoshSession> {
  const { onProgress } = options;
  // bootstrap() reports "connected" when the server is up; connect() reports it when UDP works.
  const inner: ConnectOptions = {
    ...options,
    onProgress: onProgress && ((e) => (e.kind === "connected" ? undefined : onProgress(e))),
  };
  const started: BootstrapResult = options.local
    ? await startLocalServer(target, inner)
    : await bootstrap(target, inner);
  return attach(started, options);
}

/** Opens the session to a started server, bounded by `udpTimeoutMs` and the abort signal. */
async function attach(started: BootstrapResult, options: ConnectOptions): Promise<MoshSession> {
  const udpTimeoutMs = options.udpTimeoutMs ?? 5000;
  const session = new MoshSession({
    ...options.session,
    host: started.host,
    port: started.port,
    key: started.key,
    cols: options.cols,
    rows: options.rows,
    connectTimeoutMs: udpTimeoutMs,
  });
  const signal = options.signal;
  const onAbort = () => void session.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (signal?.aborted) throw new BootstrapError("aborted", "connection aborted");
    await session.connect();
  } catch (err) {
    void session.close().catch(() => undefined);
    if (signal?.aborted) throw new BootstrapError("aborted", "connection aborted");
    if (err instanceof MoshError && err.code === "connect-timeout") {
      throw new BootstrapError(
        "udp-timeout",
        `mosh-server started on ${started.host}, but nothing came back over UDP from port ${started.port} ` +
          `within ${Math.round(udpTimeoutMs / 1000)} s.\nUDP to port ${started.port} may be blocked by a firewall ` +
          "(mosh uses UDP ports 60000-61000 by default; -p selects a port).",
        { host: started.host, port: started.port },
      );
    }
    throw err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  options.onProgress?.({ kind: "connected", host: started.host, port: started.port });
  return session;
}
