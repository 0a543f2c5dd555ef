// The robustness cases (issue 13), each run against one pairing (mosh or mosh-ts) at a given scale: hostile datagrams, loss, roaming, SIGSTOP, key exposure, soak.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SessionKey } from "../../sdk/crypto/session-key.js";
import { DatagramCodec, TO_CLIENT, TO_SERVER } from "../../sdk/wire/datagram.js";
import {
  cpuSeconds,
  isAlive,
  MOSH_SERVER,
  now,
  onCleanup,
  ROOT,
  release,
  rssMiB,
  sleep,
  startTmuxClient,
  TS_SERVER,
  track,
} from "../harness.js";
import { type BarrageResult, barrage, HostileGenerator, type HostileKind } from "./hostile.js";
import { type Pairing, startRig } from "./rig.js";

/** A private 0700 directory, removed at cleanup. */
export function scratchDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mosh-ts-robust-${tag}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Reads a file, "" if it does not exist (yet). */
function readOr(file: string): string {
  try {
    return readFileSync(file, "latin1");
  } catch {
    return "";
  }
}

/** Polls `cond` every `pollMs` until it holds (returns the time) or `timeoutMs` passes (returns NaN). */
async function until(cond: () => boolean, timeoutMs: number, pollMs = 5): Promise<number> {
  const deadline = now() + timeoutMs;
  for (;;) {
    if (cond()) return now();
    if (now() > deadline) return Number.NaN;
    await sleep(pollMs);
  }
}

/**
 * The screen after typing `command` at the prompt of `before` (whose last line is the prompt) and it printing
 * `output`: what the screen must be if nothing else reached the shell. Holds while the screen does not scroll.
 */
function appended(before: string, command: string, output: string): string {
  const lines = before.split("\n");
  lines[lines.length - 1] = `$ ${command}`;
  return [...lines, output, "$"].join("\n");
}

// ---- 1. hostile datagrams ------------------------------------------------------------------------------

/** Result of {@link hostileCase}. */
export interface HostileResult extends BarrageResult {
  target: "server" | "client";
  /** After the barrage a typed command ran once and its output showed on the client's screen. */
  echoes: boolean;
  /** The screen before the barrage plus that command and its output equals the screen after: nothing else got in. */
  screenIntact: boolean;
  /** The screen after, for a failure report. */
  screenAfter: string;
  /** The client's notification bar right after the barrage (mosh shows "Crypto exception: …"), or "". */
  barAfter: string;
}

/** The screen without its first row, where mosh's notification bar comes and goes over the text. */
export function belowBar(screen: string): string {
  return screen.split("\n").slice(1).join("\n");
}

/**
 * Starts a session of `pairing`, captures real datagrams in both directions, then sends `count` hostile
 * datagrams at the server or at the client (see HostileGenerator), half of them from the peer's own
 * address through the relay. Then checks the process lives and the session still echoes with nothing extra.
 */
