// Whole sessions back to back through Debian's `mosh` wrapper (start, remote command exits, client exits), ms per session for each pairing of clients and servers, mosh-ts vs mosh 1.4.
// Run: node bench/run.mjs lifecycle [--sessions N] [--rounds R]   (needs `npx tsup` first)
//
// Each session is `mosh --client=C --server=S --local --bind-server=127.0.0.1 127.0.0.1 -- true`
// in an 80x24 tmux window, as mosh's own repeat tests run it: the wrapper asks the client for its
// colours (`C -c`), starts the server, runs the client; the server's command exits at once, the
// server shuts the session down and the client exits. The pairings take turns, R rounds of N
// sessions each, so that a busy moment of the machine falls on all of them alike. Also printed:
// the two start-up steps on their own (`C -c`, and `S new` until it returns), and each pairing's
// exit statuses and the client's last words, which must be mosh's.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TMUX_BOOT_ARGS } from "../test/helpers/tmux-args.js";
import {
  banner,
  fmt,
  MOSH_CLIENT,
  MOSH_SERVER,
  median,
  onCleanup,
  printTable,
  ROOT,
  release,
  runBenchmark,
  sleep,
  track,
} from "./harness.js";

const TS_CLIENT = join(ROOT, "dist", "bin", "mosh-ts-client.js");
const TS_SERVER = join(ROOT, "dist", "bin", "mosh-ts-server.js");

interface Pairing {
  name: string;
  client: string;
  server: string;
}

const PAIRINGS: Pairing[] = [
  { name: "mosh-client + mosh-server", client: MOSH_CLIENT, server: MOSH_SERVER },
  { name: "mosh-ts-client + mosh-server", client: TS_CLIENT, server: MOSH_SERVER },
  { name: "mosh-client + mosh-ts-server", client: MOSH_CLIENT, server: TS_SERVER },
  { name: "mosh-ts-client + mosh-ts-server", client: TS_CLIENT, server: TS_SERVER },
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} takes a positive integer`);
  return v;
}

/** Runs `script` with sh in a fresh 80x24 tmux window and waits for it to write `done` (ms budget). */
async function inTmux(script: string, done: string, timeoutMs: number): Promise<void> {
  const socket = `mosh-ts-bench-life-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const env = { ...process.env, TERM: "xterm-256color", LANG: "C.UTF-8" };
  const tmux = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile("tmux", ["-L", socket, "-f", "/dev/null", ...args], { env, encoding: "utf8" }, (err, out) =>
        err ? reject(err) : resolve(out),
      ),
    );
  await tmux([...TMUX_BOOT_ARGS, ";", "new-session", "-d", "-x", "80", "-y", "24", "--", "/bin/sh", script]);
  const pid = Number((await tmux(["display-message", "-p", "#{pid}"])).trim());
  track(pid);
  const stop = async (): Promise<void> => {
    await tmux(["kill-server"]).catch(() => undefined);
    await release([pid], []);
  };
  onCleanup(stop);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      let text = "";
      try {
        text = readFileSync(done, "utf8");
      } catch {
        // not yet
      }
      if (text.includes("DONE")) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
      await sleep(50);
    }
  } finally {
    await stop();
  }
}

interface Round {
  msPerSession: number;
  statuses: number[];
}

