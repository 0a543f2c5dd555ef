// Starts the built mosh-ts-server (dist/bin) like Debian's mosh-server for interop tests, and kills its detached session afterwards.
import { join } from "node:path";
import { parseMoshConnect } from "./mosh-server.js";
import { isAlive, killTree, runDetached, track, untrack } from "./procs.js";

/** The built server (run `npx tsup` first). */
export const TS_SERVER = join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-ts-server.js");

/** Options of {@link startTsServer}. */
export interface TsServerOptions {
  /** The command (default `["/bin/sh"]` with PS1='$ '). */
  command?: string[];
  /** Extra environment (on top of PATH, HOME, LANG=C.UTF-8, PS1). */
  env?: Record<string, string>;
  /** Options before `--` (default `-i 127.0.0.1 -p 0`). */
  args?: string[];
  /** How long to wait for MOSH CONNECT (ms, default 10000). */
  timeoutMs?: number;
}

/** A running mosh-ts-server session. */
export interface TsServer {
  readonly port: number;
  /** The session key; keep it out of command lines and logs. */
  readonly key: string;
  /** Pid of the detached session process. */
  readonly pid: number;
  /** What the first process printed. */
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status of the first process. */
  readonly parentStatus: number | null;
  /** Kills the session process and everything under it. Idempotent. */
  stop(): Promise<void>;
}

/** Parses `[mosh-ts-server detached, pid = N]`. */
export function parseTsDetachedPid(stderr: string): number | null {
  const m = /\[mosh-ts-server detached, pid = (\d+)\]/.exec(stderr);
  return m ? Number(m[1]) : null;
}

/** Runs `mosh-ts-server new … -- COMMAND`, waits for it to detach, and tracks the session process for cleanup. */
export async function startTsServer(opts: TsServerOptions = {}): Promise<TsServer> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    PS1: "$ ",
    ...opts.env,
  };
  const args = [
    "new",
    ...(opts.args ?? ["-i", "127.0.0.1", "-p", "0"]),
    "--",
    ...(opts.command ?? ["/bin/sh"]),
  ];
  const { child, code, stdout, stderr } = await runDetached(process.execPath, [TS_SERVER, ...args], {
    env,
    timeoutMs: opts.timeoutMs,
  });
  const connect = parseMoshConnect(stdout);
  const pid = parseTsDetachedPid(stderr);
  if (connect === null || pid === null) {
    if (child.pid !== undefined) await killTree(child.pid, { group: true, graceMs: 200 });
    throw new Error(`mosh-ts-server did not start (exit ${code}); stderr: ${stderr.trim()}`);
  }
  track(pid, { group: true, label: "mosh-ts-server session" });
  let stopped = false;
  return {
    port: connect.port,
    key: connect.key,
    pid,
    stdout,
    stderr,
    parentStatus: code,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (isAlive(pid)) await killTree(pid, { group: true });
      untrack(pid);
      if (child.pid !== undefined) untrack(child.pid);
    },
  };
}
