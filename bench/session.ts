// Session benchmark: start to prompt, `seq 1 200000` to final screen, Ctrl-C during `yes`; mosh-ts vs Debian's mosh 1.4.
// Run: npm run bench [-- --reps N] [--filter TEXT] [--start-only]   (MOSH_TS_SERVER_B=path: see CONFIGS)
//   --filter: only the rows whose name contains TEXT (e.g. `--filter mosh-ts-server`);
//   --start-only: measure MOSH CONNECT, first state and start to prompt only (no seq, no Ctrl-C).
import { MoshSession } from "../sdk/client/mosh-session.js";
import {
  banner,
  fmt,
  type Impl,
  median,
  now,
  printTable,
  runBenchmark,
  type ServerHandle,
  sleep,
  startServer,
  startTmuxClient,
  type TmuxClient,
} from "./harness.js";

/** The prompt alone on the last non-empty row. */
const PROMPT = /(?:^|\n)\$\n*$/;
const SEQ_DONE = /(?:^|\n)200000\n\$\n*$/;
const YES_RUNNING = /y\ny\ny\ny/;

type ClientKind = "MoshSession" | "mosh-client";

interface Config {
  name: string;
  impl: Impl;
  client: ClientKind;
  /** The mosh-ts-server program, if not the default one. */
  program?: string;
}

const CONFIGS: Config[] = [
  { name: "mosh-ts-server + MoshSession", impl: "mosh-ts", client: "MoshSession" },
  { name: "mosh-server + MoshSession", impl: "mosh", client: "MoshSession" },
  { name: "mosh-server + mosh-client (tmux)", impl: "mosh", client: "mosh-client" },
  { name: "mosh-ts-server + mosh-client (tmux)", impl: "mosh-ts", client: "mosh-client" },
];
// MOSH_TS_SERVER_B=path adds a row for a second build of mosh-ts-server, to compare two builds in one run.
if (process.env.MOSH_TS_SERVER_B) {
  const program = process.env.MOSH_TS_SERVER_B;
  CONFIGS.splice(1, 0, {
    name: "mosh-ts-server B + MoshSession",
    impl: "mosh-ts",
    client: "MoshSession",
    program,
  });
}

interface Rep {
  connectLineMs: number;
  /** Spawn to the first server state at the client (MoshSession only; NaN for mosh-client). */
  firstStateMs: number;
  startMs: number;
  seqMs: number;
  ctrlcMs: number;
}

