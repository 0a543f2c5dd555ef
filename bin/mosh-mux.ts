// mosh-mux: many mosh sessions tiled in one terminal (`mosh-mux [options] [target ...]`, `--demo`).
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Command } from "commander";
import { defaultConfig, loadConfig, type MuxConfig } from "../tui/config.js";
import { DEFAULT_FLAP, demoSources, type FlapTiming, startFlapping } from "../tui/demo.js";
import { MuxApp } from "../tui/mux-app.js";
import type { PaneSource } from "../tui/pane.js";

const program = new Command("mosh-mux")
  .usage("[options] [target ...]")
  .description("Tiles mosh sessions in one terminal, each pane a real mosh session.")
  .addHelpText(
    "after",
    `
Each target [user@]host[:command] opens a pane over SSH (~/.ssh/config, agent, keys);
its questions (unknown host key, passphrase, password) are asked on the status line: Enter
answers, Esc cancels. --local panes run a server on this machine (no SSH). With no
target, one local pane. Try: mosh-mux --demo

Keys: the prefix (default C-b), then
  % "  split left/right, top/bottom   x  close (asks)    z  zoom
  arrows, o  move focus               c  new pane        E  equalise
  [ PgUp  scrollback (/ search)       q  quit (asks)     ?  all bindings
  C-arrows  resize    M-1 M-2 M-5  preset layouts   prefix twice: send the prefix
Mouse: click a pane to focus it, wheel up to scroll back.
Config: $XDG_CONFIG_HOME/mosh-mux/config.json, e.g.
  {"prefix": "C-a", "bindings": {"|": "split-h", "-": "split-v"}, "scrollbackLines": 5000}`,
  )
  .argument("[target...]", "[user@]host[:command] to open over SSH")
  .option(
    "-l, --local [command]",
    "a local pane running command (default: your shell); repeatable",
    collect,
    [],
  )
  .option("--demo", "four local panes: shell, top, a 300 ms/10% loss link, a link that drops now and then")
  .option("--flap <up:down>", "demo: seconds the flaky link stays up and down (default 20:10)")
  .option(
    "--link <rtt[:loss]>",
    "put --local panes behind an emulated link: RTT in ms, loss in % (try prediction)",
  )
  .option("--layout <name>", "initial layout: even-horizontal, even-vertical or tiled")
  .option("--prefix <key>", "prefix key, e.g. C-a (overrides the config file)")
  .option("--config <path>", "config file (default $XDG_CONFIG_HOME/mosh-mux/config.json)")
  .option("--no-config", "ignore the config file")
  .version("0.1.0");

function collect(value: string | boolean, prev: Array<string | true>): Array<string | true> {
  return [...prev, typeof value === "string" ? value : true];
}

program.parse();
const opts = program.opts<{
  local: Array<string | true>;
  demo?: boolean;
  flap?: string;
  link?: string;
  layout?: string;
  prefix?: string;
  config: string | boolean;
}>();

function fail(msg: string): never {
  process.stderr.write(`mosh-mux: ${msg}\n`);
  process.exit(1);
}

if (!process.stdin.isTTY || !process.stdout.isTTY) fail("needs a terminal");
let config: MuxConfig;
try {
  config =
    opts.config === false
      ? defaultConfig()
      : loadConfig(typeof opts.config === "string" ? opts.config : undefined);
} catch (err) {
  fail((err as Error).message);
}
if (opts.prefix) config.prefix = opts.prefix;

const sources: PaneSource[] = [];
if (opts.demo) sources.push(...demoSources());
let link:
  | { toServer: { delayMs: number; loss: number }; toClient: { delayMs: number; loss: number } }
  | undefined;
if (opts.link) {
  const m = /^(\d+)(?::(\d+(?:\.\d+)?))?$/.exec(opts.link);
  if (!m) fail("--link takes RTT[:LOSS], e.g. 300:10");
  const half = { delayMs: Number(m[1]) / 2, loss: Number(m[2] ?? 0) / 100 };
  link = { toServer: { ...half }, toClient: { ...half } };
}
/** A --local command: through `sh -c` when it uses shell syntax, else split on spaces. */
function localCommand(l: string | true): string[] | undefined {
  if (l === true) return undefined;
  if (/[;|&$<>()'"`*?\\]/.test(l)) return ["/bin/sh", "-c", l];
  const words = l.split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : undefined;
}
for (const l of opts.local) sources.push({ kind: "local", command: localCommand(l), link });
for (const t of program.args) sources.push({ kind: "ssh", target: t });
if (sources.length === 0) sources.push({ kind: "local" });

let flap: FlapTiming = DEFAULT_FLAP;
if (opts.flap) {
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(opts.flap);
  if (!m) fail("--flap takes UP:DOWN in seconds");
  flap = { upMs: Number(m[1]) * 1000, downMs: Number(m[2]) * 1000 };
}
const layouts = ["even-horizontal", "even-vertical", "tiled"] as const;
const layout = opts.layout as (typeof layouts)[number] | undefined;
if (layout !== undefined && !layouts.includes(layout)) fail(`unknown layout ${opts.layout}`);

let stopFlap = (): void => undefined;
const app = new MuxApp({
  sources,
  config,
  layout: layout ?? (opts.demo ? "tiled" : undefined),
  onStarted: (panes) => {
    if (opts.demo) stopFlap = startFlapping(panes, flap);
  },
});
for (const sig of ["SIGTERM", "SIGHUP", "SIGINT"] as const) process.on(sig, () => void app.quit());
for (const ev of ["uncaughtException", "unhandledRejection"] as const)
  process.on(ev, (err: unknown) => {
    app.restoreTerminal();
    process.stderr.write(`mosh-mux: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(70);
  });
const started = Date.now();
const cpu0 = process.cpuUsage();
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
if (process.env.MOSH_MUX_STATS) loopDelay.enable();
await app.run();
stopFlap();
// For bench/mux.ts: drawing statistics of this run.
if (process.env.MOSH_MUX_STATS) {
  const cpu = process.cpuUsage(cpu0);
  writeFileSync(
    process.env.MOSH_MUX_STATS,
    JSON.stringify({
      draws: app.draws,
      ms: Date.now() - started,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      loopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
    }),
  );
}
process.exit(0);