async function main(): Promise<void> {
  const sessions = arg("--sessions", 5);
  const rounds = arg("--rounds", 3);
  banner(
    `mosh-ts session lifecycle: ${rounds} rounds x ${sessions} sessions per pairing, through mosh 1.4's wrapper`,
  );
  console.log(
    `NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? "set (as on this machine)" : "unset"}`,
  );
  const dir = mkdtempSync(join(tmpdir(), "mosh-ts-bench-life-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));

  // The start-up steps alone: `C -c`, and `S new -- true` until it returns (its session, which
  // waits for a client, is killed by its pid from the banner).
  const steps = join(dir, "steps.sh");
  const stepsOut = join(dir, "steps.txt");
  const reps = sessions * rounds;
  writeFileSync(
    steps,
    `ms() { echo $(( $(date +%s%N) / 1000 )); }
out=${stepsOut}
for i in $(seq 1 ${reps}); do
${PAIRINGS.slice(0, 2)
  .map((p, k) => `  a=$(ms); '${p.client}' -c >/dev/null 2>&1; b=$(ms); echo "c${k} $((b - a))" >> "$out"`)
  .join("\n")}
${[MOSH_SERVER, TS_SERVER]
  .map(
    (s, k) =>
      `  a=$(ms); pid=$('${s}' new -i 127.0.0.1 -- true 2>&1 >/dev/null | sed -n 's/.*detached, pid = \\([0-9]*\\).*/\\1/p'); b=$(ms); kill $pid 2>/dev/null; echo "s${k} $((b - a))" >> "$out"`,
  )
  .join("\n")}
done
echo DONE >> "$out"
`,
  );
  await inTmux(steps, stepsOut, 120000);
  const stepTimes = (tag: string): number[] =>
    readFileSync(stepsOut, "utf8")
      .split("\n")
      .filter((l) => l.startsWith(`${tag} `))
      .map((l) => Number(l.split(" ")[1]) / 1000);

  const results = new Map<string, Round[]>(PAIRINGS.map((p) => [p.name, []]));
  const lastWords = new Map<string, string>();
  for (let r = 0; r < rounds; r++) {
    for (const [k, p] of PAIRINGS.entries()) {
      const script = join(dir, `run-${r}-${k}.sh`);
      const out = join(dir, `run-${r}-${k}.txt`);
      const log = join(dir, `run-${r}-${k}.log`);
      writeFileSync(
        script,
        `ms() { echo $(( $(date +%s%N) / 1000 )); }
a=$(ms)
for i in $(seq 1 ${sessions}); do
  mosh --client='${p.client}' --server='${p.server}' --local --bind-server=127.0.0.1 127.0.0.1 -- true > '${log}' 2>&1
  echo "status $?" >> '${out}'
done
b=$(ms)
echo "total $((b - a))" >> '${out}'
echo DONE >> '${out}'
`,
      );
      await inTmux(script, out, 60000 + sessions * 10000);
      const lines = readFileSync(out, "utf8").split("\n");
      const total = Number(lines.find((l) => l.startsWith("total "))?.split(" ")[1]) / 1000;
      const statuses = lines.filter((l) => l.startsWith("status ")).map((l) => Number(l.split(" ")[1]));
      results.get(p.name)?.push({ msPerSession: total / sessions, statuses });
      // The client's last words, with the program names made alike.
      lastWords.set(
        p.name,
        readFileSync(log, "latin1")
          .replace(/\x1b\[[0-9;?]*[a-zA-Z]|\x1b[()][0-9A-B]|\x1b[=>78]|\r/g, "")
          .replace(/mosh-ts-(client|server)/g, "mosh-$1")
          .trim()
          .split("\n")
          .slice(-2)
          .join(" | "),
      );
    }
  }

  const realMs = median((results.get(PAIRINGS[0].name) ?? []).map((x) => x.msPerSession));
  printTable(
    `Whole sessions through the mosh wrapper (ms per session; median and best of ${rounds} rounds of ${sessions})`,
    ["client + server", "median", "best", "vs mosh", "exit statuses", "last words"],
    PAIRINGS.map((p) => {
      const rs = results.get(p.name) ?? [];
      const ms = rs.map((x) => x.msPerSession);
      const statuses = [...new Set(rs.flatMap((x) => x.statuses))].join(",");
      return [
        p.name,
        fmt(median(ms)),
        fmt(Math.min(...ms)),
        `${fmt(median(ms) / realMs, 2)}x`,
        statuses,
        lastWords.get(p.name) ?? "",
      ];
    }),
  );
  printTable(
    "Start-up steps alone (ms; median and best)",
    ["step", "mosh", "mosh-ts"],
    [
      [
        "client -c (the wrapper asks first)",
        ...["c0", "c1"].map((t) => `${fmt(median(stepTimes(t)), 1)} / ${fmt(Math.min(...stepTimes(t)), 1)}`),
      ],
      [
        "server new, until it returns",
        ...["s0", "s1"].map((t) => `${fmt(median(stepTimes(t)), 1)} / ${fmt(Math.min(...stepTimes(t)), 1)}`),
      ],
    ],
  );
}

void runBenchmark(main);
