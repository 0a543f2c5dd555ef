// Keystroke-to-display latency of mosh-ts-client and Debian's mosh-client, side by side, through the link emulator (a benchmark, not a test).
//
// Usage: npm run bench:latency -- [--keys N] [--seed S] [--rtt 0,100,250,500] [--loss 0,10] [--no-editor]
//        [--server mosh,mosh-ts] [--predict adaptive,never]
// --server picks the server(s) both clients run against: Debian's mosh-server (`mosh`, the default)
// and/or mosh-ts-server (`mosh-ts`, dist/bin/mosh-ts-server.js). --predict sets
// MOSH_PREDICTION_DISPLAY for both clients (default adaptive); `never` measures the plain echo.
// Needs the built programs (npx tsup), Debian's mosh-server and mosh-client, and tmux; the editor case uses `vi`.
// BENCH_DEBUG=1 also prints each keystroke's latency and any error in full (stderr).
//
// Each client runs in its own private tmux server, attached to a tmux control-mode client through
// which this program both types (send-keys) and taps the pane's output (%output) with timestamps
// from one monotonic clock. The output is replayed into a terminal emulator; a keystroke counts
// as displayed at the first output chunk after which the typing row shows its effect.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LinkEmulator, mulberry32 } from "../sdk/linkem/link-emulator.js";
import { Emulator } from "../sdk/terminal/emulator.js";

const ROOT = process.env.MOSH_TS_ROOT ?? process.cwd();
const OUR_CLIENT = join(ROOT, "dist", "bin", "mosh-ts-client.js");
const OUR_SERVER = join(ROOT, "dist", "bin", "mosh-ts-server.js");
const COLS = 80;
const ROWS = 24;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.now();

// ---- options ------------------------------------------------------------------------------------

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const KEYS = Number(option("keys") ?? 24);
const SEED = Number(option("seed") ?? 42);
const RTTS = (option("rtt") ?? "0,100,250,500").split(",").map(Number);
const LOSSES = (option("loss") ?? "0,10").split(",").map((x) => Number(x) / 100);
type ServerName = "mosh" | "mosh-ts";
const SERVERS = (option("server") ?? "mosh").split(",").map((x) => {
  if (x !== "mosh" && x !== "mosh-ts") throw new Error(`--server: unknown server ${x} (mosh or mosh-ts)`);
  return x as ServerName;
});
type Prediction = "adaptive" | "never" | "always";
const PREDICTS = (option("predict") ?? "adaptive").split(",").map((x) => {
  if (x !== "adaptive" && x !== "never" && x !== "always")
    throw new Error(`--predict: unknown mode ${x} (adaptive, never or always)`);
  return x as Prediction;
});
const VI = ["/usr/bin/vi", "/usr/bin/vim.tiny", "/usr/bin/vim"].find((p) => existsSync(p));
const WITH_EDITOR = !process.argv.includes("--no-editor") && VI !== undefined;

// ---- the typing trace ---------------------------------------------------------------------------

/** One keystroke of the trace: a character or a backspace, typed `gapMs` after the previous one. */
interface Key {
  byte: number;
  gapMs: number;
}

const WORDS =
  "the quick brown fox jumps over a lazy dog while mosh keeps the shell alive on a slow link".split(" ");

/** A seeded trace of words, spaces and the odd corrected typo, at human typing speed (80–250 ms per key). */
function typingTrace(n: number, seed: number): Key[] {
  const rnd = mulberry32(seed);
  const keys: Key[] = [];
  let len = 0;
  const gap = () => 80 + Math.floor(rnd() * 170);
  while (keys.length < n) {
    const word = WORDS[Math.floor(rnd() * WORDS.length)];
    for (const ch of word) {
      if (keys.length >= n) break;
      if (len > 0 && rnd() < 0.05 && keys.length + 2 <= n) {
        keys.push({ byte: 0x61 + Math.floor(rnd() * 26), gapMs: gap() }, { byte: 0x7f, gapMs: gap() });
      }
      keys.push({ byte: ch.charCodeAt(0), gapMs: gap() });
      len++;
    }
    if (keys.length < n) {
      keys.push({ byte: 0x20, gapMs: gap() });
      len++;
    }
  }
  return keys.slice(0, n);
}

/** The typing row's text after each keystroke (index 0: before any). */
function expectedTexts(keys: Key[]): string[] {
  const out = [""];
  let s = "";
  for (const k of keys) {
    s = k.byte === 0x7f ? s.slice(0, -1) : s + String.fromCharCode(k.byte);
    out.push(s);
  }
  return out;
}

