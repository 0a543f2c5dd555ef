// Server benchmark (issue 3 item 4): CPU, peak RSS and bytes on the wire of mosh-ts-server vs Debian's mosh-server.
// Run: npm run bench:server [-- --idle-seconds N] [-- --only seq,redraw,idle,memory,many] [-- --sessions N]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { LinkEmulator, type LinkEmulatorStats } from "../sdk/linkem/link-emulator.js";
import {
  banner,
  cpuSeconds,
  fmt,
  fmtBytes,
  type Impl,
  type MemInfo,
  memInfo,
  memSampler,
  now,
  onCleanup,
  peakRssMiB,
  printTable,
  runBenchmark,
  type ServerHandle,
  sleep,
  startServer,
} from "./harness.js";

const IMPLS: Impl[] = ["mosh-ts", "mosh"];
const DELAYS = [0, 100];
/** The prompt alone on the last non-empty row. */
const PROMPT = /(?:^|\n)\$\n*$/;
const SEQ_DONE = /(?:^|\n)200000\n\$\n*$/;
const SEQ_MILLION_DONE = /(?:^|\n)1000000\n\$\n*$/;
const SEQ_MANY_DONE = /(?:^|\n)20000\n\$\n*$/;
const REDRAW_DONE = /REDRAW-END \d+\n\$/;

/** 80x24 full-screen repaint every 50 ms for 10 s, on the alternate screen, every cell changing each frame. */
const REDRAW_PL = String.raw`use Time::HiRes qw(time sleep);
$| = 1;
print "\e[?1049h\e[H\e[2J";
my $t0 = time; my $f = 0;
while (time - $t0 < 10) {
  my $s = "\e[H";
  for my $r (0 .. 23) {
    my $l = "";
    for my $c (0 .. 7) { $l .= sprintf("%04d:%02d:%d ", ($f * 7 + $r * 13 + $c * 3) % 10000, $r, $c); }
    $s .= $l; $s .= "\r\n" if $r < 23;
  }
  print $s; $f++;
  my $d = $t0 + $f * 0.05 - time; sleep($d) if $d > 0;
}
print "\e[?1049l";
print "REDRAW-END $f\n";
`;

type Scenario = "seq" | "redraw" | "idle";

interface Measure {
  impl: Impl;
  delay: number;
  scenario: Scenario;
  wallS: number;
  cpuS: number;
  rssMiB: number;
  s2cBytes: number;
  s2cDgrams: number;
  c2sBytes: number;
}

/** One server behind a link emulator with our client connected and the prompt on screen. */
interface Rig {
  server: ServerHandle;
  pid: number;
  emu: LinkEmulator;
  client: MoshSession;
  teardown(): Promise<void>;
}

