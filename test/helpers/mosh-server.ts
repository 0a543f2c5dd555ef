// Starts Debian's real mosh-server on loopback for interop tests, and kills its detached daemon afterwards.
import { isAlive, killTree, runDetached, track, untrack } from "./procs.js";

/** Where Debian installs the real server. */
export const REAL_MOSH_SERVER = "/usr/bin/mosh-server";

/** Options of {@link startRealMoshServer}. */
export interface RealMoshServerOptions {
  /** Program the session runs (default `["/bin/sh"]`, with `PS1='$ '` in its environment). */
  command?: string[];
  /** Extra environment for mosh-server and the session (on top of PATH, HOME, LANG=C.UTF-8, PS1). */
  env?: Record<string, string>;
  /** Port or `LOW:HIGH` range for `-p` (default 0: any free port). */
  port?: number | string;
  /** Address for `-i` (default "127.0.0.1"; "::1" for IPv6). */
  ip?: string;
  /** Extra mosh-server options placed before `--`, e.g. `["-c", "256"]`. */
  args?: string[];
  /** Path of the mosh-server binary (default {@link REAL_MOSH_SERVER}). */
  binary?: string;
  /** How long to wait for MOSH CONNECT, in ms (default 10000). */
  timeoutMs?: number;
}

/** A running real mosh-server session. */
export interface RealMoshServer {
  /** UDP port the server listens on. */
  readonly port: number;
  /** The session key (base64, 22 characters). Keep it out of command lines and logs. */
  readonly key: string;
  /** Pid of the detached daemon. */
  readonly pid: number;
  /** Address it listens on. */
  readonly ip: string;
  /** Kills the daemon and everything under it (the session's shell). Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the daemon has exited by itself; rejects after `timeoutMs` (default 10000). */
  waitForExit(timeoutMs?: number): Promise<void>;
}

/** Parses `MOSH CONNECT <port> <key>` from mosh-server's stdout. */
export function parseMoshConnect(stdout: string): { port: number; key: string } | null {
  const m = /^MOSH CONNECT (\d+) ([A-Za-z0-9/+]{22})\s*$/m.exec(stdout);
  return m ? { port: Number(m[1]), key: m[2] } : null;
}

/** Parses the daemon's pid from mosh-server's `[mosh-server detached, pid = N]` stderr line. */
export function parseDetachedPid(stderr: string): number | null {
  const m = /\[mosh-server detached, pid = (\d+)\]/.exec(stderr);
  return m ? Number(m[1]) : null;
}

/**
 * Runs `mosh-server new -i IP -p PORT -l LANG=C.UTF-8 -- COMMAND` with LANG=C.UTF-8, waits for it to print
 * MOSH CONNECT and detach, and tracks the daemon (and the process group it stays in) for cleanup.
 * Errors never contain the key (stdout is not quoted in them).
 */
export async function startRealMoshServer(opts: RealMoshServerOptions = {}): Promise<RealMoshServer> {
  const ip = opts.ip ?? "127.0.0.1";
  const command = opts.command ?? ["/bin/sh"];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    PS1: "$ ",
    ...opts.env,
  };
  const args = [
    "new",
    "-i",
    ip,
    "-p",
    String(opts.port ?? 0),
    "-l",
    "LANG=C.UTF-8",
    ...(opts.args ?? []),
    "--",
    ...command,
  ];
  // detached: its own process group, which the daemon stays in after mosh-server forks.
  const outcome = await runDetached(opts.binary ?? REAL_MOSH_SERVER, args, {
    env,
    timeoutMs: opts.timeoutMs,
  });
  const { child, stdout, stderr } = outcome;
  const connect = parseMoshConnect(stdout);
  const pid = parseDetachedPid(stderr);
  if (outcome.error || connect === null || pid === null) {
    if (child.pid !== undefined) await killTree(child.pid, { group: true, graceMs: 200 });
    const why = outcome.error ? outcome.error.message : `exit code ${outcome.code}`;
    throw new Error(`mosh-server did not start (${why}); stderr: ${stderr.trim()}`);
  }
  track(pid, { label: "mosh-server daemon" });
  let stopped = false;
  return {
    port: connect.port,
    key: connect.key,
    pid,
    ip,
    async waitForExit(timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      while (isAlive(pid)) {
        if (Date.now() > deadline) throw new Error(`mosh-server ${pid} still running after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (isAlive(pid)) await killTree(pid);
      if (child.pid !== undefined) await killTree(child.pid, { group: true });
      untrack(pid);
      if (child.pid !== undefined) untrack(child.pid);
    },
  };
}
