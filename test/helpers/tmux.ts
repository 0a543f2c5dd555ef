// Drives a program in a private tmux server (own socket, no config) for terminal-level tests.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, isAlive, killPids, onCleanup, track, untrack } from "./procs.js";
import { TMUX_BOOT_ARGS } from "./tmux-args.js";

/** Options of {@link startTmux}. */
export interface TmuxOptions {
  /** Width of the window (default 80). */
  cols?: number;
  /** Height of the window (default 24); the status line is off, so the pane gets every row. */
  rows?: number;
  /** Program and arguments, executed directly (never through a shell: bash -c would drop PS1, for one). */
  command: string[];
  /**
   * Extra environment for the program. It goes into the environment of the tmux server (started for this
   * session alone), never onto a command line, so secrets such as MOSH_KEY stay out of `ps`.
   */
  env?: Record<string, string>;
  /** Working directory of the program. */
  cwd?: string;
}

/** A program running in its own tmux server. */
export interface TmuxSession {
  /** The `-L` socket name of the private server. */
  readonly socketName: string;
  /** Pid of the tmux server. */
  readonly serverPid: number;
  /** Sends keys: tmux key names ("Enter", "C-c") by default, or literal text with `{ literal: true }`. */
  sendKeys(keys: string | string[], opts?: { literal?: boolean }): Promise<void>;
  /** Sends raw bytes (e.g. `"\x1e."`), as typed, whatever they are. */
  sendBytes(data: string | Uint8Array): Promise<void>;
  /** The visible screen, one line per row (trailing spaces trimmed); with `escapes`, SGR attributes too. */
  capture(opts?: { escapes?: boolean }): Promise<string>;
  /** Polls the screen until it contains `text` (or matches it); resolves with that screen, rejects on timeout. */
  waitForText(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Polls the screen until `accept(screen)` holds; resolves with that screen, rejects on timeout. */
  waitForScreen(accept: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Resizes the window (and so the pane). */
  resize(cols: number, rows: number): Promise<void>;
  /** Pid of the program in the pane. */
  panePid(): Promise<number>;
  /** Expands a tmux format string for the pane (e.g. `#{alternate_on}`). */
  format(fmt: string): Promise<string>;
  /** Whether the program has exited (the pane stays, showing its last screen). */
  isDead(): Promise<boolean>;
  /** Waits until the program exits; resolves with its exit status (null if it died of a signal); rejects on timeout. */
  waitForExit(timeoutMs?: number): Promise<number | null>;
  /** Runs a tmux command on this server (e.g. `["show-buffer"]`); resolves with its output. */
  command(args: string[]): Promise<string>;
  /** Kills the server (`kill-server`, then by pid with its descendants) and removes its socket. Idempotent. */
  kill(): Promise<void>;
}

let counter = 0;
const TARGET = "main";

function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
  };
}

