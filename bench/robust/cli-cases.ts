// Bad command lines and environments for the three drop-in programs (issue 13 case 6): run each against mosh's program and ours, in a pty where it needs one.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import * as pty from "node-pty";
import {
  type Impl,
  MOSH_CLIENT,
  MOSH_SERVER,
  now,
  ROOT,
  release,
  TS_CLIENT,
  TS_SERVER,
  track,
} from "../harness.js";

/** Which drop-in: mosh-client / mosh-ts-client, mosh-server / mosh-ts-server, mosh / mosh-ts. */
export type CliProgram = "client" | "server" | "wrapper";

/** How our output must relate to mosh's. */
export type CliComparison =
  /** The same text (after naming both programs alike) and the same exit status. */
  | "same"
  /** Both fail (non-zero), with their own texts: mosh's program differs in a way we do not copy. */
  | "both-fail"
  /** Ours fails with a clear error where mosh hangs or aborts; nothing to copy. */
  | "ours-better"
  /** Both succeed (the case is not an error): the same text. */
  | "both-start";

/** One bad command line or environment. */
export interface CliCase {
  /** What is wrong, for the table. */
  what: string;
  program: CliProgram;
  /**
   * Arguments; `{closedPort}` is replaced by a loopback TCP/UDP port nothing listens on, `{busyUdpPort}` by a
   * UDP port held bound during the run, `{silentTcpPort}` by a TCP port that accepts and never says a word.
   */
  args: string[];
  /** Environment on top of PATH, HOME, LANG=C.UTF-8, TERM and (for the client) a valid MOSH_KEY; null unsets. */
  env?: Record<string, string | null>;
  /** Run on a terminal (80x24 pty); otherwise stdin is /dev/null and the output a pipe. */
  tty: boolean;
  compare: CliComparison;
  /** Takes long (mosh-client's 15 s connect timeout): the bench only, not `npm test`. */
  slow?: boolean;
  /** Time limit of a run (default 10 s, 25 s when slow). */
  timeoutMs?: number;
  /** The mosh wrapper takes other arguments for the same thing (e.g. `--ssh="ssh -p N"` for `--ssh-port N`). */
  moshArgs?: string[];
  /** Known difference being fixed elsewhere: shown, not held against us. */
  knownDifference?: string;
}

/** What one program did with one case. */
export interface CliRun {
  /** Exit status, or null if killed. */
  status: number | null;
  /** What it printed (on pipes: stderr, then stdout; on a pty, what the terminal got), escapes removed, no CRs. */
  output: string;
  ms: number;
  /** Killed at the time limit. */
  hung: boolean;
}

const BOGUS = "AAAAAAAAAAAAAAAAAAAAAA";

