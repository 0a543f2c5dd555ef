// mosh-mux's command line (`mosh-mux [target ...]`, `attach`, `ls`, `kill-server`, `new`): starts or finds the background process, then attaches the TUI.
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { MuxConnection } from "../sdk/mux/connection.js";
import { MuxError } from "../sdk/mux/errors.js";
import type { MuxPaneInfo, MuxPaneSource, MuxPreset } from "../sdk/mux/protocol.js";
import { DEFAULT_SOCKET_NAME, muxSocketPath } from "../sdk/mux/socket-path.js";
import { VERSION } from "../sdk/version.js";
import { defaultConfig, loadConfig, type MuxConfig } from "./config.js";
import { demoSources } from "./demo.js";
import { badKeyName, keyName } from "./key-input.js";
import type { MuxAppEnd, OpenRequest } from "./mux-app.js";
import { launchServer } from "./server-launch.js";

const SERVER_SCRIPT = fileURLToPath(new URL("./mosh-mux-server.js", import.meta.url));

/** The pane options, on the program and on `new`. */
interface PaneOpts {
  local: Array<string | true>;
  demo?: boolean;
  flap?: string;
  link?: string;
  layout?: string;
  prefix?: string;
  config: string | boolean;
}

/** Collects the --local options: "" (the option without a command) stands for the shell. */
function collect(value: string, prev: Array<string | true>): Array<string | true> {
  return [...prev, value === "" ? true : value];
}

function paneOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("-l, --local [command]", "a local pane running command (default: your shell); repeatable")
        // Without a command the parser still runs (with ""), so -l -l and -l sh -l collect every pane.
        .preset("")
        .argParser(collect)
        .default([]),
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
    .option("--no-config", "ignore the config file");
}

const program = new Command("mosh-mux")
  .usage(
    "[-L name] [options] [target ...]\n       mosh-mux [-L name] new [-d] [options] [target ...] | attach | ls | kill-server",
  )
  .description(
    "Tiles mosh sessions in one terminal, each pane a real mosh session. The sessions live in a background process: detach (C-b d), close the terminal, attach again later.",
  )
  .option("-L <name>", "socket name: a separate background process per name", DEFAULT_SOCKET_NAME)
  .argument("[target...]", "[user@]host[:command] to open over SSH")
  .version(VERSION)
  // Options after a command are the command's (`new --local sh`); -L is taken before or after it.
  .enablePositionalOptions();
paneOptions(program);
program.addHelpText(
  "after",
  `
With no command, mosh-mux attaches to the background process, or starts one with the given
panes (tmux's new -A); targets given to a running one open there as new panes.

Each target [user@]host[:command] opens a pane over SSH (~/.ssh/config, agent, keys);
its questions (unknown host key, passphrase, password) are asked on the status line of the
attached client (while none is attached they wait): Enter answers, Esc cancels. --local panes run
a server in the background process (no SSH). With no target, one local pane. Try: mosh-mux --demo

Detach and attach: C-b d detaches, and so does closing the terminal (a hang-up): every session
keeps running, roaming and heartbeating in the background process (one per user and socket
name, socket in $XDG_RUNTIME_DIR/mosh-mux/ or /tmp/mosh-mux-UID/, a directory only you may
use). mosh-mux attach brings back the layout, screens, scrollback and status. Several clients
may attach at once and share the view, as with tmux: the same panes, focus and layout, sized
for the one that typed last. C-b q ends every session.

Keys: the prefix (default C-b), then
  % "  split left/right, top/bottom   x  close (asks)    z  zoom
  arrows, o  move focus               c  new pane        E  equalise
  [ PgUp  copy mode                   ]  paste           d  detach
  C-arrows  resize    M-1 M-2 M-5  preset layouts        q  quit (asks)
  prefix twice: send the prefix                          ?  all bindings
Copy mode (tmux's vi keys; "modeKeys": "emacs" for its emacs ones): arrows, hjkl, w b e,
  PgUp PgDn, g G; Space or v selects (C-v: a rectangle), Enter or y copies (to the terminal's
  clipboard by OSC 52, and for C-b ]); / and ? search down and up, n N again; q leaves.
Mouse: click a pane to focus it; the wheel scrolls copy mode (or goes to a program that asked
  for the mouse).
Config: $XDG_CONFIG_HOME/mosh-mux/config.json, e.g.
  {"prefix": "C-a", "bindings": {"|": "split-h", "-": "split-v"}, "scrollbackLines": 5000,
   "modeKeys": "vi", "setClipboard": "on"}
  setClipboard: on (copy mode and the sessions set the terminal's clipboard), external (copy
  mode only) or off.`,
);