// ---- processes ----------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void> | void> = [];
async function cleanupAll(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {
      // best effort
    }
  }
}

function kill(pid: number, sig: NodeJS.Signals = "SIGTERM"): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts Debian's mosh-server or mosh-ts-server running `command`; returns its port, key and daemon pid. */
async function startServer(server: ServerName, command: string[], env: Record<string, string>) {
  const args = ["new", "-i", "127.0.0.1", "-p", "0", "-l", "LANG=C.UTF-8", "--", ...command];
  // Both run as programs, as ssh runs them (mosh-ts-server's sh preamble starts it).
  const child = spawn(server === "mosh" ? "/usr/bin/mosh-server" : OUR_SERVER, args, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  await new Promise<void>((resolve) => child.once("close", () => resolve()));
  const m = /^MOSH CONNECT (\d+) (\S{22})/m.exec(out);
  const p = /detached, pid = (\d+)/.exec(err + out);
  if (!m || !p) throw new Error(`${server}-server did not start: ${err.trim()}`);
  const pid = Number(p[1]);
  const stop = async () => {
    kill(pid);
    for (let i = 0; i < 40 && alive(pid); i++) await sleep(25);
    kill(pid, "SIGKILL");
  };
  cleanups.push(stop);
  return { port: Number(m[1]), key: m[2], stop };
}

/** A private tmux server running `argv` once `start()` is called, tapped by a control-mode client. */
async function startTapped(argv: string[], env: Record<string, string>) {
  const sock = `mosh-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const baseEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
  };
  const tmux = (args: string[], extra: Record<string, string> = {}) =>
    execFileSync("tmux", ["-L", sock, "-f", "/dev/null", ...args], {
      env: { ...baseEnv, ...extra },
      stdio: ["ignore", "pipe", "pipe"],
    });
  tmux(
    ["start-server", ";", "set-option", "-g", "exit-empty", "off", ";", "set-option", "-g", "status", "off"],
    env,
  );
  const killServer = () => {
    try {
      tmux(["kill-server"]);
    } catch {
      // already gone
    }
  };
  cleanups.push(killServer);
  // The program waits for a line, so the tap is attached before its first output.
  tmux([
    "new-session",
    "-d",
    "-s",
    "main",
    "-x",
    String(COLS),
    "-y",
    String(ROWS),
    "--",
    "sh",
    "-c",
    'read _; exec "$@"',
    "sh",
    ...argv,
    ";",
    // a control client must not resize the window
    "set-option",
    "-w",
    "-t",
    "main",
    "window-size",
    "manual",
  ]);
  const emulator = new Emulator(COLS, ROWS);
  const control: ChildProcess = spawn("tmux", ["-L", sock, "-f", "/dev/null", "-C", "attach", "-t", "main"], {
    env: baseEnv,
    stdio: ["pipe", "pipe", "ignore"],
  });
  cleanups.push(() => {
    control.kill();
    emulator.dispose();
  });
  let pending = Buffer.alloc(0);
  const listeners = new Set<(t: number) => void>();
  let chain: Promise<void> = Promise.resolve();
  control.stdout!.on("data", (data: Buffer) => {
    const t = now();
    pending = Buffer.concat([pending, data]);
    for (;;) {
      const nl = pending.indexOf(0x0a);
      if (nl < 0) break;
      const line = pending.subarray(0, nl);
      pending = pending.subarray(nl + 1);
      if (!line.subarray(0, 8).equals(Buffer.from("%output "))) continue;
      const sp = line.indexOf(0x20, 8);
      const bytes = unescapeOutput(line.subarray(sp + 1));
      chain = chain.then(async () => {
        await emulator.write(bytes);
        for (const l of listeners) l(t);
      });
    }
  });
  const command = (c: string) => control.stdin!.write(`${c}\n`);
  return {
    emulator,
    /** Calls `fn(arrivalTime)` after each output chunk has been applied to the emulator. */
    onOutput(fn: (t: number) => void): () => void {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Types raw bytes into the pane; returns the time just before the command was written. */
    type(bytes: number[]): number {
      const t = now();
      command(`send-keys -t main -H ${bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ")}`);
      return t;
    },
    start: () => command("send-keys -t main Enter"),
    async stop() {
      control.kill();
      killServer();
      emulator.dispose();
    },
  };
}

