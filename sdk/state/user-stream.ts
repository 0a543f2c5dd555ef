// The client's synchronised state: the append-only stream of user input (keystroke bytes and resizes).
import type { SyncState } from "../transport/sync-state.js";
import { decodeUserMessage, encodeUserMessage, type UserEvent } from "../wire/messages.js";

/** One user input event as the server sees it: a run of raw bytes, or a window size. */
export type UserInput = UserEvent;

/**
 * The user's input stream (mosh's `UserStream`). Events are stored as runs; positions are
 * counted in mosh's events (one per byte, one per resize), absolute from the session start, so
 * that a pruned stream still diffs correctly against any newer base.
 */
export class UserStream implements SyncState<UserStream> {
  /** Absolute event index of the first held run. */
  private start = 0;
  /** Absolute event count (index one past the last event). */
  private end = 0;
  private runs: UserInput[] = [];

  /** Number of events (bytes + resizes) ever appended. */
  get length(): number {
    return this.end;
  }

  /** Appends raw bytes typed by the user (consecutive runs are packed together when encoded). */
  pushKeys(keys: Uint8Array): void {
    if (keys.length === 0) return;
    this.runs.push({ kind: "keys", keys: keys.slice() });
    this.end += keys.length;
  }

  /** Appends a window-size change. */
  pushResize(cols: number, rows: number): void {
    this.runs.push({ kind: "resize", cols, rows });
    this.end += 1;
  }

  /** The events from absolute index `from` to the end, as runs (bytes split at `from` as needed). */
  eventsSince(from: number): UserInput[] {
    if (from < this.start) throw new RangeError(`events before ${this.start} were pruned`);
    const out: UserInput[] = [];
    let pos = this.start;
    for (const run of this.runs) {
      const len = run.kind === "keys" ? run.keys.length : 1;
      if (pos + len > from) {
        if (run.kind === "keys" && from > pos)
          out.push({ kind: "keys", keys: run.keys.subarray(from - pos) });
        else out.push(run);
      }
      pos += len;
    }
    return out;
  }

  clone(): UserStream {
    const c = new UserStream();
    c.start = this.start;
    c.end = this.end;
    c.runs = this.runs.slice();
    return c;
  }

  diffFrom(base: UserStream): Uint8Array {
    if (base.end >= this.end) return new Uint8Array(0);
    return encodeUserMessage(this.eventsSince(base.end));
  }

  applyDiff(diff: Uint8Array): void {
    if (diff.length === 0) return;
    for (const ev of decodeUserMessage(diff)) {
      if (ev.kind === "keys") this.pushKeys(ev.keys);
      else this.pushResize(ev.cols, ev.rows);
    }
  }

  equals(other: UserStream): boolean {
    return this.end === other.end;
  }

  /** Forgets the events already contained in `acknowledged` (they never need sending again). */
  subtract(acknowledged: UserStream): void {
    const cut = Math.min(acknowledged.end, this.end);
    if (cut <= this.start) return;
    let pos = this.start;
    let i = 0;
    while (i < this.runs.length) {
      const run = this.runs[i];
      const len = run.kind === "keys" ? run.keys.length : 1;
      if (pos + len > cut) {
        if (run.kind === "keys" && cut > pos)
          this.runs[i] = { kind: "keys", keys: run.keys.subarray(cut - pos) };
        break;
      }
      pos += len;
      i++;
    }
    this.runs = this.runs.slice(i);
    this.start = cut;
  }
}