/** The cases: the malformed MOSH_KEY, bad ports, `-p 0`, huge `-c`, bad `-l`, unreachable host, and more. */
export const CLI_CASES: readonly CliCase[] = [
  // mosh-client / mosh-ts-client
  {
    what: "MOSH_KEY unset",
    program: "client",
    args: ["127.0.0.1", "60001"],
    env: { MOSH_KEY: null },
    tty: true,
    compare: "same",
  },
  {
    what: "MOSH_KEY empty",
    program: "client",
    args: ["127.0.0.1", "60001"],
    env: { MOSH_KEY: "" },
    tty: true,
    compare: "same",
  },
  {
    what: "MOSH_KEY too short",
    program: "client",
    args: ["127.0.0.1", "60001"],
    env: { MOSH_KEY: "c2hvcnQ" },
    tty: true,
    compare: "same",
  },
  {
    what: "MOSH_KEY not base64",
    program: "client",
    args: ["127.0.0.1", "60001"],
    env: { MOSH_KEY: "AAAAAAAAAAAAAAAAAAAAA!" },
    tty: true,
    compare: "same",
  },
  {
    what: "MOSH_KEY not 128 bits",
    program: "client",
    args: ["127.0.0.1", "60001"],
    env: { MOSH_KEY: "AAAAAAAAAAAAAAAAAAAAAB" },
    tty: true,
    compare: "same",
  },
  {
    what: "MOSH_KEY with padding",
    program: "client",
    args: ["127.0.0.1", "60001"],
    env: { MOSH_KEY: "AAAAAAAAAAAAAAAAAAAAAA==" },
    tty: true,
    compare: "same",
  },
  { what: "port not a number", program: "client", args: ["127.0.0.1", "abc"], tty: true, compare: "same" },
  {
    what: "port 70000",
    program: "client",
    args: ["127.0.0.1", "70000"],
    tty: true,
    compare: "ours-better",
    slow: true,
  },
  {
    what: "port 0",
    program: "client",
    args: ["127.0.0.1", "0"],
    tty: true,
    compare: "ours-better",
    slow: true,
  },
  { what: "IP 999.1.1.1", program: "client", args: ["999.1.1.1", "60001"], tty: true, compare: "same" },
  { what: "host name for IP", program: "client", args: ["localhost", "60001"], tty: true, compare: "same" },
  {
    what: "bad IP and bad key",
    program: "client",
    args: ["999.1.1.1", "60001"],
    env: { MOSH_KEY: "c2hvcnQ" },
    tty: true,
    compare: "same",
  },
  { what: "no arguments", program: "client", args: [], tty: true, compare: "same" },
  {
    what: "three arguments",
    program: "client",
    args: ["127.0.0.1", "60001", "x"],
    tty: true,
    compare: "same",
  },
  {
    what: "non-UTF-8 locale",
    program: "client",
    args: ["127.0.0.1", "60001"],
    env: { LANG: "C" },
    tty: true,
    compare: "same",
  },
  {
    what: "bad MOSH_PREDICTION_DISPLAY",
    program: "client",
    args: ["127.0.0.1", "60001"],
    env: { MOSH_PREDICTION_DISPLAY: "bogus", LANG: "C" },
    tty: true,
    compare: "same",
  },
  {
    what: "stdin not a terminal",
    program: "client",
    args: ["127.0.0.1", "60001"],
    tty: false,
    compare: "same",
  },
  {
    what: "unknown option",
    program: "client",
    args: ["--bogus"],
    tty: true,
    compare: "same",
  },
  {
    what: "unreachable server",
    program: "client",
    args: ["127.0.0.1", "{closedPort}"],
    tty: true,
    compare: "both-fail",
    slow: true,
  },
  // mosh-server / mosh-ts-server
  {
    what: "-p not a number",
    program: "server",
    args: ["new", "-p", "abc", "--", "/bin/true"],
    tty: false,
    compare: "same",
  },
  {
    what: "-p 70000",
    program: "server",
    args: ["new", "-p", "70000", "--", "/bin/true"],
    tty: false,
    compare: "same",
  },
  {
    what: "-p high:low",
    program: "server",
    args: ["new", "-p", "5000:4000", "--", "/bin/true"],
    tty: false,
    compare: "same",
  },
  {
    what: "-p 1:2:3",
    program: "server",
    args: ["new", "-p", "1:2:3", "--", "/bin/true"],
    tty: false,
    compare: "same",
  },
  {
    what: "-p 0 (any port)",
    program: "server",
    args: ["new", "-i", "127.0.0.1", "-p", "0", "--", "/bin/true"],
    tty: false,
    compare: "both-start",
  },
  {
    what: "-c 10^20",
    program: "server",
    args: ["new", "-c", "99999999999999999999", "--", "/bin/true"],
    tty: false,
    compare: "same",
  },
  {
    what: "-c not a number",
    program: "server",
    args: ["new", "-c", "many", "--", "/bin/true"],
    tty: false,
    compare: "same",
  },
  {
    what: "-l without a value",
    program: "server",
    args: ["new", "-i", "127.0.0.1", "-l"],
    tty: false,
    compare: "both-start",
  },
  {
    what: "-l LC_ALL=C (not UTF-8)",
    program: "server",
    args: ["new", "-l", "LC_ALL=C", "--", "/bin/true"],
    env: { LANG: "C" },
    tty: false,
    compare: "same",
  },
  {
    what: "-i 999.0.0.1",
    program: "server",
    args: ["new", "-i", "999.0.0.1", "-p", "0", "--", "/bin/true"],
    tty: false,
    compare: "both-start",
  },
  {
    what: "unknown option",
    program: "server",
    args: ["new", "-i", "127.0.0.1", "-x", "--", "/bin/true"],
    tty: false,
    compare: "both-start",
  },
  {
    what: "-p on a port in use",
    program: "server",
    args: ["new", "-i", "127.0.0.1", "-p", "{busyUdpPort}", "--", "/bin/true"],
    tty: false,
    compare: "same",
  },
  {
    what: "non-UTF-8 locale",
    program: "server",
    args: ["new", "--", "/bin/true"],
    env: { LANG: "C" },
    tty: false,
    compare: "same",
  },
  // mosh / mosh-ts
  {
    what: "-p not a number",
    program: "wrapper",
    args: ["-p", "abc", "127.0.0.1"],
    tty: true,
    compare: "both-fail",
  },
  {
    what: "-p 70000",
    program: "wrapper",
    args: ["-p", "70000", "127.0.0.1"],
    tty: true,
    compare: "both-fail",
  },
  {
    what: "-p 0, SSH port closed",
    program: "wrapper",
    args: ["-p", "0", "--ssh-port={closedPort}", "127.0.0.1"],
    moshArgs: ["-p", "0", "--ssh=ssh -p {closedPort}", "127.0.0.1"],
    tty: true,
    compare: "both-fail",
  },
  {
    what: "unreachable host (SSH refused)",
    program: "wrapper",
    args: ["--ssh-port={closedPort}", "127.0.0.1"],
    moshArgs: ["--ssh=ssh -p {closedPort}", "127.0.0.1"],
    tty: true,
    compare: "both-fail",
  },
  {
    what: "SSH server that never answers",
    program: "wrapper",
    args: ["--ssh-port={silentTcpPort}", "127.0.0.1"],
    moshArgs: ["--ssh=ssh -p {silentTcpPort}", "127.0.0.1"],
    tty: true,
    compare: "ours-better",
    slow: true,
    timeoutMs: 45_000,
  },
  {
    what: "bad --predict",
    program: "wrapper",
    args: ["--predict=bogus", "127.0.0.1"],
    tty: true,
    compare: "both-fail",
  },
  { what: "no host", program: "wrapper", args: [], tty: true, compare: "both-fail" },
  {
    what: "--local with a host name",
    program: "wrapper",
    args: ["--local", "nosuchhost"],
    tty: true,
    compare: "both-fail",
  },
];

