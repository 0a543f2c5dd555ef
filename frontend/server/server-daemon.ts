// mosh-ts-server's session process when it runs as two processes (`node mosh-ts-server.js`): takes its configuration from the first process over IPC, reports back over it, then serves the session.

import { serveSession } from "./serve-session.js";
import type { ServerConfig } from "./server-config.js";

/** The argument that makes the program run as the detached session process (set by the first process). */
export const DAEMON_FLAG = "--session-daemon";

/** Messages between the first process and the session process (over the inherited IPC channel; the key never touches argv or env). */
export type DaemonMessage =
  | { type: "stderr"; text: string }
  | { type: "ready"; port: number; key: string }
  | { type: "fail"; text: string };

/**
 * Runs the detached session process started by the first process: receives its configuration
 * over the IPC channel, and reports bind warnings, the port and key back over it (the key never
 * touches argv or env); then serves the session. Resolves with the exit status.
 */
export async function runServerDaemon(argv0: string): Promise<number> {
  const config = await new Promise<ServerConfig | null>((resolve) => {
    if (!process.send) {
      resolve(null);
      return;
    }
    process.once("message", (m) => resolve(m as ServerConfig));
    process.once("disconnect", () => resolve(null));
  });
  if (config === null) return 1;
  const send = (m: DaemonMessage, cb: () => void = () => undefined): void => {
    if (process.connected && process.send) process.send(m, () => cb());
    else cb();
  };
  return serveSession(config, argv0, {
    stderr(text) {
      if (process.connected) send({ type: "stderr", text });
      else if (config.verbose > 0) process.stderr.write(text);
    },
    fail: (text) => send({ type: "fail", text }),
    ready: (port, key) => new Promise((resolve) => send({ type: "ready", port, key }, resolve)),
    done() {
      if (process.connected) process.disconnect();
    },
  });
}
