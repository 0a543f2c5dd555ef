// The client's own time per keystroke: from a key read on the keyboard to the frame written to the terminal, inside one mosh-ts-client (runTerminalClient on fake streams), against Debian's mosh-server behind a link emulator.
// Run: node bench/run.mjs key-path [--keys N] [--rtt MS] [--gap MS]   (add --cpu-prof to node for a profile)
// Prints each of the first keystrokes' times (cold code) and the median / p90 of all; what tmux
// and the pty add on top is in keystroke-latency.ts.
import { PassThrough, Writable } from "node:stream";
import type { ReadStream, WriteStream } from "node:tty";
import { LocalDisplay } from "../frontend/client/local-display.js";
import { runTerminalClient } from "../frontend/client/terminal-client.js";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { LinkEmulator } from "../sdk/linkem/link-emulator.js";
import { banner, fmt, median, runBenchmark, type ServerHandle, sleep, startServer } from "./harness.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** How often the predicted echo was drawn ahead of the session's processing. */
const ahead = { asked: 0, previewed: 0, drawn: 0 };
const preview = MoshSession.prototype.echoPreview;
MoshSession.prototype.echoPreview = function (this: MoshSession, byte: number) {
  ahead.asked++;
  const p = preview.call(this, byte);
  if (p) ahead.previewed++;
  return p;
};
const printAhead = LocalDisplay.prototype.printAhead;
LocalDisplay.prototype.printAhead = function (this: LocalDisplay, cell) {
  const ok = printAhead.call(this, cell);
  if (ok) ahead.drawn++;
  return ok;
};

async function main(): Promise<void> {
  const keys = arg("--keys", 200);
  const rtt = arg("--rtt", 250);
  const gap = arg("--gap", 60);
  banner(`mosh-ts-client's time per keystroke (key read to frame written), ${keys} keys, ${rtt} ms RTT`);
  const server: ServerHandle = await startServer("mosh", ["/bin/sh"]);
  const em = await LinkEmulator.start({
    target: { address: "127.0.0.1", port: server.port },
    toServer: { delayMs: rtt / 2 },
    toClient: { delayMs: rtt / 2 },
    seed: 1,
  });
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: () => stdin,
  }) as unknown as ReadStream;
  let pending = -1;
  let pendingChar = "";
  const times: number[] = [];
  let screen = "";
  const stdout = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        // A keystroke counts when the first frame after it shows it (a predicted echo).
        if (pending >= 0 && chunk.toString("latin1").includes(pendingChar))
          times.push(Number(process.hrtime.bigint() - BigInt(pending)) / 1e6);
        pending = -1;
        screen += chunk.toString("latin1");
        cb();
      },
    }),
    { isTTY: true, columns: 80, rows: 24 },
  ) as unknown as WriteStream;
  const stderr = new PassThrough();
  const done = runTerminalClient({
    ip: "127.0.0.1",
    port: em.port,
    key: server.key,
    env: { TERM: "xterm-256color", MOSH_PREDICTION_DISPLAY: "adaptive" },
    stdin,
    stdout,
    stderr,
    warmUp: !process.argv.includes("--no-warmup"),
  });
  const deadline = Date.now() + 10000;
  while (!screen.includes("$ ") && Date.now() < deadline) await sleep(20);
  await sleep(1500); // the RTT estimate settles
  const text = "the quick brown fox jumps over the lazy dog ";
  for (let i = 0; i < keys; i++) {
    if (i % 100 === 99) {
      (stdin as unknown as PassThrough).write("\x15"); // ^U: the line starts afresh
      await sleep(rtt + 100);
      pending = -1;
      continue;
    }
    pendingChar = text[i % text.length];
    pending = Number(process.hrtime.bigint());
    (stdin as unknown as PassThrough).write(pendingChar);
    await sleep(gap);
  }
  (stdin as unknown as PassThrough).write("\x1e.");
  await done;
  await em.stop();
  await server.stop();
  const sorted = times.slice().sort((a, b) => a - b);
  console.log(`drawn ahead: ${ahead.drawn} of ${ahead.asked} keystrokes (${ahead.previewed} previewed)`);
  console.log(
    `first keys (ms): ${times
      .slice(0, 12)
      .map((t) => fmt(t, 2))
      .join(" ")}`,
  );
  console.log(
    `${times.length} of ${keys} keys shown at once: median ${fmt(median(times), 3)} ms, p90 ${fmt(sorted[Math.floor(sorted.length * 0.9)], 3)} ms; last half median ${fmt(median(times.slice(times.length >> 1)), 3)} ms, last 50 median ${fmt(median(times.slice(-50)), 3)} ms`,
  );
}

void runBenchmark(main);