function fail(msg: string, status = 1): never {
  process.stderr.write(`mosh-mux: ${msg}\n`);
  process.exit(status);
}

/** The socket name: -L after the command, else before it. */
let socketName = DEFAULT_SOCKET_NAME;

/** Adds -L to a command (it may come after the command's name too). */
function withSocketOption(cmd: Command): Command {
  return cmd.option("-L <name>", "socket name (as before the command)").hook("preAction", (_p, action) => {
    const own = (action.opts() as { L?: string }).L;
    socketName = own ?? (program.opts() as { L: string }).L;
  });
}

function socketPath(): string {
  try {
    return muxSocketPath(socketName);
  } catch (err) {
    fail((err as Error).message);
  }
}

/** Refuses to attach a pane of a server to that same server (its screen would show itself), as tmux does. */
function notNested(path: string): void {
  if (process.env.MOSH_MUX === path)
    fail("sessions should be nested with care, unset $MOSH_MUX to force (or use -L NAME for another server)");
}

function needTerminal(): void {
  if (!process.stdin.isTTY || !process.stdout.isTTY) fail("needs a terminal (or use: mosh-mux new -d)");
}

function loadSettings(opts: PaneOpts): MuxConfig {
  let config: MuxConfig;
  try {
    config =
      opts.config === false
        ? defaultConfig()
        : loadConfig(typeof opts.config === "string" ? opts.config : undefined);
  } catch (err) {
    fail((err as Error).message);
  }
  if (opts.prefix !== undefined) {
    const prefix = keyName(opts.prefix);
    if (prefix === null) fail(badKeyName("--prefix", opts.prefix).message);
    config.prefix = prefix;
  }
  return config;
}