/** What a client end must do for the three measurements. */
interface Driver {
  send(data: string): void | Promise<void>;
  /** Resolves with the monotonic time at which the screen matched. */
  waitFor(re: RegExp, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

function sessionDriver(s: MoshSession): Driver {
  return {
    send: (d) => s.write(d),
    async waitFor(re, timeoutMs) {
      await s.waitFor(re, { timeout: timeoutMs });
      return now();
    },
    async close() {
      await Promise.race([s.close().catch(() => undefined), sleep(3000)]);
    },
  };
}

function tmuxDriver(t: TmuxClient): Driver {
  return {
    async send(d) {
      // Control bytes go as hex (send-keys -H); text literally.
      if (/^[\x20-\x7e]*$/.test(d)) await t.type(d);
      else await t.bytes(Array.from(Buffer.from(d), (b) => b.toString(16).padStart(2, "0")));
    },
    waitFor: (re, timeoutMs) => t.waitFor(re, timeoutMs),
    close: () => t.kill(),
  };
}

async function oneRep(cfg: Config, startOnly: boolean): Promise<Rep> {
  let server: ServerHandle | null = null;
  let driver: Driver | null = null;
  // The tmux server is started before the clock starts; launching mosh-client in it is timed.
  const tmux = cfg.client === "mosh-client" ? await startTmuxClient() : null;
  try {
    const t0 = now();
    let firstStateMs = Number.NaN;
    server = await startServer(cfg.impl, undefined, cfg.program);
    if (tmux) {
      await tmux.launch(server.port, server.key);
      driver = tmuxDriver(tmux);
    } else {
      const s = new MoshSession({
        host: "127.0.0.1",
        port: server.port,
        key: server.key,
        cols: 80,
        rows: 24,
      });
      s.on("error", () => undefined);
      driver = sessionDriver(s);
      await s.connect();
      firstStateMs = now() - t0;
    }
    const tPrompt = await driver.waitFor(PROMPT, 15000);
    const startMs = tPrompt - t0;
    await server.pid;
    if (startOnly) {
      return {
        connectLineMs: server.connectLineMs,
        firstStateMs,
        startMs,
        seqMs: Number.NaN,
        ctrlcMs: Number.NaN,
      };
    }
    await sleep(300);

    const tSeq = now();
    await driver.send("seq 1 200000\r");
    const seqMs = (await driver.waitFor(SEQ_DONE, 120000)) - tSeq;
    await sleep(300);

    const tYes = now();
    await driver.send("yes\r");
    await driver.waitFor(YES_RUNNING, 10000);
    await sleep(Math.max(0, 2000 - (now() - tYes)));
    const tC = now();
    await driver.send("\x03");
    const ctrlcMs = (await driver.waitFor(PROMPT, 30000)) - tC;
    return { connectLineMs: server.connectLineMs, firstStateMs, startMs, seqMs, ctrlcMs };
  } finally {
    await driver?.close();
    await tmux?.kill();
    await server?.stop();
  }
}

function cell(xs: number[]): string {
  const ok = xs.filter(Number.isFinite);
  if (ok.length === 0) return "-";
  return `${fmt(median(ok))} (${fmt(Math.min(...ok))}-${fmt(Math.max(...ok))})`;
}

await runBenchmark(async () => {
  const argv = process.argv.slice(2);
  const i = argv.indexOf("--reps");
  const reps = i >= 0 ? Math.max(1, Number(argv[i + 1])) : 5;
  const f = argv.indexOf("--filter");
  const filter = f >= 0 ? (argv[f + 1] ?? "") : "";
  const startOnly = argv.includes("--start-only");
  const configs = CONFIGS.filter((c) => c.name.includes(filter));
  banner("bench/session.ts: session start, bulk output and Ctrl-C latency");
  const results = new Map<string, Rep[]>(configs.map((c) => [c.name, []]));
  const failures = new Map<string, string>();
  // Interleave the configurations so a slow moment of the machine hits all of them alike.
  for (let r = 0; r < reps; r++) {
    for (const cfg of configs) {
      try {
        const rep = await oneRep(cfg, startOnly);
        results.get(cfg.name)?.push(rep);
        process.stderr.write(
          `  rep ${r + 1} ${cfg.name}: connect ${rep.connectLineMs.toFixed(0)} ms, start ${rep.startMs.toFixed(0)} ms, seq ${rep.seqMs.toFixed(0)} ms, Ctrl-C ${rep.ctrlcMs.toFixed(0)} ms\n`,
        );
      } catch (err) {
        const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
        failures.set(cfg.name, msg);
        process.stderr.write(`  rep ${r + 1} ${cfg.name}: FAILED: ${msg}\n`);
      }
    }
  }
  const rows = configs.map((cfg) => {
    const reps_ = results.get(cfg.name) ?? [];
    return [
      cfg.name,
      `${reps_.length}`,
      cell(reps_.map((x) => x.connectLineMs)),
      cell(reps_.map((x) => x.firstStateMs)),
      cell(reps_.map((x) => x.startMs)),
      cell(reps_.map((x) => x.seqMs)),
      cell(reps_.map((x) => x.ctrlcMs)),
    ];
  });
  printTable(
    "Session latency in ms, median (min-max); loopback, no link emulator",
    [
      "server + client",
      "runs",
      "MOSH CONNECT",
      "first state",
      "start to prompt",
      "seq 1 200000",
      "Ctrl-C in yes",
    ],
    rows,
  );
  console.log(
    [
      "",
      "MOSH CONNECT: spawning `<server> new -i 127.0.0.1 -p 0 -l LANG=C.UTF-8 -- /bin/sh` until that line is read",
      "  (the program is executed as ssh would; MOSH_TS_BENCH_VIA_NODE=1 runs mosh-ts-server as `node PROGRAM`).",
      "first state: spawning the server until MoshSession.connect() resolved (the first server state arrived).",
      "start to prompt: spawning the server until `$ ` is on the client's screen (for mosh-client: the tmux",
      "  server is already running; launching mosh-client in it is included). seq: from typing the command",
      "  until `200000` and the prompt are on screen. Ctrl-C: `yes` runs 2 s, then 0x03; until the prompt is back.",
      "mosh-client rows poll `tmux capture-pane` every ~5 ms (adds a few ms). Targets: start < 60 ms (mosh ~300 ms);",
      "  seq and Ctrl-C no slower than mosh.",
    ].join("\n"),
  );
  for (const [name, msg] of failures) console.log(`failure (${name}): ${msg}`);
});
