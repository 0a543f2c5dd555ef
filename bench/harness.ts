// Benchmark plumbing: starting both servers, a real mosh-client in tmux, /proc readings, process cleanup and tables.
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { TMUX_BOOT_ARGS } from "../test/helpers/tmux-args.js";

/** The repository root (bench/run.mjs runs from a bundle under .tmp/bench, so the working directory counts). */
export const ROOT = process.env.MOSH_TS_ROOT ?? process.cwd();
/** The built mosh-ts-server (`npx tsup`), or the program named by MOSH_TS_SERVER (to compare two builds). */
export const TS_SERVER = process.env.MOSH_TS_SERVER ?? join(ROOT, "dist", "bin", "mosh-ts-server.js");
/** Debian's mosh-server. */
export const MOSH_SERVER = "/usr/bin/mosh-server";
/** Debian's mosh-client. */
export const MOSH_CLIENT = "/usr/bin/mosh-client";
/** The built mosh-ts-client (`npx tsup`), run as a program (its first line starts Node), or MOSH_TS_CLIENT. */
export const TS_CLIENT = process.env.MOSH_TS_CLIENT ?? join(ROOT, "dist", "bin", "mosh-ts-client.js");

/** Which client program runs in tmux. */
export type ClientProgram = "mosh-client" | "mosh-ts-client";

/** Which server implementation. */
export type Impl = "mosh-ts" | "mosh";

/** A sleep. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Milliseconds from a monotonic clock. */
export const now = (): number => performance.now();

// ---- process tracking -------------------------------------------------------------------------------

/** A process we started: a pid, or a process group (negative number means a group). */
const tracked = new Set<number>();
/** Every pid we ever tracked (with its start time), to check at the end that none survived. */
const everTracked = new Map<number, string>();
const cleanups: Array<() => void | Promise<void>> = [];

/** Fields of /proc/PID/stat, or null if gone. */
export function procStat(
  pid: number,
): { state: string; ppid: number; pgid: number; utime: number; stime: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime is field 14, stime field 15
  return {
    state: rest[0],
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    utime: Number(rest[11]),
    stime: Number(rest[12]),
  };
}

/** Clock ticks per second of /proc/PID/stat times. */
const clkTck = ((): number => {
  try {
    const n = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) of the process itself, children excluded; NaN if it is gone. */
export function cpuSeconds(pid: number): number {
  const st = procStat(pid);
  return st === null ? Number.NaN : (st.utime + st.stime) / clkTck;
}

/** Peak resident set size (VmHWM) in MiB; NaN if the process is gone. */
export function peakRssMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Memory of one process in KiB: resident (RSS), proportional (PSS), private (USS), shared, peak RSS. */
export interface MemInfo {
  /** Resident set size (smaps_rollup Rss). */
  rss: number;
  /** Proportional set size: private pages plus each shared page divided by its sharers. */
  pss: number;
  /** Unique set size: Private_Clean + Private_Dirty (what ending the process frees). */
  uss: number;
  /** Shared_Clean + Shared_Dirty (mostly the program's file pages, shared with its other processes). */
  shared: number;
  /** Peak resident set size (VmHWM). */
  hwm: number;
}

/** One reading of /proc/PID/smaps_rollup and VmHWM (KiB); null if the process is gone. */
export function memInfo(pid: number): MemInfo | null {
  let rollup: string;
  let status: string;
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const field = (text: string, name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) : 0;
  };
  return {
    rss: field(rollup, "Rss"),
    pss: field(rollup, "Pss"),
    uss: field(rollup, "Private_Clean") + field(rollup, "Private_Dirty"),
    shared: field(rollup, "Shared_Clean") + field(rollup, "Shared_Dirty"),
    hwm: field(status, "VmHWM"),
  };
}

/** Samples {@link memInfo} of `pid` every `everyMs` and keeps each field's maximum, until stopped. */
export function memSampler(pid: number, everyMs = 25): { stop(): MemInfo } {
  const peak: MemInfo = { rss: 0, pss: 0, uss: 0, shared: 0, hwm: 0 };
  const sample = (): void => {
    const m = memInfo(pid);
    if (!m) return;
    for (const k of Object.keys(peak) as (keyof MemInfo)[]) peak[k] = Math.max(peak[k], m[k]);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { ...peak };
    },
  };
}