export async function hostileCase(
  pairing: Pairing,
  target: "server" | "client",
  count: number,
  o: {
    seed?: number;
    deadlineMs?: number;
    kinds?: readonly HostileKind[];
    onProgress?: (sent: number) => void;
  } = {},
): Promise<HostileResult> {
  const captured: Record<"toServer" | "toClient", Buffer[]> = { toServer: [], toClient: [] };
  const rig = await startRig(pairing, {
    tap: (dir, msg) => {
      if (captured[dir].length < 200) captured[dir].push(Buffer.from(msg));
    },
  });
  try {
    // Some real traffic to capture: a few commands, their echoes and acknowledgements.
    for (let i = 1; i <= 3; i++) {
      await rig.run(`echo warm-$((${i}*11))`);
      await rig.waitFor(new RegExp(`^warm-${i * 11}$`, "m"));
    }
    await sleep(300);
    const before = await rig.screen();
    const codec = new DatagramCodec(SessionKey.parse(rig.server.key));
    const gen = new HostileGenerator({
      seed: o.seed ?? 13,
      captured: target === "server" ? captured.toServer : captured.toClient,
      codec,
      direction: target === "server" ? TO_SERVER : TO_CLIENT,
      kinds: o.kinds,
    });
    const emu = rig.emu;
    const result = await barrage(
      gen,
      target === "server"
        ? { pid: rig.serverPid, port: () => rig.server.port, sendAsPeer: (d) => emu.injectToServer(d) }
        : {
            pid: rig.clientPid,
            port: () => emu.clientEndpoint?.port ?? 0,
            sendAsPeer: (d) => emu.injectToClient(d),
          },
      count,
      { deadlineMs: o.deadlineMs ?? 600_000, onProgress: o.onProgress },
    );
    let echoes = false;
    let screenAfter = "";
    const barAfter = /^mosh: .*/.exec(await rig.screen().catch(() => ""))?.[0] ?? "";
    if (isAlive(rig.serverPid) && isAlive(rig.clientPid)) {
      const command = "echo after-$((6*7))";
      await rig.run(command);
      echoes = await rig.waitFor(/^after-42\n\$$/m, 30_000).then(
        () => true,
        () => false,
      );
      await sleep(200);
      screenAfter = await rig.screen();
      return {
        ...result,
        target,
        echoes,
        screenIntact: belowBar(screenAfter) === belowBar(appended(before, command, "after-42")),
        screenAfter,
        barAfter,
      };
    }
    screenAfter = await rig.screen().catch(() => "");
    return { ...result, target, echoes, screenIntact: false, screenAfter, barAfter };
  } finally {
    await rig.stop();
  }
}

// ---- 2. loss, reordering, duplication ---------------------------------------------------------------------

/** Result of {@link lossCase}. */
export interface LossResult {
  keys: number;
  /** What the remote program received, in order (should equal what was typed). */
  received: string;
  typed: string;
  exactlyOnceInOrder: boolean;
  /** From the last key typed until the remote program had all of them (ms). */
  serverConvergeMs: number;
  /** From the last key typed until the client's screen showed all of them (ms). */
  screenConvergeMs: number;
  /** Datagrams offered / dropped / duplicated by the link, both directions together. */
  link: { datagrams: number; dropped: number; duplicated: number };
}

/** Per-direction loss giving 50 % round-trip loss: (1 - p)^2 = 0.5. */
export const HALF_ROUND_TRIP_LOSS = 1 - Math.SQRT1_2;

/** The link of the loss case, each direction: 29.3 % loss, 10 % reordered by 30 ms, 10 % duplicated, 10 ± 5 ms. */
export const LOSSY_LINK = {
  delayMs: 10,
  jitterMs: 5,
  loss: HALF_ROUND_TRIP_LOSS,
  reorder: 0.1,
  reorderDelayMs: 30,
  duplicate: 0.1,
} as const;

/** `n` printable keys in a fixed order (no two neighbours equal). */
export function keySequence(n: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[(i * 7 + Math.floor(i / alphabet.length)) % alphabet.length];
  return s;
}

/**
 * Types `keys` keys one at a time (`interKeyMs` apart) into a session whose remote program records every byte
 * it reads (`stty raw -echo; tee FILE`), over a link with 50 % round-trip loss, reordering and duplication.
 */