function runTmux(socketName: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "tmux",
      ["-L", socketName, "-f", "/dev/null", ...args],
      { env, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`tmux ${args[0]} failed: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts `command` in a fresh private tmux server, `cols`×`rows`, LANG=C.UTF-8, status line off, remain-on-exit on. */
export async function startTmux(opts: TmuxOptions): Promise<TmuxSession> {
  const cols = opts.cols ?? 80;
  const rows = opts.rows ?? 24;
  const socketName = `mosh-ts-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const env = baseEnv();
  const tmux = (args: string[]): Promise<string> => runTmux(socketName, args, env);
  const socketPath = join(process.env.TMUX_TMPDIR ?? tmpdir(), `tmux-${process.getuid?.() ?? 0}`, socketName);

  // The server starts with the program's environment as its global environment (not on any command line).
  await runTmux(socketName, [...TMUX_BOOT_ARGS], { ...env, ...opts.env });
  let serverPid = 0;
  let killed = false;
  const kill = async (): Promise<void> => {
    if (killed) return;
    killed = true;
    const pids = serverPid > 0 && isAlive(serverPid) ? [serverPid, ...descendants(serverPid)] : [];
    await tmux(["kill-server"]).catch(() => undefined);
    await killPids(pids);
    if (serverPid > 0) untrack(serverPid);
    rmSync(socketPath, { force: true });
  };
  onCleanup(kill);
  try {
    // tmux runs a lone argument through `default-shell -c`; through env(1) it is executed directly instead.
    const argv = opts.command.length === 1 ? ["/usr/bin/env", "--", opts.command[0]] : opts.command;
    const newSession = ["new-session", "-d", "-s", TARGET, "-x", String(cols), "-y", String(rows)];
    if (opts.cwd !== undefined) newSession.push("-c", opts.cwd);
    await tmux([...newSession, "--", ...argv]);
    serverPid = Number((await tmux(["display-message", "-p", "-t", TARGET, "#{pid}"])).trim());
    track(serverPid, { label: "tmux server" });
  } catch (err) {
    await kill();
    throw err;
  }

  const capture = async (o: { escapes?: boolean } = {}): Promise<string> =>
    tmux(["capture-pane", "-p", ...(o.escapes ? ["-e"] : []), "-t", TARGET]);

  const format = async (fmt: string): Promise<string> =>
    (await tmux(["display-message", "-p", "-t", TARGET, fmt])).trim();

  const kickServer = (): void => {
    try {
      process.kill(serverPid, "SIGCHLD");
    } catch {
      // server gone
    }
  };

  const waitForScreen = async (
    accept: (screen: string) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    for (;;) {
      screen = await capture();
      if (accept(screen)) return screen;
      if (Date.now() >= deadline) break;
      await sleep(50);
    }
    throw new Error(`waitForScreen: ${what} not on screen after ${timeoutMs} ms; screen:\n${screen}`);
  };
  const isDead = async (): Promise<boolean> => (await format("#{pane_dead}")) === "1";

  return {
    socketName,
    serverPid,
    async sendKeys(keys, o = {}) {
      const list = typeof keys === "string" ? [keys] : keys;
      await tmux(["send-keys", "-t", TARGET, ...(o.literal ? ["-l"] : []), "--", ...list]);
    },
    async sendBytes(data) {
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0"));
      await tmux(["send-keys", "-t", TARGET, "-H", ...hex]);
    },
    capture,
    format,
    waitForText(text, timeoutMs = 10_000) {
      const accept = (screen: string): boolean =>
        typeof text === "string" ? screen.includes(text) : text.test(screen);
      return waitForScreen(accept, String(text), timeoutMs);
    },
    waitForScreen,
    async resize(c, r) {
      await tmux(["resize-window", "-t", TARGET, "-x", String(c), "-y", String(r)]);
    },
    async panePid() {
      return Number(await format("#{pane_pid}"));
    },
    isDead,
    command: tmux,
    async waitForExit(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // pane_dead turns 1 when the pty closes, possibly before the exit status is collected
        const [dead, status, sig] = (
          await format("#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}")
        ).split(":");
        if (dead === "1" && status !== "") return Number(status);
        if (dead === "1" && sig !== "") return null;
        // Debian's tmux uses libutempter, whose own SIGCHLD handler can swallow the pane's SIGCHLD
        // (tmux/tmux#311), leaving the child a zombie and the status unknown: nudge the server.
        if (dead === "1") kickServer();
        if (Date.now() >= deadline) throw new Error(`waitForExit: still running after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    kill,
  };
}

/**
 * A tmux command that runs `argv`, then prints `EXIT=<status>` and keeps the pane open, so a test
 * can read the program's last screen and exit status. `mergeStderr` sends its stderr to the pane too.
 */
export function reportingExit(argv: readonly string[], opts: { mergeStderr?: boolean } = {}): string[] {
  return [
    "sh",
    "-c",
    `"$@"${opts.mergeStderr ? " 2>&1" : ""}; echo "EXIT=$?"; exec sleep 600`,
    "sh",
    ...argv,
  ];
}