/** Resident set size now (VmRSS) in MiB; NaN if the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * The receive queue (bytes) and drop counter of the IPv4 UDP socket bound to local `port`, from /proc/net/udp;
 * null if there is none.
 */
export function udpSocketStats(port: number): { rxQueue: number; drops: number } | null {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let text: string;
  try {
    text = readFileSync("/proc/net/udp", "latin1");
  } catch {
    return null;
  }
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (f.length >= 13 && f[1].endsWith(hexPort)) {
      return { rxQueue: Number.parseInt(f[4].split(":")[1], 16), drops: Number(f[12]) };
    }
  }
  return null;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const st = procStat(pid);
  return st !== null && st.state !== "Z" && st.state !== "X";
}

function allPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    const n = Number(name);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}

/** `pid`'s live descendants, plus the live members of the groups in `groups` and theirs. */
function treeOf(pids: number[], groups: number[]): Set<number> {
  const children = new Map<number, number[]>();
  const result = new Set<number>();
  for (const p of allPids()) {
    const st = procStat(p);
    if (st === null || st.state === "Z") continue;
    const list = children.get(st.ppid);
    if (list) list.push(p);
    else children.set(st.ppid, [p]);
    if (groups.includes(st.pgid)) result.add(p);
  }
  const stack = [...pids.filter(isAlive), ...result];
  for (const p of stack) result.add(p);
  while (stack.length > 0) {
    const p = stack.pop() as number;
    for (const c of children.get(p) ?? []) {
      if (!result.has(c)) {
        result.add(c);
        stack.push(c);
      }
    }
  }
  return result;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

/** SIGTERM to the pids, groups and their descendants; SIGKILL to what is left after `graceMs`. */
export async function killAll(pids: number[], groups: number[], graceMs = 1000): Promise<void> {
  const all = treeOf(pids, groups);
  for (const g of groups) signal(-g, "SIGTERM");
  for (const p of all) signal(p, "SIGTERM");
  const deadline = now() + graceMs;
  const anyAlive = (): boolean => [...all].some(isAlive);
  while (anyAlive() && now() < deadline) await sleep(10);
  if (!anyAlive()) return;
  for (const p of treeOf([...all], groups)) all.add(p);
  for (const g of groups) signal(-g, "SIGKILL");
  for (const p of all) if (isAlive(p)) signal(p, "SIGKILL");
  const hard = now() + 2000;
  while (anyAlive() && now() < hard) await sleep(10);
}

/** Registers a pid (positive) or a process group (negative) for the final cleanup. */
export function track(pidOrGroup: number): void {
  tracked.add(pidOrGroup);
  if (pidOrGroup > 0) everTracked.set(pidOrGroup, startTime(pidOrGroup));
}

function startTime(pid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

/** Pids we started that are still alive (same pid and start time), for the final check. */
export function survivors(): number[] {
  return [...everTracked].filter(([pid, start]) => isAlive(pid) && startTime(pid) === start).map(([p]) => p);
}

/** Registers a cleanup function for the final cleanup (run before tracked processes are killed). */
export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

/** Kills one tracked pid/group now and forgets it. */
export async function release(pids: number[], groups: number[]): Promise<void> {
  await killAll(pids, groups);
  for (const p of pids) tracked.delete(p);
  for (const g of groups) tracked.delete(-g);
}

/** Runs the cleanups and kills every tracked process. Never throws. */
export async function cleanupAll(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch {
      // keep going
    }
  }
  const pids = [...tracked].filter((p) => p > 0);
  const groups = [...tracked].filter((p) => p < 0).map((g) => -g);
  tracked.clear();
  await killAll(pids, groups);
}

/** Runs `main`, then cleans up, also on an error or SIGINT/SIGTERM; sets the exit code. */
export async function runBenchmark(main: () => Promise<void>): Promise<void> {
  const onSignal = (sig: NodeJS.Signals): void => {
    console.error(`\n${sig}: cleaning up`);
    void cleanupAll().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // A closed output pipe (`npm run bench | head`) must clean up too, not leave tmux servers behind.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") void cleanupAll().then(() => process.exit(141));
    });
  process.once("exit", () => {
    for (const p of tracked) signal(p, "SIGKILL");
  });
  try {
    await main();
  } catch (err) {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  } finally {
    await cleanupAll();
  }
  const left = survivors();
  console.log(
    left.length === 0
      ? `\ncleanup: all ${everTracked.size} server/tmux processes started by this run are gone`
      : `\ncleanup: STILL ALIVE: ${left.join(" ")}`,
  );
  // Nothing of ours should keep the loop alive, but a stray socket must not hang the run.
  setTimeout(() => process.exit(), 200).unref();
}

