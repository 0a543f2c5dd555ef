// Warms the keystroke-echo path (escape filter, prediction, notification bar, frame diff) in idle slices after connecting, so that V8 runs it compiled by the time the user types.
import { NotificationEngine } from "../../sdk/predict/notification-engine.js";
import { PredictionEngine } from "../../sdk/predict/prediction-engine.js";
import { blankFrame, type Frame, frameEquals, RowBuilder } from "../../sdk/terminal/frame.js";
import { EscapeKeyFilter, escapeKeyFromEnv } from "./escape-key.js";
import { LocalDisplay } from "./local-display.js";

/** How the warm-up runs. */
export interface KeyPathWarmUpOptions {
  /** Window size of the frames typed on (the session's, so the same shapes reach the JIT). */
  cols: number;
  rows: number;
  /** Keystrokes in all (default 200: enough for V8 to compile the hot functions beyond its interpreter). */
  keys?: number;
  /** Keystrokes per slice; the event loop runs between slices (default 8, under 1 ms each once warm). */
  perSlice?: number;
  /** Runs the next slice later (default setImmediate: after pending I/O, so real keys go first). */
  defer?: (fn: () => void) => void;
}

/** A running warm-up. */
export interface KeyPathWarmUp {
  /** Stops after the current slice. */
  cancel(): void;
  /** Resolves when every slice has run (or it was cancelled). */
  readonly done: Promise<void>;
  /** CPU time the slices took so far (ms). */
  readonly cpuMs: number;
}

const TEXT = "echo the quick brown fox jumps over the lazy dog; ls -l ";

/**
 * Types `keys` keystrokes on throwaway objects of the classes the real echo path uses (a prediction
 * engine showing underlined predictions, a notification engine, a display drawing into nothing),
 * with server echoes confirming them now and then and a line kill every 40 keys. Touches no state
 * of any session. Costs about as much CPU as the first few hundred real keystrokes would.
 */
export function warmUpKeyPath(options: KeyPathWarmUpOptions): KeyPathWarmUp {
  const keys = options.keys ?? 200;
  const perSlice = options.perSlice ?? 8;
  const defer = options.defer ?? ((fn) => setImmediate(fn));
  const { cols, rows } = options;
  const blank = blankFrame(cols, rows);
  const prompt = (typed: string): Frame => {
    const grid = blank.grid.slice();
    const b = new RowBuilder(cols).setCell(0, "$", 1);
    for (let i = 0; i < typed.length && i + 2 < cols; i++) b.setCell(i + 2, typed[i], 1);
    grid[rows - 1] = b.build();
    return blank.with({ cursorRow: rows - 1, cursorCol: Math.min(cols - 1, typed.length + 2) }, grid);
  };
  const engine = new PredictionEngine({ display: "always" });
  engine.setSendInterval(125);
  const notes = new NotificationEngine(0, { quitHint: "" });
  const display = new LocalDisplay({ smcup: "", rmcup: "", titles: true, titlePrefix: "" }, () => undefined);
  const filter = new EscapeKeyFilter(escapeKeyFromEnv(undefined));
  let server = prompt("");
  let typed = "";
  let frameNo = 0;
  let last: Frame | null = null;
  let n = 0;
  let cancelled = false;
  let cpuMs = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const key = (byte: number, now: number): void => {
    for (const action of filter.feed(Uint8Array.of(byte))) {
      if (action.kind !== "send") continue;
      engine.setLocalFrameSent(++frameNo);
      engine.newUserBytes(action.bytes, server, now);
      const view = notes.apply(engine.apply(server), now);
      if (!last || !frameEquals(view, last)) display.draw(view);
      last = view;
    }
  };
  const slice = (): void => {
    if (cancelled) {
      finish();
      return;
    }
    const start = process.cpuUsage();
    for (let i = 0; i < perSlice && n < keys; i++, n++) {
      const now = n * 30;
      if (n % 40 === 39) {
        key(0x15, now); // ^U
        typed = "";
        server = prompt("");
        engine.setLocalFrameLateAcked(frameNo);
        engine.cull(server, now);
        continue;
      }
      const ch = TEXT.charCodeAt(n % TEXT.length);
      key(ch, now);
      typed += String.fromCharCode(ch);
      if (n % 5 === 4) {
        // The server's echo of what was typed so far arrives.
        server = prompt(typed);
        engine.setLocalFrameLateAcked(frameNo);
        engine.cull(server, now + 125);
      }
    }
    const used = process.cpuUsage(start);
    cpuMs += (used.user + used.system) / 1000;
    if (n >= keys) finish();
    else defer(slice);
  };
  defer(slice);
  return {
    cancel() {
      cancelled = true;
    },
    done,
    get cpuMs() {
      return cpuMs;
    },
  };
}