/** A --local command: through `sh -c` when it uses shell syntax, else split on spaces. */
function localCommand(l: string | true): string[] | undefined {
  if (l === true) return undefined;
  if (/[;|&$<>()'"`*?\\]/.test(l)) return ["/bin/sh", "-c", l];
  const words = l.split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : undefined;
}

/** The panes asked for on the command line: the demo's, and the others (--local, targets); how to lay them out. */
function paneRequest(
  opts: PaneOpts,
  targets: string[],
  config: MuxConfig,
): { demo: OpenRequest; extra: MuxPaneSource[] } {
  let link: Extract<MuxPaneSource, { kind: "local" }>["link"];
  if (opts.link) {
    const m = /^(\d+)(?::(\d+(?:\.\d+)?))?$/.exec(opts.link);
    if (!m) fail("--link takes RTT[:LOSS], e.g. 300:10");
    const half = { delayMs: Number(m[1]) / 2, loss: Number(m[2] ?? 0) / 100 };
    link = { toServer: { ...half }, toClient: { ...half } };
  }
  const extra: MuxPaneSource[] = [];
  for (const l of opts.local) extra.push({ kind: "local", command: localCommand(l), link });
  for (const t of targets) extra.push({ kind: "ssh", target: t });
  const demo: OpenRequest = {
    sources: opts.demo ? demoSources() : [],
    scrollbackLines: config.scrollbackLines,
  };
  if (opts.demo) {
    let flap = { upMs: 20_000, downMs: 10_000 };
    if (opts.flap) {
      const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(opts.flap);
      if (!m) fail("--flap takes UP:DOWN in seconds");
      flap = { upMs: Number(m[1]) * 1000, downMs: Number(m[2]) * 1000 };
    }
    demo.flap = flap;
  }
  const layouts = ["even-horizontal", "even-vertical", "tiled"];
  if (opts.layout !== undefined && !layouts.includes(opts.layout)) fail(`unknown layout ${opts.layout}`);
  const layout = (opts.layout ?? (opts.demo ? "tiled" : undefined)) as MuxPreset | undefined;
  if (layout) demo.layout = layout;
  return { demo, extra };
}

async function connect(path: string): Promise<MuxConnection> {
  try {
    return await MuxConnection.open(path);
  } catch (err) {
    fail((err as Error).message);
  }
}

/** Connects, or starts a server first when none runs (`force`: refuse a running one, as `new`). */
async function connectOrStart(
  path: string,
  force: boolean,
): Promise<{ conn: MuxConnection; started: boolean }> {
  try {
    const conn = await MuxConnection.open(path);
    if (!force) return { conn, started: false };
    conn.close();
    fail(`a server is already running on ${path} (mosh-mux attach, or -L NAME)`);
  } catch (err) {
    if (!(err instanceof MuxError && err.code === "no-server")) fail((err as Error).message);
  }
  let state: "ready" | "exists";
  try {
    state = await launchServer({
      script: SERVER_SCRIPT,
      socketPath: path,
      name: socketName,
    });
  } catch (err) {
    fail((err as Error).message);
  }
  if (state === "exists" && force)
    fail(`a server is already running on ${path} (mosh-mux attach, or -L NAME)`);
  return { conn: await connect(path), started: state === "ready" };
}

let tui: Promise<typeof import("./mux-app.js")> | null = null;

/** Loads the TUI (blessed): started early, it loads while the server starts or the socket connects. */
function loadTui(): Promise<typeof import("./mux-app.js")> {
  if (!tui) {
    tui = import("./mux-app.js");
    // Awaited later (by attach); a failure shows there, not as an unhandled rejection now.
    tui.catch(() => undefined);
  }
  return tui;
}

/** Runs the TUI on `conn` until it detaches or the server ends; prints tmux's message; exits. */
async function attach(
  conn: MuxConnection,
  config: MuxConfig,
  open?: OpenRequest,
  notice?: string,
): Promise<never> {
  const { MuxApp } = await loadTui();
  const app = new MuxApp({ conn, config, open, notice });
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => app.detach());
  process.on("SIGHUP", () => app.hangup());
  // After a hang-up the terminal is gone: writes to it fail, quietly.
  process.stdout.on("error", () => undefined);
  for (const ev of ["uncaughtException", "unhandledRejection"] as const)
    process.on(ev, (err: unknown) => {
      app.restoreTerminal();
      process.stderr.write(
        `mosh-mux: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n(the sessions go on: mosh-mux attach)\n`,
      );
      process.exit(70);
    });
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  if (process.env.MOSH_MUX_STATS) loopDelay.enable();
  const end: MuxAppEnd = await app.run();
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
  const messages: Record<MuxAppEnd, string> = {
    detached: `[detached (from session ${app.name})]`,
    exited: "[exited]",
    "server-exited": "[server exited]",
    "lost-server": "[server exited unexpectedly]",
    hangup: "",
  };
  if (messages[end]) process.stdout.write(`${messages[end]}\n`);
  process.exit(end === "lost-server" ? 1 : 0);
}

/** `mosh-mux [target ...]` and `mosh-mux new`: start (or, unless `force`, attach to) a server with these panes. */
async function start(targets: string[], opts: PaneOpts, force: boolean, detached: boolean): Promise<void> {
  const config = loadSettings(opts);
  const { demo, extra } = paneRequest(opts, targets, config);
  const path = socketPath();
  if (!detached) notNested(path);
  if (!detached) {
    needTerminal();
    void loadTui();
  }
  const { conn, started } = await connectOrStart(path, force);
  let open: OpenRequest | undefined;
  let notice: string | undefined;
  if (started) {
    // A new server: the demo's panes and the others, in the layout asked for (default: one local pane).
    open = { ...demo, sources: [...demo.sources, ...extra] };
    if (open.sources.length === 0) open.sources.push({ kind: "local" });
  } else if (extra.length > 0) {
    // A running server: the panes asked for open there, next to the focused one.
    open = { sources: extra, scrollbackLines: config.scrollbackLines };
  } else if (opts.demo)
    notice = `attached to the running server "${conn.welcome.name}": --demo only starts a new one`;
  if (detached) {
    if (open) await conn.request({ t: "open", ...open }).catch((err: Error) => fail(err.message));
    conn.close();
    process.exit(0);
  }
  await attach(conn, config, open, notice);
}

program.action(async (targets: string[]) => {
  socketName = (program.opts() as { L: string }).L;
  await start(targets, program.opts() as PaneOpts, false, false);
});

paneOptions(
  withSocketOption(program.command("new"))
    .alias("new-session")
    .description(
      "start a background process with these panes (refused if one runs on the socket); -d: without attaching (for scripts: the SDK's MuxClient)",
    )
    .argument("[target...]", "[user@]host[:command] to open over SSH")
    .option("-d, --detached", "do not attach"),
).action(async (targets: string[], opts: PaneOpts & { detached?: boolean }) => {
  await start(targets, opts, true, opts.detached === true);
});

withSocketOption(program.command("attach"))
  .alias("a")
  .description("attach to the background process (shared with any client attached already)")
  .option("--prefix <key>", "prefix key, e.g. C-a (overrides the config file)")
  .option("--config <path>", "config file (default $XDG_CONFIG_HOME/mosh-mux/config.json)")
  .option("--no-config", "ignore the config file")
  .action(async (opts: PaneOpts) => {
    const config = loadSettings({ ...opts, local: [] });
    notNested(socketPath());
    needTerminal();
    void loadTui();
    await attach(await connect(socketPath()), config);
  });

function describePane(p: MuxPaneInfo): string {
  const state = p.state === "live" && p.rtt !== null ? `live ${p.rtt}ms` : p.state;
  const why = p.state === "failed" && p.error ? ` (${p.error})` : "";
  return `  ${p.id}: ${p.label} [${p.cols}x${p.rows}] ${state}${p.focused ? " (active)" : ""}${why}`;
}

withSocketOption(program.command("ls"))
  .alias("list-sessions")
  .description("list the background process's panes and their state")
  .action(async () => {
    const conn = await connect(socketPath());
    const reply = await conn.request({ t: "list" });
    const panes = reply.panes ?? [];
    const w = conn.welcome;
    const clients = reply.clients ?? 0;
    const created = new Date(w.created).toString().replace(/ GMT.*$/, "");
    process.stdout.write(
      `${w.name}: ${panes.length} pane${panes.length === 1 ? "" : "s"} (created ${created})${clients > 0 ? ` (attached${clients > 1 ? `: ${clients} clients` : ""})` : ""}\n`,
    );
    for (const p of panes) process.stdout.write(`${describePane(p)}\n`);
    conn.close();
    process.exit(0);
  });

withSocketOption(program.command("kill-server"))
  .description("end every session and the background process")
  .action(async () => {
    const conn = await connect(socketPath());
    const closed = new Promise<void>((resolve) => conn.once("close", () => resolve()));
    await conn.request({ t: "kill-server" }).catch(() => undefined);
    await closed;
    process.exit(0);
  });

/** Runs mosh-mux on this process's command line. */
export async function runMuxCli(): Promise<void> {
  await program.parseAsync();
}