// ---- servers ---------------------------------------------------------------------------------------

/** A running server session (either implementation), started through its CLI with `new -p 0`. */
export interface ServerHandle {
  readonly impl: Impl;
  readonly port: number;
  /** The session key (never printed). */
  readonly key: string;
  /** Milliseconds from spawning the command to reading `MOSH CONNECT`. */
  readonly connectLineMs: number;
  /** Resolves with the pid of the detached server process (from the detach banner). */
  readonly pid: Promise<number>;
  /** Everything the server printed so far (stdout holds MOSH CONNECT and so the key: never print it). */
  output(): { stdout: string; stderr: string };
  /** Kills the server process, its children and the first process's group. Idempotent. */
  stop(): Promise<void>;
}

/**
 * mosh-ts-server runs as a program (as ssh runs it: its first line picks the interpreter), or with
 * MOSH_TS_BENCH_VIA_NODE=1 as `node PROGRAM` (as the tests run it).
 */
const VIA_NODE = process.env.MOSH_TS_BENCH_VIA_NODE === "1";

/**
 * With MOSH_TS_BENCH_VIA_NODE=1, Node's arguments before the program (space-separated), which its
 * session process inherits: to profile it under a benchmark, `--cpu-prof --cpu-prof-dir=DIR`.
 */
const NODE_ARGS = (process.env.MOSH_TS_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");

/** Environment of both servers' sessions. */
function serverEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    PS1: "$ ",
  };
}

/** Extra options of {@link startServer}. */
export interface StartServerOptions {
  /** Server options placed before `--` (after `-i 127.0.0.1 -p 0 -l LANG=C.UTF-8`), e.g. `["-v"]`. */
  args?: string[];
  /** Extra environment of the server and its session (on top of PATH, HOME, LANG, PS1). */
  env?: Record<string, string>;
  /** The file mode creation mask the server starts with (default: this process's). */
  umask?: number;
}

/**
 * Starts `mosh-ts-server new -i 127.0.0.1 -p 0 -l LANG=C.UTF-8 -- /bin/sh` (or Debian's mosh-server with the
 * same arguments); resolves as soon as `MOSH CONNECT` is read. `t0` is when the spawn started.
 * `tsServer` is the mosh-ts-server program to run (default {@link TS_SERVER}).
 */
