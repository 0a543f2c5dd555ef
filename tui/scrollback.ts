// Per-pane scrollback: rows that scroll off the top of a session's screen, kept (bounded) for browsing and search.
import { type Frame, type Row, rowEquals } from "../sdk/terminal/frame.js";

function blank(r: Row): boolean {
  return r.text.length === 0 || r.text.trim().length === 0;
}

/**
 * How many rows `next` is `prev` scrolled up by (the largest overlap wins), or 0 when it is not a
 * scroll. The overlap must hold a non-blank row, so clearing the screen is not taken for a scroll.
 */
export function scrolledBy(prev: Frame, next: Frame): number {
  if (prev.cols !== next.cols || prev.rows !== next.rows) return 0;
  const rows = prev.rows;
  const top = next.grid[0];
  if (rowEquals(top, prev.grid[0])) return 0;
  for (let k = 1; k < rows; k++) {
    if (!rowEquals(prev.grid[k], top)) continue;
    let ok = true;
    let content = false;
    for (let y = 0; y + k < rows; y++) {
      const a = prev.grid[y + k];
      if (!rowEquals(a, next.grid[y])) {
        // The bottom rows of the overlap may already hold new output (the cursor row).
        if (y + k >= rows - 1 && content) break;
        ok = false;
        break;
      }
      if (!content && !blank(a)) content = true;
    }
    if (ok && content) return k;
  }
  return 0;
}

/** A bounded list of rows that scrolled off a pane's screen, oldest first. */
export class Scrollback {
  #rows: Row[] = [];
  #start = 0;
  #total = 0;

  constructor(
    /** Most rows kept. */
    readonly limit: number,
  ) {}

  /** Number of rows kept. */
  get length(): number {
    return this.#rows.length - this.#start;
  }

  /** Rows ever pushed (the newest row is number `total - 1`; the oldest kept `total - length`). */
  get total(): number {
    return this.#total;
  }

  /** Row i (0 = oldest kept). */
  row(i: number): Row {
    return this.#rows[this.#start + i];
  }

  /** Appends a row, dropping the oldest beyond the limit. */
  push(row: Row): void {
    if (this.limit <= 0) return;
    this.#total++;
    this.#rows.push(row);
    if (this.length > this.limit) this.#start++;
    if (this.#start > 1024 && this.#start * 2 > this.#rows.length) {
      this.#rows = this.#rows.slice(this.#start);
      this.#start = 0;
    }
  }

  /** Records the rows that scrolled off between two frames of the same session. */
  observe(prev: Frame, next: Frame): void {
    const k = scrolledBy(prev, next);
    for (let y = 0; y < k; y++) this.push(prev.grid[y]);
  }

  /**
   * Searches the rows for `text` (case-insensitive), from index `from` going towards older rows
   * (`backwards`) or newer ones; returns the index found or -1.
   */
  find(text: string, from: number, backwards = true): number {
    const needle = text.toLowerCase();
    if (needle.length === 0) return -1;
    const step = backwards ? -1 : 1;
    for (let i = from; i >= 0 && i < this.length; i += step)
      if (this.row(i).toString().toLowerCase().includes(needle)) return i;
    return -1;
  }
}
