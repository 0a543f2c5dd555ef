// Micro-benchmark of the diff codecs (sdk/wire/messages.ts) against the generated protobuf-es ones: warm CPU per call and the first call in a fresh process.
//
// Usage: node bench/run.mjs wire-messages [--rounds N] [--procs N]
// Warm: each codec runs in batches on one typical message; the figure is the median over
// --rounds batches of CPU time (process.cpuUsage, user + system) per call. Cold: --procs fresh
// processes per codec and implementation, each loading only that implementation (bundled alone
// into .tmp/bench/) and timing its first call (a decoder's input comes ready-made from the
// parent, so no encoder has run before it); median wall time. The module load time (for the
// reference, @bufbuild/protobuf and the generated code) is reported too.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { HostOp, UserEvent } from "../sdk/wire/messages.js";

/** The four codecs, by either implementation. */
interface Codecs {
  encodeUserMessage(events: readonly UserEvent[]): Uint8Array;
  decodeUserMessage(b: Uint8Array): UserEvent[];
  encodeHostMessage(ops: readonly HostOp[]): Uint8Array;
  decodeHostMessage(b: Uint8Array): HostOp[];
}

const ROOT = process.env.MOSH_TS_ROOT ?? process.cwd();
const OUT = join(ROOT, ".tmp", "bench");
/** Each implementation bundled alone, so that a fresh process loads only what it needs. */
const BUNDLES = {
  hand: { source: "sdk/wire/messages.ts", file: join(OUT, "wire-messages-hand.mjs") },
  reference: {
    source: "sdk/wire/messages-reference.ts",
    file: join(OUT, "wire-messages-reference.mjs"),
  },
};
type Impl = keyof typeof BUNDLES;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** One keystroke, as the client sends it. */
const KEYSTROKE: UserEvent[] = [{ kind: "keys", keys: Uint8Array.of(0x61) }];
/** A typical echo frame: echo ack plus a short repaint of one cell and the cursor. */
const ECHO: HostOp[] = [
  { kind: "echoack", num: 93n },
  { kind: "hostbytes", bytes: new TextEncoder().encode("\x1b[24;7Ha\x1b[?25h".padEnd(60, "x")) },
];
/** A full repaint after a resize (resize + ~4 KB of host bytes). */
const REPAINT: HostOp[] = [
  { kind: "resize", cols: 100, rows: 30 },
  { kind: "hostbytes", bytes: new Uint8Array(4000).fill(0x41) },
];

/** The benchmarked calls: `make` returns a function making one call with codecs `c` (decoders on `input`). */
interface Case {
  name: string;
  /** The bytes a decoder parses (made by an encoder in the parent process), or nothing. */
  input?: (c: Codecs) => Uint8Array;
  make: (c: Codecs, input: Uint8Array) => () => unknown;
}
const CASES: Case[] = [
  { name: "encodeUserMessage (1 key)", make: (c) => () => c.encodeUserMessage(KEYSTROKE) },
  {
    name: "decodeUserMessage (1 key)",
    input: (c) => c.encodeUserMessage(KEYSTROKE),
    make: (c, b) => () => c.decodeUserMessage(b),
  },
  { name: "encodeHostMessage (echo)", make: (c) => () => c.encodeHostMessage(ECHO) },
  {
    name: "decodeHostMessage (echo)",
    input: (c) => c.encodeHostMessage(ECHO),
    make: (c, b) => () => c.decodeHostMessage(b),
  },
  { name: "encodeHostMessage (4 KB repaint)", make: (c) => () => c.encodeHostMessage(REPAINT) },
  {
    name: "decodeHostMessage (4 KB repaint)",
    input: (c) => c.encodeHostMessage(REPAINT),
    make: (c, b) => () => c.decodeHostMessage(b),
  },
];