export async function startServer(
  impl: Impl,
  command: string[] = ["/bin/sh"],
  tsServer: string = TS_SERVER,
  opts: StartServerOptions = {},
): Promise<ServerHandle> {
  if (impl === "mosh-ts" && !existsSync(tsServer)) throw new Error(`${tsServer} is missing: run npx tsup`);
  if (impl === "mosh" && !existsSync(MOSH_SERVER))
    throw new Error(`${MOSH_SERVER} is missing (apt install mosh)`);
  const args = [
    "new",
    "-i",
    "127.0.0.1",
    "-p",
    "0",
    "-l",
    "LANG=C.UTF-8",
    ...(opts.args ?? []),
    "--",
    ...command,
  ];
  const env = { ...serverEnv(), ...opts.env };
  const t0 = now();
  // A child inherits the umask: set ours for the spawn only.
  const savedUmask = opts.umask === undefined ? null : process.umask(opts.umask);
  let child: ChildProcess;
  try {
    child =
      impl === "mosh-ts"
        ? spawn(VIA_NODE ? process.execPath : tsServer, VIA_NODE ? [...NODE_ARGS, tsServer, ...args] : args, {
            detached: true,
            env,
            stdio: ["ignore", "pipe", "pipe"],
          })
        : spawn(MOSH_SERVER, args, { detached: true, env, stdio: ["ignore", "pipe", "pipe"] });
  } finally {
    if (savedUmask !== null) process.umask(savedUmask);
  }
  child.on("error", () => undefined);
  const firstPid = child.pid ?? 0;
  if (firstPid > 0) track(-firstPid);
  let stdout = "";
  let stderr = "";
  const bannerRe =
    impl === "mosh-ts" ? /\[mosh-ts-server detached, pid = (\d+)\]/ : /\[mosh-server detached, pid = (\d+)\]/;
  let daemon = 0;
  const pid = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${impl} server: no detach banner`)), 15000);
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      const m = bannerRe.exec(stderr);
      if (m && daemon === 0) {
        daemon = Number(m[1]);
        track(daemon);
        clearTimeout(timer);
        resolve(daemon);
      }
    });
    child.once("close", () => {
      if (daemon === 0) {
        clearTimeout(timer);
        reject(new Error(`${impl} server exited without detaching: ${stderr.trim()}`));
      }
    });
  });
  pid.catch(() => undefined);
  const connect = await new Promise<{ port: number; key: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${impl} server: no MOSH CONNECT`)), 15000);
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const m = /^MOSH CONNECT (\d+) ([A-Za-z0-9/+]{22})\s*$/m.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), key: m[2] });
      }
    });
    child.once("close", () => {
      clearTimeout(timer);
      reject(new Error(`${impl} server did not print MOSH CONNECT: ${stderr.trim()}`));
    });
  });
  const connectLineMs = now() - t0;
  let stopped = false;
  return {
    impl,
    port: connect.port,
    key: connect.key,
    connectLineMs,
    pid,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (stopped) return;
      stopped = true;
      const d = daemon > 0 ? [daemon] : [];
      await release(d, firstPid > 0 ? [firstPid] : []);
      // mosh-ts-server's session process leads its own group (setsid); Debian's daemon also calls setsid.
      if (daemon > 0) await release([], [daemon]);
    },
  };
}

// ---- the real mosh-client in tmux --------------------------------------------------------------------

/** A private tmux server (own socket, no config) that runs Debian's mosh-client (or mosh-ts-client) on demand. */
export interface TmuxClient {
  /** Which client program `launch` runs. */
  readonly program: ClientProgram;
  /**
   * Starts `mosh-client 127.0.0.1 PORT` in an 80x24 window; the key goes through a 0600 file, never argv
   * (nor tmux's environment). `env` is extra, non-secret environment for the client; `umask` its file mode
   * creation mask (octal digits, e.g. "000").
   */
  launch(port: number, key: string, env?: Record<string, string>, umask?: string): Promise<void>;
  /** Starts any program in the 80x24 window instead (e.g. the `mosh` wrapper); `env` is extra environment. */
  exec(argv: string[], env?: Record<string, string>): Promise<void>;
  /** Pid of the client process (the pane's process: the client is exec'd). */
  pid(): Promise<number>;
  /** The visible screen (trailing blanks trimmed by tmux); with `join`, wrapped lines joined. */
  capture(opts?: { join?: boolean }): Promise<string>;
  /** Sends literal text. */
  type(text: string): Promise<void>;
  /** Sends raw bytes. */
  bytes(hex: string[]): Promise<void>;
  /** Polls every `pollMs` until the screen matches; resolves with the time it matched (ms, monotonic). */
  waitFor(re: RegExp, timeoutMs: number, pollMs?: number): Promise<number>;
  /** Kills the window's programs (the client) and the tmux server. */
  kill(): Promise<void>;
}

let tmuxCounter = 0;