export async function lossCase(
  pairing: Pairing,
  o: { keys?: number; interKeyMs?: number; seed?: number; timeoutMs?: number } = {},
): Promise<LossResult> {
  const dir = scratchDir("loss");
  const file = join(dir, "keys");
  const rig = await startRig(pairing, {
    command: ["/bin/sh", "-c", `stty raw -echo; printf 'ready\\r\\n'; exec tee '${file}'`],
    toServer: LOSSY_LINK,
    toClient: LOSSY_LINK,
    seed: o.seed ?? 7,
    ready: /^ready$/m,
    readyTimeoutMs: 60_000,
  });
  try {
    const typed = keySequence(o.keys ?? 200);
    for (const k of typed) {
      await rig.type(k);
      await sleep(o.interKeyMs ?? 10);
    }
    const tLast = now();
    const timeoutMs = o.timeoutMs ?? 60_000;
    const tServer = await until(() => readOr(file).length >= typed.length, timeoutMs);
    // mosh-client draws each row by itself, so tmux does not see the rows as wrapped: join them here.
    const tScreen = await rig
      .waitUntil((s) => s.replace(/\n/g, "") === `ready${typed}`, "every key", timeoutMs)
      .then(
        (t) => t,
        () => Number.NaN,
      );
    // Late duplicates would show up now.
    await sleep(500);
    const received = readOr(file);
    const st = rig.emu.stats();
    return {
      keys: typed.length,
      typed,
      received,
      exactlyOnceInOrder: received === typed,
      serverConvergeMs: tServer - tLast,
      screenConvergeMs: tScreen - tLast,
      link: {
        datagrams: st.toServer.datagrams + st.toClient.datagrams,
        dropped: st.toServer.dropped + st.toClient.dropped,
        duplicated: st.toServer.duplicated + st.toClient.duplicated,
      },
    };
  } finally {
    await rig.stop();
  }
}

// ---- 3. roaming ---------------------------------------------------------------------------------------

/** One move of {@link roamCase}. */
export interface RoamStep {
  /** The client's new source address and port as the server sees it. */
  from: string;
  /** The server sent to the new address (a reply arrived there). */
  followed: boolean;
  /** From the first datagram from the new address to the first reply to it (ms). */
  followMs: number;
  /** From the first datagram from the new address to the command's output on the client's screen (ms). */
  screenMs: number;
}

/**
 * Moves the client three times mid-session: a new source port, then 127.0.0.2, then 127.0.0.3 (new ports
 * too). After each move a command is typed at once; measures when the server answered the new address and
 * when the output showed.
 */
export async function roamCase(pairing: Pairing, o: { hosts?: string[] } = {}): Promise<RoamStep[]> {
  let mark: { firstUp: number; firstDown: number } | null = null;
  const rig = await startRig(pairing, {
    tap: (dir) => {
      if (mark === null) return;
      const t = now();
      if (dir === "toServer" && Number.isNaN(mark.firstUp)) mark.firstUp = t;
      if (dir === "toClient" && Number.isNaN(mark.firstDown) && !Number.isNaN(mark.firstUp))
        mark.firstDown = t;
    },
  });
  try {
    await rig.run("echo start-$((2*2))");
    await rig.waitFor(/^start-4$/m);
    const steps: RoamStep[] = [];
    const hosts = o.hosts ?? ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
    for (const [i, host] of hosts.entries()) {
      await sleep(300);
      mark = null;
      await rig.emu.rebindUpstream(host);
      const m = { firstUp: Number.NaN, firstDown: Number.NaN };
      mark = m;
      const n = i + 1;
      await rig.run(`echo roam${n}-$((${n}*7))`);
      const tScreen = await rig.waitFor(new RegExp(`^roam${n}-${n * 7}$`, "m"), 20_000).then(
        (t) => t,
        () => Number.NaN,
      );
      steps.push({
        from: `${rig.emu.upstreamAddress}:${rig.emu.upstreamPort}`,
        followed: Number.isFinite(m.firstDown),
        followMs: m.firstDown - m.firstUp,
        screenMs: tScreen - m.firstUp,
      });
    }
    return steps;
  } finally {
    await rig.stop();
  }
}

// ---- 4. SIGSTOP ---------------------------------------------------------------------------------------

