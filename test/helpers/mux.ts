// A private socket directory for mosh-mux's background processes in one test, finding those processes, and killing them by pid afterwards.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive, killTree, onCleanup } from "./procs.js";
import { startTmux, type TmuxSession } from "./tmux.js";

/** A test's own `XDG_RUNTIME_DIR`, so its mosh-mux servers are its own. */
export interface MuxRuntime {
  /** The directory (mode 0700). */
  readonly dir: string;
  /** Environment for mosh-mux: `XDG_RUNTIME_DIR`. */
  readonly env: { XDG_RUNTIME_DIR: string };
  /** The socket of name `name`. */
  socket(name?: string): string;
  /** Pids of the mosh-mux background processes started under this directory. */
  servers(): number[];
  /** Waits until no background process is left (rejects after `timeoutMs`). */
  waitNoServer(timeoutMs?: number): Promise<void>;
}

function environOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return null;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1");
  } catch {
    return "";
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

/** Creates the directory; after the test, kills every mosh-mux server found under it (by pid) and removes it. */
export function muxRuntime(): MuxRuntime {
  const dir = mkdtempSync(join(tmpdir(), "mosh-mux-test-"));
  const marker = `XDG_RUNTIME_DIR=${dir}\0`;
  const servers = (): number[] => {
    const found: number[] = [];
    for (const name of readdirSync("/proc")) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid <= 0 || !cmdlineOf(pid).includes("mosh-mux-server")) continue;
      if (environOf(pid)?.includes(marker) && isAlive(pid)) found.push(pid);
    }
    // A pane's program between fork and exec still looks like its server: not a server.
    const set = new Set(found);
    return found.filter((pid) => !set.has(parentOf(pid)));
  };
  onCleanup(async () => {
    for (const pid of servers()) await killTree(pid);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    env: { XDG_RUNTIME_DIR: dir },
    socket: (name = "default") => join(dir, "mosh-mux", name),
    servers,
    async waitNoServer(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (servers().length > 0) {
        if (Date.now() > deadline) throw new Error(`mosh-mux server still running: ${servers().join(" ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The built mosh-mux program. */
export const MOSH_MUX = join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-mux.js");

/** How {@link startMuxInTmux} runs mosh-mux. */
export interface MuxInTmuxOptions {
  cols: number;
  rows: number;
  /** More environment for the tmux server (after PS1, SHELL and XDG_CONFIG_HOME; the runtime's last). */
  env?: Record<string, string>;
  /** Words before `node mosh-mux.js` (an `env …` that changes mosh-mux's own environment). */
  wrap?: string[];
  /** Shell run after mosh-mux exits and `EXIT=n` is printed, before the pane sleeps. */
  after?: string;
}

/**
 * Runs `mosh-mux --no-config args` in a fresh tmux with the runtime's socket directory; its exit
 * status shows as `EXIT=n` in the pane, which then stays (sleep).
 */
export function startMuxInTmux(rt: MuxRuntime, args: string[], o: MuxInTmuxOptions): Promise<TmuxSession> {
  return startTmux({
    cols: o.cols,
    rows: o.rows,
    command: [
      "sh",
      "-c",
      `"$@"; echo "EXIT=$?"; ${o.after ? `${o.after}; ` : ""}exec sleep 600`,
      "sh",
      ...(o.wrap ?? []),
      process.execPath,
      MOSH_MUX,
      "--no-config",
      ...args,
    ],
    env: { PS1: "$ ", SHELL: "/bin/sh", XDG_CONFIG_HOME: "/nonexistent", ...o.env, ...rt.env },
  });
}
