// mosh-mux under load: 8 local panes of continuous output at 80x24 each; frames drawn per second, CPU, keystroke-to-display latency.
// Usage: node bench/run.mjs mux [seconds=10] [--flood]   (needs `npm run build` first: it runs dist/bin/mosh-mux.js)
// MUX_NODE_ARGS adds node options for mosh-mux (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import xterm from "@xterm/headless";
import { spawn } from "node-pty";

// Run from the repository root (bench/run.mjs bundles this file elsewhere, so no import.meta paths).
const mux = process.env.MOSH_MUX_BIN ?? join(process.cwd(), "dist", "bin", "mosh-mux.js");
const args = process.argv.slice(2);
const seconds = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const flood = args.includes("--flood");
const PANES = Number(process.env.MUX_BENCH_PANES ?? 8);
const COLS = PANES * 81 - 1;
const ROWS = 25 + 1;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function busy(n: number): string {
  return flood
    ? `yes 'pane ${n} flooding the terminal with output'`
    : `i=0; while :; do i=$((i+1)); echo "pane ${n} line $i"; done`;
}

/** CPU seconds (user+system) of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const v = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(v[11]) + Number(v[12])) / 100;
}

/** The mosh-mux background process started under runtime directory `dir` (0 if none). */
function serverPid(dir: string): number {
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("mosh-mux-server")) continue;
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(`XDG_RUNTIME_DIR=${dir}\0`)) return pid;
    } catch {
      // gone
    }
  }
  return 0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mux-bench-"));
  const stats = join(dir, "stats.json");
  // Pane 1 (focused) runs cat: typed keys echo there. (In a pane scrolling at full speed a typed key
  // would scroll away before any frame showed it; with output of its own the echo could be split.)
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    MOSH_MUX_STATS: stats,
    TERM: "xterm-256color",
    // A background process of its own (its socket in the temporary directory).
    XDG_RUNTIME_DIR: dir,
  };
  const cmdArgs: string[] = [];
  for (let n = 1; n <= PANES; n++) cmdArgs.push("--local", n === 1 ? "cat" : busy(n));
  // MUX_NODE_ARGS: extra node options for mosh-mux (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeArgs = (process.env.MUX_NODE_ARGS ?? "").split(" ").filter((a) => a.length > 0);
  const pty = spawn(
    process.execPath,
    [...nodeArgs, mux, "--no-config", "--layout", "even-horizontal", ...cmdArgs],
    {
      cols: COLS,
      rows: ROWS,
      env,
      name: "xterm-256color",
    },
  );
  // The outer terminal, emulated: a typed marker counts as displayed once it is on this screen
  // (mosh-mux redraws only changed cells, so the marker's characters need not be adjacent in the output).
  const term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  let screenHas: ((text: string) => void) | null = null;
  const onParsed = (): void => {
    if (!screenHas) return;
    const buf = term.buffer.active;
    for (let y = 0; y < ROWS && screenHas; y++)
      screenHas(buf.getLine(buf.baseY + y)?.translateToString(true) ?? "");
  };
  let exited = false;
  pty.onExit((e) => {
    exited = true;
    if (e.exitCode !== 0) console.error(`mosh-mux exited with ${e.exitCode}:\n${out.slice(-2000)}`);
  });
  let out = "";
  let bytes = 0;
  pty.onData((d) => {
    term.write(d, onParsed);
    bytes += d.length;
    out += d;
    if (out.length > 1 << 16) out = out.slice(-4096);
  });
  // Wait until every pane is live.
  for (
    let i = 0;
    i < 300 &&
    !exited &&
    !new RegExp(`${PANES}:local[^│]*live`).test(out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ""));
    i++
  )
    await sleep(100);
  if (exited) throw new Error("mosh-mux exited before its panes were live");
  const server = serverPid(dir);
  if (server === 0) throw new Error("no mosh-mux background process found");
  const cpu0 = cpuSeconds(pty.pid);
  const serverCpu0 = cpuSeconds(server);
  const t0 = Date.now();
  const bytes0 = bytes;
  const latencies: number[] = [];
  let k = 0;
  while (Date.now() - t0 < seconds * 1000) {
    const marker = `Q${(k++ % 90) + 10}Z`;
    out = "";
    const sent = performance.now();
    const seen = await new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), 5000);
      screenHas = (line) => {
        if (!line.includes(marker)) return;
        screenHas = null;
        clearTimeout(timer);
        resolve(performance.now());
      };
      pty.write(marker);
    });
    latencies.push(seen - sent);
    if (process.env.MUX_BENCH_DEBUG) {
      console.error(k, marker, seen - sent);
      if (!Number.isFinite(seen)) {
        const buf = term.buffer.active;
        for (let y = 0; y < ROWS; y++)
          console.error(`|${buf.getLine(buf.baseY + y)?.translateToString(true)}`);
      }
    }
    pty.write("\r");
    await sleep(200);
  }
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = cpuSeconds(pty.pid) - cpu0;
  const serverCpu = cpuSeconds(server) - serverCpu0;
  const outBytes = bytes - bytes0;
  pty.write("\x02q");
  await sleep(300);
  pty.write("y");
  const quitAt = Date.now();
  for (let i = 0; i < 600 && !exited; i++) await sleep(100);
  const quitMs = Date.now() - quitAt;
  let draws = Number.NaN;
  let totalMs = Number.NaN;
  let loop = "";
  try {
    const s = JSON.parse(readFileSync(stats, "utf8")) as {
      draws: number;
      ms: number;
      loopDelayMs?: { p50: number; p99: number; max: number };
    };
    draws = s.draws;
    totalMs = s.ms;
    if (s.loopDelayMs)
      loop = `p50 ${s.loopDelayMs.p50.toFixed(1)} ms, p99 ${s.loopDelayMs.p99.toFixed(1)} ms, max ${s.loopDelayMs.max.toFixed(1)} ms`;
  } catch {
    pty.kill();
  }
  // The background process ends with its sessions; if the run went wrong, end it here.
  const left = serverPid(dir);
  if (left) process.kill(left, "SIGTERM");
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const q = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(
    `mosh-mux: ${PANES} panes x 80x24, ${PANES - 1} with ${flood ? "yes(1) flood" : "shell-loop"} output, ${elapsed.toFixed(1)} s`,
  );
  console.log(`  quit (all sessions closed):  ${quitMs} ms`);
  console.log(`  frames drawn/s (whole run):  ${(draws / (totalMs / 1000)).toFixed(1)}`);
  console.log(`  terminal output:             ${(outBytes / elapsed / 1024).toFixed(0)} KiB/s`);
  if (loop) console.log(`  event-loop delay of mosh-mux: ${loop}`);
  console.log(
    `  CPU of mosh-mux: ${(((cpu + serverCpu) / elapsed) * 100).toFixed(0)} % (TUI ${((cpu / elapsed) * 100).toFixed(0)} %, background process with its ${PANES} in-process servers ${((serverCpu / elapsed) * 100).toFixed(0)} %)`,
  );
  console.log(
    `  keystroke-to-display, focused pane (n=${latencies.length}, ${latencies.filter((l) => !Number.isFinite(l)).length} not seen in 5 s): median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
  );
}

await main();