/** tmux control mode escapes bytes below 0x20 and the backslash as `\ooo`. */
function unescapeOutput(s: Buffer): Uint8Array {
  const out = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === 0x5c && i + 3 < s.length) {
      out[n++] = ((s[i + 1] - 48) << 6) | ((s[i + 2] - 48) << 3) | (s[i + 3] - 48);
      i += 3;
    } else out[n++] = s[i];
  }
  return out.subarray(0, n);
}

async function waitScreen(
  tap: Awaited<ReturnType<typeof startTapped>>,
  test: (lines: string[]) => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (test(tap.emulator.snapshot().lines())) return true;
    await sleep(20);
  }
  return false;
}

// ---- one measurement ----------------------------------------------------------------------------

type ClientName = "mosh-ts-client" | "mosh-client";
type Context = "shell" | "editor";

interface CellResult {
  latencies: number[];
  /** Keystrokes never seen on the screen before the deadline. */
  missing: number;
  /** Times a character the user never typed there appeared on the typing row. */
  mispredictions: number;
  error?: string;
}

async function measure(
  server: ServerName,
  predict: Prediction,
  client: ClientName,
  context: Context,
  rttMs: number,
  loss: number,
  keys: Key[],
): Promise<CellResult> {
  const home = mkdtempSync(join(tmpdir(), "mosh-bench-"));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const command = context === "shell" ? ["/bin/sh"] : [VI!, join(home, "notes.txt")];
  const host = await startServer(server, command, { HOME: home, PS1: "$ ", TERM: "xterm-256color" });
  const half = { delayMs: rttMs / 2, loss };
  const em = await LinkEmulator.start({
    target: { address: "127.0.0.1", port: host.port },
    toServer: half,
    toClient: half,
    seed: SEED + rttMs,
  });
  cleanups.push(() => em.stop());
  const argv =
    client === "mosh-ts-client"
      ? [OUR_CLIENT, "127.0.0.1", String(em.port)]
      : ["/usr/bin/mosh-client", "127.0.0.1", String(em.port)];
  const tap = await startTapped(argv, { MOSH_KEY: host.key, MOSH_PREDICTION_DISPLAY: predict });
  try {
    await sleep(100);
    tap.start();
    const ready =
      context === "shell"
        ? (l: string[]) => l.some((x) => x === "$")
        : (l: string[]) => l.slice(1, 5).every((x) => x.startsWith("~"));
    if (!(await waitScreen(tap, ready, 20_000)))
      return { latencies: [], missing: keys.length, mispredictions: 0, error: "no prompt" };
    if (context === "editor") {
      tap.type([0x69]); // i: insert mode
      if (!(await waitScreen(tap, (l) => l[ROWS - 1].includes("INSERT"), 20_000)))
        return { latencies: [], missing: keys.length, mispredictions: 0, error: "no insert mode" };
    }
    await sleep(2000); // the RTT estimate settles; the insert-mode epoch gets confirmed
    const start = tap.emulator.snapshot();
    const row = start.cursorRow;
    const col0 = start.cursorCol;
    const expected = expectedTexts(keys);
    // the characters that may legitimately appear in each column of the typing row
    const allowed: Array<Set<string>> = Array.from({ length: COLS }, () => new Set<string>());
    for (const e of expected) for (let i = 0; i < e.length; i++) allowed[col0 + i]?.add(e[i]);

    const sentAt: number[] = [];
    const shownAt: number[] = new Array<number>(keys.length).fill(Number.NaN);
    let firstPending = 0;
    let wrong = false;
    let mispredictions = 0;
    const off = tap.onOutput((t) => {
      const f = tap.emulator.snapshot();
      const r = f.row(row);
      let text = "";
      for (let x = col0; x < COLS; x++) text += r.cellEmpty(x) ? " " : r.cellText(x);
      text = text.trimEnd();
      // a character nobody typed at that column: a misprediction the user saw
      let bad = false;
      for (let i = 0; i < text.length; i++) {
        if (text[i] !== " " && !allowed[col0 + i]?.has(text[i])) bad = true;
      }
      if (bad && !wrong) mispredictions++;
      wrong = bad;
      // the newest typing state shown: its text, and the cursor after it (a typed space shows only so)
      if (f.cursorRow !== row) return;
      for (let j = sentAt.length; j > firstPending; j--) {
        if (expected[j].trimEnd() === text && f.cursorCol === col0 + expected[j].length) {
          for (let k = firstPending; k < j; k++) shownAt[k] = t;
          firstPending = j;
          break;
        }
      }
    });
    for (const k of keys) {
      await sleep(k.gapMs);
      sentAt.push(tap.type([k.byte]));
    }
    const deadline = now() + 4000 + 4 * rttMs;
    while (firstPending < keys.length && now() < deadline) await sleep(20);
    off();
    const latencies: number[] = [];
    let missing = 0;
    for (let i = 0; i < keys.length; i++) {
      if (Number.isNaN(shownAt[i])) missing++;
      else latencies.push(shownAt[i] - sentAt[i]);
    }
    if (process.env.BENCH_DEBUG)
      console.error(
        client,
        context,
        keys
          .map(
            (k, i) =>
              `${String.fromCharCode(k.byte === 0x7f ? 0x2190 : k.byte)}:${(shownAt[i] - sentAt[i]).toFixed(0)}`,
          )
          .join(" "),
      );
    return { latencies, missing, mispredictions };
  } finally {
    await tap.stop();
    await em.stop();
    await host.stop();
  }
}