/** A loopback port (TCP and UDP) nothing listens on now: bound and closed again. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", () => resolve()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** The program of `impl` for `program`. */
export function programPath(impl: Impl, program: CliProgram): string {
  if (program === "client") return impl === "mosh" ? MOSH_CLIENT : TS_CLIENT;
  if (program === "server") return impl === "mosh" ? MOSH_SERVER : TS_SERVER;
  return impl === "mosh" ? "/usr/bin/mosh" : join(ROOT, "dist", "bin", "mosh-ts.js");
}

/**
 * Strips terminal escapes and CRs, so output from a pty reads as plain lines; what was drawn on the alternate
 * screen (mosh-client's session screen) is dropped, as the terminal drops it when the program leaves.
 */
export function plainText(s: string): string {
  return s
    .replace(/\x1b\[\?1049h[\s\S]*?\x1b\[\?1049l/g, "")
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, "")
    .replace(/\x1b\[[0-9;?>=]*[ -/]*[@-~]/g, "")
    .replace(/\x1b[()][0-9A-Za-z]/g, "")
    .replace(/\x1b[=>78cDEHM]/g, "")
    .replace(/\r/g, "");
}

/**
 * Names both implementations alike so their texts compare: program names and paths, the version block's first
 * lines (ours has no copyright line), ports and keys in MOSH CONNECT, pids.
 */
export function normalized(s: string): string {
  return s
    .replace(/^Copyright 2012 Keith Winstein.*\n/gm, "")
    .replace(/^(\S+) \(mosh(?:-ts)? [\d.]+\) \[[^\]]*\]$/gm, "$1 (VERSION)")
    .replace(/\/usr\/bin\/mosh\b/g, "mosh")
    .replace(/\bmosh-ts-(client|server)\b/g, "mosh-$1")
    .replace(/\bmosh-ts\b/g, "mosh")
    .replace(/\S*\/dist\/bin\/mosh-(client|server)(?:\.js)?/g, "mosh-$1")
    .replace(/^MOSH CONNECT \d+ \S+$/gm, "MOSH CONNECT <port> <key>")
    .replace(/pid = \d+/g, "pid = <pid>");
}

/** A stack trace, or Node's internal error output: never acceptable in a program's error. */
export function hasStackTrace(s: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(s) || /node:internal|ERR_[A-Z_]+|Uncaught|\bTypeError\b/.test(s);
}

/** The first non-empty line that is not a progress line of the wrapper (`mosh-ts: connecting to …`). */
export function firstLine(s: string): string {
  return (
    s
      .split("\n")
      .map((l) => l.trim())
      .find(
        (l) => l !== "" && !/^\S+: (connecting to|authenticating as|starting the mosh server) /.test(l),
      ) ?? ""
  );
}

/** Kills the detached session a server case started (its pid from the detach banner). */
async function stopStarted(output: string): Promise<void> {
  const m = /detached, pid = (\d+)\]/.exec(output);
  if (m) {
    const pid = Number(m[1]);
    track(pid);
    await release([pid], []);
  }
}

/** The ports filled into a case's arguments: the same for both implementations, so their texts compare. */
const caseHoles = new WeakMap<CliCase, Map<string, string>>();