async function rig(impl: Impl, delay: number): Promise<Rig> {
  const server = await startServer(impl);
  let emu: LinkEmulator | null = null;
  let client: MoshSession | null = null;
  let down = false;
  const teardown = async (): Promise<void> => {
    if (down) return;
    down = true;
    if (client) {
      const c = client;
      await Promise.race([c.close().catch(() => undefined), sleep(3000)]);
    }
    await emu?.stop();
    await server.stop();
  };
  onCleanup(teardown);
  try {
    const pid = await server.pid;
    const profile = { delayMs: delay };
    emu = await LinkEmulator.start({
      target: { address: "127.0.0.1", port: server.port },
      toServer: profile,
      toClient: profile,
    });
    client = new MoshSession({ host: "127.0.0.1", port: emu.port, key: server.key, cols: 80, rows: 24 });
    client.on("error", () => undefined);
    await client.connect();
    await client.waitFor(PROMPT, { timeout: 15000 });
    return { server, pid, emu, client, teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}

function snapshot(r: Rig): { t: number; cpu: number; stats: LinkEmulatorStats } {
  return { t: now(), cpu: cpuSeconds(r.pid), stats: r.emu.stats() };
}

function measure(
  r: Rig,
  scenario: Scenario,
  delay: number,
  a: ReturnType<typeof snapshot>,
  b: ReturnType<typeof snapshot>,
): Measure {
  return {
    impl: r.server.impl,
    delay,
    scenario,
    wallS: (b.t - a.t) / 1000,
    cpuS: b.cpu - a.cpu,
    rssMiB: peakRssMiB(r.pid),
    s2cBytes: b.stats.toClient.bytes - a.stats.toClient.bytes,
    s2cDgrams: b.stats.toClient.datagrams - a.stats.toClient.datagrams,
    c2sBytes: b.stats.toServer.bytes - a.stats.toServer.bytes,
  };
}

async function runActive(
  impl: Impl,
  delay: number,
  scenario: "seq" | "redraw",
  script: string,
): Promise<Measure> {
  const r = await rig(impl, delay);
  try {
    await sleep(500);
    const a = snapshot(r);
    if (scenario === "seq") {
      r.client.write("seq 1 200000\r");
      await r.client.waitFor(SEQ_DONE, { timeout: 180000 });
    } else {
      r.client.write(`perl ${script}\r`);
      await r.client.waitFor(REDRAW_DONE, { timeout: 60000 });
    }
    const b = snapshot(r);
    return measure(r, scenario, delay, a, b);
  } finally {
    await r.teardown();
  }
}

async function runIdle(seconds: number): Promise<Measure[]> {
  const rigs: Array<{ rig: Rig; delay: number }> = [];
  try {
    for (const delay of DELAYS) for (const impl of IMPLS) rigs.push({ rig: await rig(impl, delay), delay });
    await sleep(1000);
    const before = rigs.map((x) => snapshot(x.rig));
    await sleep(seconds * 1000);
    const after = rigs.map((x) => snapshot(x.rig));
    return rigs.map((x, i) => {
      const m = measure(x.rig, "idle", x.delay, before[i], after[i]);
      const perMin = 60 / m.wallS;
      return {
        ...m,
        cpuS: m.cpuS * perMin,
        s2cBytes: m.s2cBytes * perMin,
        s2cDgrams: m.s2cDgrams * perMin,
        c2sBytes: m.c2sBytes * perMin,
      };
    });
  } finally {
    for (const x of rigs) await x.rig.teardown();
  }
}

/** One session at 80x24, no delay: memory sampled while `seq 1 1000000` runs, and after it. */
interface MemMeasure {
  impl: Impl;
  /** Each field's maximum over the run (KiB). */
  peak: MemInfo;
  /** After the output settled (KiB). */
  end: MemInfo;
}

async function runMemory(impl: Impl): Promise<MemMeasure> {
  const r = await rig(impl, 0);
  try {
    await sleep(500);
    const sampler = memSampler(r.pid);
    r.client.write("seq 1 1000000\r");
    await r.client.waitFor(SEQ_MILLION_DONE, { timeout: 300000 });
    await sleep(1000);
    const peak = sampler.stop();
    const end = memInfo(r.pid);
    if (!end) throw new Error(`${impl}: the server is gone`);
    return { impl, peak, end };
  } finally {
    await r.teardown();
  }
}

/** `n` concurrent sessions of one implementation, each having run `seq 1 20000`: their memory summed. */
interface ManyMeasure {
  impl: Impl;
  sessions: number;
  total: MemInfo;
}

async function runMany(impl: Impl, n: number): Promise<ManyMeasure> {
  const rigs: Rig[] = [];
  try {
    for (let i = 0; i < n; i++) rigs.push(await rig(impl, 0));
    await Promise.all(
      rigs.map(async (r) => {
        r.client.write("seq 1 20000\r");
        await r.client.waitFor(SEQ_MANY_DONE, { timeout: 120000 });
      }),
    );
    await sleep(1000);
    const total: MemInfo = { rss: 0, pss: 0, uss: 0, shared: 0, hwm: 0 };
    for (const r of rigs) {
      const m = memInfo(r.pid);
      if (!m) throw new Error(`${impl}: a server is gone`);
      for (const k of Object.keys(total) as (keyof MemInfo)[]) total[k] += m[k];
    }
    return { impl, sessions: n, total };
  } finally {
    for (const r of rigs) await r.teardown();
  }
}

const mib = (kib: number): string => fmt(kib / 1024, 1);

function reportMemory(one: MemMeasure[], many: ManyMeasure[]): void {
  const get = <T extends { impl: Impl }>(xs: T[], impl: Impl): T | undefined =>
    xs.find((x) => x.impl === impl);
  if (one.length > 0) {
    const t = get(one, "mosh-ts");
    const m = get(one, "mosh");
    const row = (label: string, f: (x: MemMeasure) => number): string[] => {
      const a = t ? f(t) : Number.NaN;
      const b = m ? f(m) : Number.NaN;
      return [label, mib(a), mib(b), ratio(a, b)];
    };
    printTable(
      "Server memory, one session at 80x24 running `seq 1 1000000` (MiB; peak = maximum while it ran)",
      ["figure", "ts", "mosh", "ratio"],
      [
        row("peak RSS (VmHWM)", (x) => x.peak.hwm),
        row("peak PSS", (x) => x.peak.pss),
        row("peak USS (private)", (x) => x.peak.uss),
        row("RSS after", (x) => x.end.rss),
        row("PSS after", (x) => x.end.pss),
        row("USS after", (x) => x.end.uss),
        row("shared after (file pages)", (x) => x.end.shared),
      ],
    );
  }
  if (many.length > 0) {
    const rows: string[][] = [];
    for (const impl of IMPLS) {
      const x = get(many, impl);
      if (!x) continue;
      const per = (kib: number): string => mib(kib / x.sessions);
      rows.push([
        impl === "mosh-ts" ? "ts" : "mosh",
        `${x.sessions}`,
        mib(x.total.rss),
        mib(x.total.pss),
        mib(x.total.uss),
        per(x.total.rss),
        per(x.total.pss),
        per(x.total.uss),
        per(x.total.hwm),
      ]);
    }
    printTable(
      "Many sessions at once, each after `seq 1 20000` (MiB)",
      [
        "server",
        "sessions",
        "total RSS",
        "total PSS",
        "total USS",
        "RSS/session",
        "PSS/session",
        "USS/session",
        "peak RSS/session",
      ],
      rows,
    );
  }
  console.log(
    [
      "",
      "RSS counts every resident page; PSS divides each shared page by the processes sharing it (the node or",
      "  mosh-server binary and libraries); USS = Private_Clean + Private_Dirty, what the session itself adds.",
      "  From /proc/PID/smaps_rollup (sampled every 25 ms for the peaks) and VmHWM, of the server process only.",
    ].join("\n"),
  );
}

function ratio(ours: number, theirs: number): string {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0
    ? `${(ours / theirs).toFixed(2)}x`
    : "-";
}

function report(results: Measure[], idleSeconds: number): void {
  const find = (impl: Impl, scenario: Scenario, delay: number): Measure | undefined =>
    results.find((m) => m.impl === impl && m.scenario === scenario && m.delay === delay);
  const label: Record<Scenario, string> = {
    seq: "seq 1 200000",
    redraw: "full-screen redraw 10 s",
    idle: `idle (per minute, ${idleSeconds} s)`,
  };
  const rows: string[][] = [];
  for (const scenario of ["seq", "redraw", "idle"] as Scenario[]) {
    for (const delay of DELAYS) {
      const t = find("mosh-ts", scenario, delay);
      const m = find("mosh", scenario, delay);
      if (!t && !m) continue;
      const cpuDigits = scenario === "idle" ? 3 : 2;
      rows.push([
        label[scenario],
        `${delay}`,
        `${fmt(t?.wallS ?? Number.NaN, 1)} / ${fmt(m?.wallS ?? Number.NaN, 1)}`,
        fmt(t?.cpuS ?? Number.NaN, cpuDigits),
        fmt(m?.cpuS ?? Number.NaN, cpuDigits),
        ratio(t?.cpuS ?? Number.NaN, m?.cpuS ?? Number.NaN),
        fmt(t?.rssMiB ?? Number.NaN, 1),
        fmt(m?.rssMiB ?? Number.NaN, 1),
        fmtBytes(t?.s2cBytes ?? Number.NaN),
        fmtBytes(m?.s2cBytes ?? Number.NaN),
        ratio(t?.s2cBytes ?? Number.NaN, m?.s2cBytes ?? Number.NaN),
        `${fmt(t?.s2cDgrams ?? Number.NaN)} / ${fmt(m?.s2cDgrams ?? Number.NaN)}`,
        `${fmtBytes(t?.c2sBytes ?? Number.NaN)} / ${fmtBytes(m?.c2sBytes ?? Number.NaN)}`,
      ]);
    }
  }
  printTable(
    "Server cost: mosh-ts-server (ts) vs Debian mosh-server 1.4 (mosh); client: mosh-ts MoshSession for both",
    [
      "scenario",
      "delay ms",
      "wall s ts/mosh",
      "CPU s ts",
      "CPU s mosh",
      "CPU ratio",
      "peak RSS MiB ts",
      "RSS mosh",
      "bytes s->c ts",
      "bytes mosh",
      "bytes ratio",
      "dgrams s->c ts/mosh",
      "bytes c->s ts/mosh",
    ],
    rows,
  );
  console.log(
    [
      "",
      "CPU: utime+stime of the server process only (/proc/PID/stat; the shell and its children excluded), from",
      "  typing the command until the final screen reached the client. Peak RSS: VmHWM of the server process.",
      "Bytes: UDP payload bytes the server sent (counted by sdk/linkem LinkEmulator, which relays every datagram);",
      "  delay = one-way delay added in each direction (100 -> RTT 200 ms). Idle figures are scaled to one minute.",
      "Redraw: perl repaints all 80x24 cells (changing numbers) every 50 ms for 10 s on the alternate screen.",
      "seq/redraw: one fresh session each (run one after another); idle: the four sessions at once.",
    ].join("\n"),
  );
}

await runBenchmark(async () => {
  const argv = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const idleSeconds = Number(opt("--idle-seconds") ?? 60);
  const sessions = Number(opt("--sessions") ?? 50);
  const only = new Set((opt("--only") ?? "seq,redraw,idle,memory,many").split(","));
  banner("bench/server.ts: server CPU, peak RSS and bytes on the wire");
  const dir = mkdtempSync(join(tmpdir(), "mosh-ts-bench-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, "redraw.pl");
  writeFileSync(script, REDRAW_PL);
  const results: Measure[] = [];
  for (const scenario of ["seq", "redraw"] as const) {
    if (!only.has(scenario)) continue;
    for (const delay of DELAYS) {
      for (const impl of IMPLS) {
        const m = await runActive(impl, delay, scenario, script);
        process.stderr.write(
          `  ${scenario} ${impl} delay ${delay}: ${m.wallS.toFixed(1)} s, CPU ${m.cpuS.toFixed(2)} s\n`,
        );
        results.push(m);
      }
    }
  }
  if (only.has("idle")) {
    process.stderr.write(`  idle: 4 sessions for ${idleSeconds} s\n`);
    results.push(...(await runIdle(idleSeconds)));
  }
  const one: MemMeasure[] = [];
  const many: ManyMeasure[] = [];
  if (only.has("memory")) {
    for (const impl of IMPLS) {
      const m = await runMemory(impl);
      process.stderr.write(`  memory ${impl}: peak RSS ${mib(m.peak.hwm)} MiB, USS ${mib(m.peak.uss)} MiB\n`);
      one.push(m);
    }
  }
  if (only.has("many")) {
    for (const impl of IMPLS) {
      process.stderr.write(`  many ${impl}: ${sessions} sessions\n`);
      many.push(await runMany(impl, sessions));
    }
  }
  if (results.length > 0) report(results, idleSeconds);
  if (one.length > 0 || many.length > 0) reportMemory(one, many);
});