// ---- the table ----------------------------------------------------------------------------------

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function summary(r: CellResult): string[] {
  if (r.error) return [r.error, "", "", ""];
  const s = r.latencies.slice().sort((a, b) => a - b);
  const within = s.filter((x) => x <= 10).length / (s.length + r.missing);
  const ms = (x: number) => (Number.isNaN(x) ? "—" : `${x.toFixed(x < 20 ? 1 : 0)} ms`);
  return [
    ms(quantile(s, 0.5)),
    ms(quantile(s, 0.9)) + (r.missing ? ` (${r.missing} lost)` : ""),
    `${Math.round(within * 100)} %`,
    String(r.mispredictions),
  ];
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  if (!existsSync(OUR_CLIENT)) {
    console.error(`${OUR_CLIENT} is missing: run \`npx tsup\` first.`);
    process.exit(1);
  }
  if (SERVERS.includes("mosh-ts") && !existsSync(OUR_SERVER)) {
    console.error(`${OUR_SERVER} is missing: run \`npx tsup\` first.`);
    process.exit(1);
  }
  const keys = typingTrace(KEYS, SEED);
  const contexts: Context[] = WITH_EDITOR ? ["shell", "editor"] : ["shell"];
  const started = now();
  const serverNames = SERVERS.map((s) => (s === "mosh" ? "Debian's mosh-server" : "mosh-ts-server"));
  console.log(
    `Keystroke-to-display latency: ${KEYS} keystrokes per cell (seed ${SEED}, ${COLS}x${ROWS}), ` +
      `${serverNames.join(" / ")} behind the link emulator, prediction ${PREDICTS.join(" / ")}.`,
  );
  if (!WITH_EDITOR) {
    console.log(
      VI === undefined
        ? "No vi installed: the editor case is skipped."
        : "--no-editor: the editor case is skipped.",
    );
  } else {
    console.log(`Editor: ${VI} (insert mode) on an empty file.`);
  }
  const rows: string[][] = [];
  for (const server of SERVERS) {
    for (const predict of PREDICTS) {
      for (const context of contexts) {
        for (const loss of LOSSES) {
          for (const rtt of RTTS) {
            const cells: string[] = [server, predict, context, `${rtt} ms`, `${Math.round(loss * 100)} %`];
            for (const client of ["mosh-ts-client", "mosh-client"] as const) {
              let r: CellResult;
              try {
                r = await measure(server, predict, client, context, rtt, loss, keys);
              } catch (err) {
                r = {
                  latencies: [],
                  missing: KEYS,
                  mispredictions: 0,
                  error: (err as Error).message.slice(0, 40),
                };
                if (process.env.BENCH_DEBUG) console.error(err);
              }
              await cleanupAll();
              cells.push(...summary(r));
            }
            rows.push(cells);
            process.stderr.write(`  ${cells.join("  ")}\n`);
          }
        }
      }
    }
  }
  const headers = ["server", "predict", "context", "RTT", "loss"];
  for (const c of ["mosh-ts", "mosh"])
    headers.push(`${c} median`, `${c} p90`, `${c} ≤10 ms`, `${c} mispred.`);
  console.log(`\n${table(headers, rows)}`);
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, ${((now() - started) / 1000).toFixed(0)} s in all.`,
  );
}

process.on("SIGINT", () => {
  void cleanupAll().then(() => process.exit(130));
});
main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