/** Runs one case with one implementation, killed after `timeoutMs`. Servers it starts are stopped. */
export async function runCliCase(impl: Impl, c: CliCase, timeoutMs = 10_000): Promise<CliRun> {
  const holes = caseHoles.get(c) ?? new Map<string, string>();
  caseHoles.set(c, holes);
  const fill = async (a: string): Promise<string> => {
    for (const hole of ["{closedPort}", "{busyUdpPort}", "{silentTcpPort}"]) {
      if (!a.includes(hole)) continue;
      if (!holes.has(hole)) holes.set(hole, String(await closedPort()));
      a = a.replace(hole, holes.get(hole) as string);
    }
    return a;
  };
  const args = await Promise.all((impl === "mosh" && c.moshArgs ? c.moshArgs : c.args).map(fill));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
  };
  if (c.program === "client") env.MOSH_KEY = randomBytes(16).toString("base64").slice(0, 22) || BOGUS;
  for (const [k, v] of Object.entries(c.env ?? {})) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  // `-p PORT` on a port in use: hold it for the run.
  let busy: import("node:dgram").Socket | null = null;
  if (holes.has("{busyUdpPort}")) {
    const dgram = await import("node:dgram");
    busy = dgram.createSocket("udp4");
    const s = busy;
    await new Promise<void>((resolve) =>
      s.bind(Number(holes.get("{busyUdpPort}")), "127.0.0.1", () => resolve()),
    );
  }
  // A TCP peer that accepts and stays silent (an SSH server that never sends its banner), for the run.
  let silent: import("node:net").Server | null = null;
  const silentConnections = new Set<import("node:net").Socket>();
  if (holes.has("{silentTcpPort}")) {
    const s = createServer((conn) => {
      conn.on("error", () => undefined);
      silentConnections.add(conn);
    });
    silent = s;
    await new Promise<void>((resolve) =>
      s.listen(Number(holes.get("{silentTcpPort}")), "127.0.0.1", () => resolve()),
    );
  }
  const file = programPath(impl, c.program);
  const t0 = now();
  try {
    const run = c.tty
      ? await runOnPty(file, args, env, timeoutMs)
      : await runOnPipes(file, args, env, timeoutMs);
    const ms = now() - t0;
    if (c.program === "server") await stopStarted(run.output);
    return { ...run, output: plainText(run.output), ms };
  } finally {
    busy?.close();
    silent?.close();
    for (const conn of silentConnections) conn.destroy();
  }
}

function runOnPty(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Omit<CliRun, "ms">> {
  return new Promise((resolve) => {
    const p = pty.spawn(file, args, { name: env.TERM ?? "xterm", cols: 80, rows: 24, env });
    track(p.pid);
    let output = "";
    let hung = false;
    let lastData = now();
    p.onData((d) => {
      output += d;
      lastData = now();
    });
    const timer = setTimeout(() => {
      hung = true;
      p.kill("SIGKILL");
    }, timeoutMs);
    p.onExit(({ exitCode, signal }) => {
      clearTimeout(timer);
      // The last output may trail the exit: wait for 50 ms of quiet (at most 1 s).
      const exited = now();
      const settle = (): void => {
        if (now() - lastData >= 50 || now() - exited > 1000)
          resolve({ status: signal ? null : exitCode, output, hung });
        else setTimeout(settle, 10);
      };
      setTimeout(settle, 50);
    });
  });
}

function runOnPipes(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Omit<CliRun, "ms">> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (child.pid) track(-child.pid);
    // stderr first, then stdout: two pipes have no order between them.
    let stdout = "";
    let stderr = "";
    let hung = false;
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", (err) => {
      stderr += String(err);
    });
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    // A server's first process exits once the session is detached; the session may keep the pipes open.
    child.once("exit", (code, sig) => {
      clearTimeout(timer);
      setTimeout(() => resolve({ status: sig ? null : code, output: stderr + stdout, hung }), 100);
    });
  });
}

/** Whether a run is a proper refusal: non-zero, said something, no stack trace, did not hang. */
export function refusedCleanly(r: CliRun): boolean {
  return (
    !r.hung && r.status !== null && r.status !== 0 && firstLine(r.output) !== "" && !hasStackTrace(r.output)
  );
}

/** How a case came out: the verdict for the table and whether it holds. */
export function judge(c: CliCase, ours: CliRun, mosh: CliRun | null): { ok: boolean; verdict: string } {
  const sameText = mosh !== null && normalized(ours.output) === normalized(mosh.output);
  const sameStatus = mosh !== null && ours.status === mosh.status;
  switch (c.compare) {
    case "same": {
      const ok = !ours.hung && !hasStackTrace(ours.output) && sameText && sameStatus;
      return { ok, verdict: ok ? "same as mosh" : sameText ? "status differs" : "text differs" };
    }
    case "both-start": {
      const ok =
        !ours.hung && ours.status === 0 && !hasStackTrace(ours.output) && (mosh === null || sameText);
      return { ok, verdict: ok ? "starts, as mosh" : "differs" };
    }
    case "both-fail":
    case "ours-better": {
      const ok = refusedCleanly(ours);
      return {
        ok,
        verdict: ok
          ? c.compare === "ours-better"
            ? "clear error (mosh: see its column)"
            : "clear error"
          : "NOT a clean error",
      };
    }
  }
}