/** Result of {@link sleepCase}. */
export interface SleepResult {
  /** What the session wrote to its log: one line per command typed while a process was stopped. */
  log: string;
  /** Both commands ran exactly once, in order. */
  nothingLost: boolean;
  /** From SIGCONT of the client until its command had run (ms). */
  clientResumeMs: number;
  /** From SIGCONT of the server until the command typed meanwhile had run (ms). */
  serverResumeMs: number;
  /** Afterwards the client's screen shows a new command's output. */
  echoes: boolean;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

/**
 * Stops the client with SIGSTOP for `clientStopMs` and types a command meanwhile; resumes it; then stops
 * the server for `serverStopMs` and types another; resumes it. Both commands append to a log in the session.
 */
export async function sleepCase(
  pairing: Pairing,
  o: { clientStopMs: number; serverStopMs: number },
): Promise<SleepResult> {
  const dir = scratchDir("stop");
  const log = join(dir, "log");
  const rig = await startRig(pairing);
  let stopped: number | null = null;
  onCleanup(() => {
    if (stopped !== null) signal(stopped, "SIGCONT");
  });
  try {
    await rig.run("echo up");
    await rig.waitFor(/^up$/m);

    stopped = rig.clientPid;
    signal(rig.clientPid, "SIGSTOP");
    await rig.run(`echo c-$((2+3)) >> '${log}'`);
    await sleep(o.clientStopMs);
    signal(rig.clientPid, "SIGCONT");
    stopped = null;
    const tc = now();
    const clientResumeMs = (await until(() => readOr(log) === "c-5\n", 120_000)) - tc;
    await rig.waitFor(/>> .*\n\$$/, 30_000).catch(() => undefined);

    stopped = rig.serverPid;
    signal(rig.serverPid, "SIGSTOP");
    await rig.run(`echo s-$((3+4)) >> '${log}'`);
    await sleep(o.serverStopMs);
    signal(rig.serverPid, "SIGCONT");
    stopped = null;
    const ts = now();
    const serverResumeMs = (await until(() => readOr(log).length >= "c-5\ns-7\n".length, 120_000)) - ts;
    await sleep(300);
    await rig.run("echo after-$((5*5))");
    const echoes = await rig.waitFor(/^after-25$/m, 30_000).then(
      () => true,
      () => false,
    );
    const text = readOr(log);
    return { log: text, nothingLost: text === "c-5\ns-7\n", clientResumeMs, serverResumeMs, echoes };
  } finally {
    if (stopped !== null) signal(stopped, "SIGCONT");
    await rig.stop();
  }
}

// ---- 5. the session key --------------------------------------------------------------------------------

/** Where the key showed up. */
export interface KeyExposure {
  /** Processes whose command line holds the key: `pid comm`. */
  argv: string[];
  /** Processes whose environment holds the key: `pid comm`. */
  environ: string[];
  /** The key is in the server's output other than the MOSH CONNECT line (banner, -v log). */
  inServerLog: boolean;
  /** The key is on the client's screen or in its messages at exit. */
  inClientMessages: boolean;
  /** Files created under the session's HOME and TMPDIR (mode, path), with umask 000. */
  files: string[];
  /** Those of them that group or others can read or write. */
  unsafeFiles: string[];
}

/** Every process whose command line or environment (that we may read) contains `needle`. */
export function processesHolding(needle: string): { argv: string[]; environ: string[] } {
  const argv: string[] = [];
  const environ: string[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const comm = readOr(`/proc/${name}/comm`).trim();
    if (readOr(`/proc/${name}/cmdline`).includes(needle)) argv.push(`${name} ${comm}`);
    if (readOr(`/proc/${name}/environ`).includes(needle)) environ.push(`${name} ${comm}`);
  }
  return { argv, environ };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      out.push(`${(st.mode & 0o777).toString(8).padStart(4, "0")} ${p}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Runs a session with the server in verbose mode (`-v`), HOME and TMPDIR in a fresh directory and umask 000,
 * types a little, sends the server some forged datagrams (so it logs errors), quits from the client; then
 * looks for the key in every process's argv and environment, in the server's output and on the client's
 * screen, and lists the files the session created.
 */
export async function keyCase(pairing: Pairing): Promise<KeyExposure> {
  const dir = scratchDir("key");
  const home = join(dir, "home");
  const tmp = join(dir, "tmp");
  for (const d of [home, tmp]) mkdirSync(d, { mode: 0o700 });
  const captured: Buffer[] = [];
  const rig = await startRig(pairing, {
    serverArgs: ["-v"],
    umask: 0,
    clientEnv: { MOSH_PREDICTION_DISPLAY: "never", HOME: home, TMPDIR: tmp },
    serverEnv: { HOME: home, TMPDIR: tmp },
    tap: (dir_, msg) => {
      if (dir_ === "toServer" && captured.length < 50) captured.push(Buffer.from(msg));
    },
  });
  const key = rig.server.key;
  try {
    await rig.run("echo one-$((1+1))");
    await rig.waitFor(/^one-2$/m);
    // Forged datagrams: the server may log them (-v); the log must not carry the key.
    const gen = new HostileGenerator({ seed: 5, captured });
    for (let i = 0; i < 200; i++) rig.emu.injectToServer(gen.next().bytes);
    await rig.run("echo two-$((2+2))");
    await rig.waitFor(/^two-4$/m);
    const during = processesHolding(key);
    // Quit from the client: Ctrl-^ . (mosh's escape), then read what it printed.
    await rig.client.bytes(["1e", "2e"]);
    await until(() => !isAlive(rig.clientPid), 10_000, 20);
    await sleep(300);
    const messages = await rig.client.capture().catch(() => "");
    await sleep(500);
    const out = rig.server.output();
    const log = out.stdout.replace(/^MOSH CONNECT .*$/m, "") + out.stderr;
    const files = [...filesUnder(home), ...filesUnder(tmp)];
    return {
      argv: during.argv,
      environ: during.environ,
      inServerLog: log.includes(key),
      inClientMessages: messages.includes(key),
      files,
      unsafeFiles: files.filter((f) => (Number.parseInt(f.slice(0, 4), 8) & 0o077) !== 0),
    };
  } finally {
    await rig.stop();
  }
}

/** Where the key showed up when the `mosh` wrapper (or `mosh-ts`) started the session with `--local`. */
export interface WrapperKeyExposure {
  /** The session came up (prompt on screen). */
  started: boolean;
  argv: string[];
  environ: string[];
  /** The key is on the terminal (wrapper or client messages) during or after the session. */
  onScreen: boolean;
}

/**
 * `mosh --local 127.0.0.1` (Debian's wrapper, server and client) or `mosh-ts --local 127.0.0.1` (with
 * mosh-ts-server), in tmux: the wrapper reads MOSH CONNECT from the server and hands the key to the client.
 * The server is wrapped in a script that also copies its output to a 0600 file, so the case knows the key.
 * Then every process's argv and environment is searched for it.
 */
export async function wrapperKeyCase(impl: "mosh" | "mosh-ts"): Promise<WrapperKeyExposure> {
  const dir = scratchDir("wrapper");
  const home = join(dir, "home");
  mkdirSync(home, { mode: 0o700 });
  const connect = join(dir, "connect");
  const real = impl === "mosh" ? MOSH_SERVER : TS_SERVER;
  const server = join(dir, "server");
  writeFileSync(server, `#!/bin/sh\numask 077\n'${real}' "$@" | tee '${connect}'\n`, { mode: 0o700 });
  const wrapper = impl === "mosh" ? ["/usr/bin/mosh"] : [join(ROOT, "dist", "bin", "mosh-ts.js")];
  const tmux = await startTmuxClient();
  let serverPid = 0;
  try {
    await tmux.exec([...wrapper, "--local", `--server=${server}`, "127.0.0.1", "--", "/bin/sh"], {
      HOME: home,
      PS1: "$ ",
      MOSH_PREDICTION_DISPLAY: "never",
    });
    const started = await tmux.waitFor(/^\$ ?$/m, 20_000).then(
      () => true,
      () => false,
    );
    const m = /^MOSH CONNECT \d+ ([A-Za-z0-9/+]{22})/m.exec(readOr(connect));
    const banner = /detached, pid = (\d+)\]/.exec(await tmux.capture().catch(() => ""));
    if (banner) serverPid = Number(banner[1]);
    if (!m) return { started, argv: [], environ: [], onScreen: false };
    const key = m[1];
    const found = processesHolding(key);
    await tmux.bytes(["1e", "2e"]);
    await sleep(1500);
    const screen = await tmux.capture().catch(() => "");
    return { started, argv: found.argv, environ: found.environ, onScreen: screen.includes(key) };
  } finally {
    await tmux.kill();
    if (serverPid > 0) {
      track(serverPid);
      await release([serverPid], [serverPid]);
    }
  }
}

// ---- 7. soak -----------------------------------------------------------------------------------------

/** One RSS sample of {@link soakCase}. */
export interface SoakSample {
  /** Seconds since the soak started. */
  t: number;
  clientMiB: number;
  serverMiB: number;
}

/** Result of {@link soakCase}. */
export interface SoakResult {
  samples: SoakSample[];
  /** Least-squares slope of RSS over the soak after its first minute, MiB per minute. */
  clientSlopeMiBPerMin: number;
  serverSlopeMiBPerMin: number;
  /** Keys typed during the soak. */
  keysTyped: number;
  /** After the soak a typed line still came back. */
  echoes: boolean;
  clientCpuS: number;
  serverCpuS: number;
}

/** Least-squares slope of y over x (NaN with fewer than two points). */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/**
 * A session for `seconds`: the remote program prints a line every 50 ms (bounded count) while `sed` echoes
 * each line typed; a few keys are typed every 250 ms, a line every 2 s. Samples both ends' RSS every 5 s.
 */
export async function soakCase(pairing: Pairing, seconds: number): Promise<SoakResult> {
  const lines = Math.ceil((seconds + 60) * 20);
  const printer = `perl -e '$|=1; for my $i (1..${lines}) { print "soak $i\\n"; select(undef,undef,undef,0.05) }' &`;
  // sed marks each line it reads back, so the final check cannot be fooled by the terminal's own echo.
  const rig = await startRig(pairing, {
    command: ["/bin/sh", "-c", `${printer} exec sed -u 's/^/got:/'`],
    ready: /soak \d+/,
  });
  try {
    const cpuC0 = cpuSeconds(rig.clientPid);
    const cpuS0 = cpuSeconds(rig.serverPid);
    const samples: SoakSample[] = [];
    const t0 = now();
    let nextSample = t0;
    let keys = 0;
    let tick = 0;
    while (now() - t0 < seconds * 1000) {
      if (now() >= nextSample) {
        samples.push({
          t: (now() - t0) / 1000,
          clientMiB: rssMiB(rig.clientPid),
          serverMiB: rssMiB(rig.serverPid),
        });
        nextSample += 5000;
      }
      tick++;
      if (tick % 8 === 0) await rig.client.bytes(["0d"]);
      else await rig.type("abc");
      keys += tick % 8 === 0 ? 1 : 3;
      await sleep(250);
    }
    samples.push({
      t: (now() - t0) / 1000,
      clientMiB: rssMiB(rig.clientPid),
      serverMiB: rssMiB(rig.serverPid),
    });
    const clientCpuS = cpuSeconds(rig.clientPid) - cpuC0;
    const serverCpuS = cpuSeconds(rig.serverPid) - cpuS0;
    // End the line being typed first, so the marker comes back on a line of its own.
    await rig.client.bytes(["0d"]);
    await rig.type("SOAK-END");
    await rig.client.bytes(["0d"]);
    const echoes = await rig.waitFor(/got:SOAK-END/, 20_000).then(
      () => true,
      () => false,
    );
    const later = samples.filter((s) => s.t >= Math.min(60, seconds / 2));
    return {
      samples,
      clientSlopeMiBPerMin: slope(
        later.map((s) => s.t / 60),
        later.map((s) => s.clientMiB),
      ),
      serverSlopeMiBPerMin: slope(
        later.map((s) => s.t / 60),
        later.map((s) => s.serverMiB),
      ),
      keysTyped: keys,
      echoes,
      clientCpuS,
      serverCpuS,
    };
  } finally {
    await rig.stop();
  }
}
