// A scripted stand-in for a command in a pty (for MoshServer tests on a fake clock), and real-time stepping of a FakeClock.
import type { PtyProcess, PtySpawner, PtySpawnOptions } from "../../sdk/server/pty-host.js";
import type { FakeClock } from "./sim-network.js";

/** A fake pty: records what the server writes and resizes, and emits output and exit when the test says so. */
export class FakePty implements PtyProcess {
  readonly pid = 0x7ffffff0;
  /** Everything written to the application, as latin1 text. */
  input = "";
  /** Every resize, in order. */
  readonly sizes: Array<[number, number]> = [];
  /** pause()/resume() calls, in order. */
  readonly flow: Array<"pause" | "resume"> = [];
  closed = false;
  killed: string[] = [];
  /** Called after each write with the bytes written (to script an application). */
  onInput: ((text: string) => void) | null = null;
  #data: ((d: string) => void) | null = null;
  #exit: ((e: { exitCode: number; signal: number | null }) => void) | null = null;

  write(data: Uint8Array | string): void {
    const text = typeof data === "string" ? data : Buffer.from(data).toString("latin1");
    this.input += text;
    this.onInput?.(text);
  }
  resize(cols: number, rows: number): void {
    this.sizes.push([cols, rows]);
  }
  pause(): void {
    this.flow.push("pause");
  }
  resume(): void {
    this.flow.push("resume");
  }
  kill(signal?: NodeJS.Signals): void {
    this.killed.push(signal ?? "SIGHUP");
  }
  close(): void {
    this.closed = true;
  }
  onData(cb: (data: string) => void): void {
    this.#data = cb;
  }
  onExit(cb: (e: { exitCode: number; signal: number | null }) => void): void {
    this.#exit = cb;
  }
  /** The application prints `data`. */
  output(data: string): void {
    this.#data?.(data);
  }
  /** The application exits. */
  exit(exitCode = 0): void {
    this.#exit?.({ exitCode, signal: null });
  }
}

/** A spawner handing out one FakePty and recording how it was started. */
export function fakeSpawner(): {
  spawn: PtySpawner;
  pty: FakePty;
  calls: Array<{ file: string; args: readonly string[]; opts: PtySpawnOptions }>;
} {
  const pty = new FakePty();
  const calls: Array<{ file: string; args: readonly string[]; opts: PtySpawnOptions }> = [];
  return {
    pty,
    calls,
    spawn: (file, args, opts) => {
      calls.push({ file, args, opts });
      return pty;
    },
  };
}

const realTick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * Advances a FakeClock by `ms` in steps of `step` ms, letting real asynchronous work (the
 * terminal emulators parse on real timers) finish after each step, so the protocol's timing
 * stays in fake time and deterministic.
 */
export async function runFor(
  clock: FakeClock,
  ms: number,
  step = 1,
  settle?: () => Promise<void>,
): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    if (settle) await settle();
    await realTick();
  }
}

/** Steps the clock (as {@link runFor}) until `cond()` holds; throws after `maxMs` of fake time. */
export async function runUntil(
  clock: FakeClock,
  cond: () => boolean,
  maxMs = 10_000,
  step = 1,
  settle?: () => Promise<void>,
): Promise<number> {
  const start = clock.now();
  while (!cond()) {
    if (clock.now() - start > maxMs) throw new Error(`condition not met within ${maxMs} ms of fake time`);
    clock.advance(step);
    if (settle) await settle();
    await realTick();
  }
  return clock.now() - start;
}