/** Starts a private tmux server for one mosh-client or mosh-ts-client (and registers it for cleanup). */
export async function startTmuxClient(program: ClientProgram = "mosh-client"): Promise<TmuxClient> {
  const binary = program === "mosh-client" ? MOSH_CLIENT : TS_CLIENT;
  if (!existsSync(binary)) throw new Error(`${binary} is missing`);
  const socket = `mosh-ts-bench-${process.pid}-${++tmuxCounter}`;
  const dir = mkdtempSync(join(tmpdir(), "mosh-ts-bench-"));
  const env = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
  };
  const tmux = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile(
        "tmux",
        ["-L", socket, "-f", "/dev/null", ...args],
        { env, encoding: "utf8" },
        (err, out, e) =>
          err ? reject(new Error(`tmux ${args[0]}: ${e.trim() || err.message}`)) : resolve(out),
      ),
    );
  await tmux([
    ...TMUX_BOOT_ARGS,
    ";",
    "new-session",
    "-d",
    "-s",
    "idle",
    "-x",
    "80",
    "-y",
    "24",
    "--",
    "/bin/sleep",
    "3600",
  ]);
  const serverPid = Number((await tmux(["display-message", "-p", "-t", "idle", "#{pid}"])).trim());
  track(serverPid);
  let killed = false;
  const kill = async (): Promise<void> => {
    if (killed) return;
    killed = true;
    await tmux(["kill-server"]).catch(() => undefined);
    await release([serverPid], []);
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(process.env.TMUX_TMPDIR ?? tmpdir(), `tmux-${process.getuid?.() ?? 0}`, socket), {
      force: true,
    });
  };
  onCleanup(kill);
  const capture = (o: { join?: boolean } = {}): Promise<string> =>
    tmux(["capture-pane", "-p", ...(o.join ? ["-J"] : []), "-t", "main"]);
  return {
    program,
    async launch(port, key, extraEnv = {}, umask) {
      if (umask !== undefined && !/^[0-7]{1,4}$/.test(umask)) throw new Error(`bad umask ${umask}`);
      const keyFile = join(dir, "key");
      writeFileSync(keyFile, key, { mode: 0o600 });
      const script = `MOSH_KEY=$(cat '${keyFile}'); rm -f '${keyFile}'; export MOSH_KEY; ${umask === undefined ? "" : `umask ${umask}; `}exec ${binary} 127.0.0.1 ${port}`;
      const envArgs = Object.entries(extraEnv).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
      await tmux([
        "new-session",
        "-d",
        "-s",
        "main",
        "-x",
        "80",
        "-y",
        "24",
        ...envArgs,
        "--",
        "/bin/sh",
        "-c",
        script,
      ]);
    },
    async exec(argv, extraEnv = {}) {
      const envArgs = Object.entries(extraEnv).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
      await tmux(["new-session", "-d", "-s", "main", "-x", "80", "-y", "24", ...envArgs, "--", ...argv]);
    },
    async pid() {
      return Number((await tmux(["display-message", "-p", "-t", "main", "#{pane_pid}"])).trim());
    },
    capture,
    async type(text) {
      await tmux(["send-keys", "-t", "main", "-l", "--", text]);
    },
    async bytes(hex) {
      await tmux(["send-keys", "-t", "main", "-H", ...hex]);
    },
    async waitFor(re, timeoutMs, pollMs = 5) {
      const deadline = now() + timeoutMs;
      let screen = "";
      for (;;) {
        screen = await capture().catch(() => "");
        const t = now();
        if (re.test(screen.replace(/\n+$/, ""))) return t;
        if (t > deadline) throw new Error(`${program}: ${String(re)} not on screen; screen:\n${screen}`);
        await sleep(pollMs);
      }
    },
    kill,
  };
}

// ---- statistics and tables -------------------------------------------------------------------------

/** The median of the finite numbers in `xs` (NaN if none). */
export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Prints a plain-text table; the first column is left-aligned, the others right-aligned. */
export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

/** Formats a number with `digits` decimals ("-" for NaN). */
export function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "-";
}

/** Formats a byte count as KiB with one decimal below 10 MiB, else MiB. */
export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return "-";
  return b >= 10 * 1024 * 1024 ? `${(b / 1048576).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`;
}

/** A header line: what, when, where. */
export function banner(what: string): void {
  const cpus = readFileSync("/proc/cpuinfo", "utf8").match(/^processor\s*:/gm)?.length ?? 0;
  console.log(`${what}`);
  console.log(
    `date ${new Date().toISOString()}  node ${process.version}  ${cpus} CPUs  load ${loadavg()[0].toFixed(2)}  loopback 127.0.0.1  80x24`,
  );
}