async function load(impl: Impl): Promise<Codecs> {
  const m = (await import(pathToFileURL(BUNDLES[impl].file).href)) as Record<string, unknown>;
  const pick = (name: string): unknown => m[name] ?? m[`reference${name[0].toUpperCase()}${name.slice(1)}`];
  return {
    encodeUserMessage: pick("encodeUserMessage"),
    decodeUserMessage: pick("decodeUserMessage"),
    encodeHostMessage: pick("encodeHostMessage"),
    decodeHostMessage: pick("decodeHostMessage"),
  } as Codecs;
}

/** CPU microseconds per call of `fn`, median of `rounds` batches. */
function warm(fn: () => unknown, rounds: number): number {
  let n = 1;
  // Calibrate a batch to ~20 ms (and warm up the JIT).
  for (;;) {
    const t = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const d = process.cpuUsage(t);
    if (d.user + d.system > 20_000) break;
    n *= 2;
  }
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const d = process.cpuUsage(t);
    per.push((d.user + d.system) / n);
  }
  return median(per);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const fmt = (us: number): string => (us >= 100 ? `${us.toFixed(0)} µs` : `${us.toFixed(2)} µs`);

const coldAt = process.argv.indexOf("--cold");
if (coldAt >= 0) {
  // Child: load one implementation, make one call of one case; print the load and call times (µs).
  const impl = process.argv[coldAt + 1] as Impl;
  const make = CASES[Number(process.argv[coldAt + 2])].make;
  const input = new Uint8Array(Buffer.from(process.argv[coldAt + 3], "hex"));
  const t0 = performance.now();
  const codecs = await load(impl);
  const t1 = performance.now();
  const call = make(codecs, input);
  const t2 = performance.now();
  call();
  const t3 = performance.now();
  process.stdout.write(`${(t1 - t0) * 1000} ${(t3 - t2) * 1000}`);
} else {
  mkdirSync(OUT, { recursive: true });
  for (const b of Object.values(BUNDLES)) {
    const built = spawnSync(
      join(ROOT, "node_modules", ".bin", "esbuild"),
      [
        join(ROOT, b.source),
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--target=node20",
        "--packages=external",
        "--log-level=warning",
        `--outfile=${b.file}`,
      ],
      { stdio: "inherit" },
    );
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const rounds = option("rounds", 9);
  const procs = option("procs", 9);
  const self = fileURLToPath(import.meta.url);
  const cold = (impl: Impl, i: number, input: Uint8Array): { load: number; call: number } => {
    const loads: number[] = [];
    const calls: number[] = [];
    for (let p = 0; p < procs; p++) {
      const r = spawnSync(
        process.execPath,
        [self, "--cold", impl, String(i), Buffer.from(input).toString("hex")],
        {
          encoding: "utf8",
          cwd: ROOT,
        },
      );
      if (r.status !== 0) throw new Error(`cold run failed: ${r.stderr}`);
      const [l, c] = r.stdout.split(" ").map(Number);
      loads.push(l);
      calls.push(c);
    }
    return { load: median(loads), call: median(calls) };
  };
  const hand = await load("hand");
  const reference = await load("reference");
  console.log(
    `warm: CPU per call, median of ${rounds} batches; cold: wall time of the first call in a fresh process, median of ${procs}`,
  );
  console.log(
    ["codec".padEnd(34), "warm ref", "warm hand", "cold ref", "cold hand"]
      .map((x, i) => (i ? x.padStart(10) : x))
      .join(" "),
  );
  const loads: Record<Impl, number[]> = { hand: [], reference: [] };
  for (const [i, c] of CASES.entries()) {
    const input = c.input?.(hand) ?? new Uint8Array(0);
    const wr = warm(c.make(reference, input), rounds);
    const wh = warm(c.make(hand, input), rounds);
    const cr = cold("reference", i, input);
    const ch = cold("hand", i, input);
    loads.reference.push(cr.load);
    loads.hand.push(ch.load);
    console.log([c.name.padEnd(34), ...[wr, wh, cr.call, ch.call].map((x) => fmt(x).padStart(10))].join(" "));
  }
  console.log(
    `loading the module in a fresh process (median): reference (with @bufbuild/protobuf) ${fmt(median(loads.reference))}, hand-written ${fmt(median(loads.hand))}`,
  );
}
