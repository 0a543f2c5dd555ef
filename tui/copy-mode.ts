// Copy mode of one pane, as tmux's: a still picture of its scrollback and screen taken on entering, a cursor and view over it, a selection (lines or a rectangle) and its text, and search that wraps around.
import type { Frame, Row } from "../sdk/terminal/frame.js";
import { cellsText, findInRow, type RowMatch, rowText } from "./row-text.js";
import type { Scrollback } from "./scrollback.js";

/** A position in copy mode: cell `x` of line `y` (lines numbered as the scrollback numbers its rows, the screen after them). */
export interface CopyPos {
  x: number;
  y: number;
}

/** What a search found: where, and whether it went round the end (or the start). */
export interface SearchResult {
  at: CopyPos;
  wrapped: boolean;
}

/** Character classes for word motions: blank, word characters, other. */
function charClass(ch: string): 0 | 1 | 2 {
  if (ch === " " || ch === "") return 0;
  return /[\p{L}\p{N}_]/u.test(ch) ? 1 : 2;
}

/**
 * One pane's copy mode. Lines below {@link CopyMode.base} are scrollback rows (those that scroll
 * off later are not part of it; the oldest may be dropped meanwhile); from `base` on, the rows of
 * the screen as it was on entering (the session goes on underneath, as in tmux).
 */
export class CopyMode {
  /** The screen when copy mode began. */
  readonly frame: Frame;
  /** The scrollback's row count (ever pushed) when copy mode began: the screen's first line. */
  readonly base: number;
  readonly #sb: Scrollback;
  /** First line in view. */
  top: number;
  /** The cursor. */
  cx: number;
  cy: number;
  /** Where the selection began (null: no selection). */
  anchor: CopyPos | null = null;
  /** The selection is a rectangle (columns between anchor and cursor on every line). */
  rect = false;
  /** The last search, and whether it went down (towards the screen). */
  search = "";
  searchDown = true;
  /** Entered with the mouse wheel: scrolling back to the bottom leaves (tmux's copy-mode -e). */
  readonly exitAtBottom: boolean;

  constructor(sb: Scrollback, frame: Frame, height: number, opts: { exitAtBottom?: boolean } = {}) {
    this.#sb = sb;
    this.frame = frame;
    this.base = sb.total;
    this.exitAtBottom = opts.exitAtBottom === true;
    this.cx = Math.min(frame.cursorCol, frame.cols - 1);
    this.cy = this.base + Math.min(frame.cursorRow, frame.rows - 1);
    this.top = this.#bottomTop(height);
    this.#show(height);
  }

  /** The oldest line still kept. */
  get first(): number {
    return Math.min(this.#sb.total - this.#sb.length, this.base);
  }

  /** The last line (the screen's bottom row). */
  get last(): number {
    return this.base + this.frame.rows - 1;
  }

  /** Width of the lines. */
  get cols(): number {
    return this.frame.cols;
  }

  /** Line `n`, or null outside the lines kept. */
  line(n: number): Row | null {
    if (n >= this.base) return n <= this.last ? this.frame.row(n - this.base) : null;
    const oldest = this.#sb.total - this.#sb.length;
    return n >= oldest ? this.#sb.row(n - oldest) : null;
  }

  /** How far the view is above its lowest position, and how far it can go: the header's `[scroll N/M]`. */
  position(height: number): { up: number; max: number } {
    const bottom = this.#bottomTop(height);
    return { up: Math.max(bottom - this.top, 0), max: Math.max(bottom - this.first, 0) };
  }

  /** Whether the view is at its lowest position. */
  atBottom(height: number): boolean {
    return this.top >= this.#bottomTop(height);
  }

  #bottomTop(height: number): number {
    return Math.max(this.first, this.last - height + 1);
  }

  /** Keeps the cursor on a line kept and the view within the lines, the cursor in view. */
  #show(height: number): void {
    this.cy = Math.min(Math.max(this.cy, this.first), this.last);
    this.cx = Math.min(Math.max(this.cx, 0), this.cols - 1);
    if (this.cy < this.top) this.top = this.cy;
    if (this.cy >= this.top + height) this.top = this.cy - height + 1;
    this.top = Math.min(Math.max(this.top, this.first), this.#bottomTop(height));
  }

  /** Moves the cursor by (dx, dy), the view following it. */
  move(dx: number, dy: number, height: number): void {
    this.cx += dx;
    this.cy += dy;
    this.#show(height);
  }

  /** Puts the cursor at (x, y), the view following it. */
  moveTo(x: number, y: number, height: number): void {
    this.cx = x;
    this.cy = y;
    this.#show(height);
  }

  /** Scrolls the view `n` lines up (negative: down); the cursor stays on its line while that is in view. */
  scroll(n: number, height: number): void {
    this.top = Math.min(Math.max(this.top - n, this.first), this.#bottomTop(height));
    this.cy = Math.min(Math.max(this.cy, this.top), this.top + height - 1);
    this.#show(height);
  }

  /** Moves view and cursor `n` lines up (negative: down), as page up and down do. */
  page(n: number, height: number): void {
    const before = this.top;
    this.top = Math.min(Math.max(this.top - n, this.first), this.#bottomTop(height));
    this.cy -= before - this.top === 0 ? n : before - this.top;
    this.#show(height);
  }

  /** The cursor to row `r` of the view (0 = top; "H", "M", "L"). */
  viewRow(r: number, height: number): void {
    this.cy = this.top + Math.min(Math.max(r, 0), height - 1);
    this.#show(height);
  }

  #text(y: number): string {
    const row = this.line(y);
    if (!row) return "";
    // Per cell: its character ("" for a right half).
    let s = "";
    for (let x = 0; x < row.cols; x++)
      s += row.cellWidth(x) === 0 ? "\0" : row.cellEmpty(x) ? " " : row.cellText(x)[0];
    return s;
  }

  #cellAt(y: number, x: number): string {
    const row = this.line(y);
    if (!row || x < 0 || x >= row.cols || row.cellWidth(x) === 0) return "";
    return row.cellEmpty(x) ? " " : row.cellText(x);
  }

  /** Start of the line ("0"), its first non-blank cell ("^"), or the end of its text ("$"). */
  lineStart(): void {
    this.cx = 0;
  }

  firstNonBlank(): void {
    const t = this.#text(this.cy);
    const i = t.search(/[^ \0]/);
    this.cx = Math.max(i, 0);
  }

  lineEnd(): void {
    const t = this.#text(this.cy).replace(/[ \0]+$/, "");
    this.cx = Math.max(t.length - 1, 0);
  }

  /** Steps one cell forward (+1) or back (-1) across line ends; false at the ends of the lines. */
  #step(p: CopyPos, dir: 1 | -1): boolean {
    p.x += dir;
    if (p.x >= this.cols) {
      if (p.y >= this.last) {
        p.x = this.cols - 1;
        return false;
      }
      p.y++;
      p.x = 0;
    } else if (p.x < 0) {
      if (p.y <= this.first) {
        p.x = 0;
        return false;
      }
      p.y--;
      p.x = this.cols - 1;
    }
    return true;
  }

  /** The class of the cell at p; a line's end counts as blank. */
  #classAt(p: CopyPos): 0 | 1 | 2 {
    return charClass(this.#cellAt(p.y, p.x));
  }

  /** vi's `w`: the start of the next word. */
  wordNext(height: number): void {
    const p = { x: this.cx, y: this.cy };
    const cls = this.#classAt(p);
    let ok = true;
    // Past the rest of this word (a new line starts a new word), then past blanks.
    if (cls !== 0) {
      do ok = this.#step(p, 1);
      while (ok && p.x > 0 && this.#classAt(p) === cls);
    }
    while (ok && this.#classAt(p) === 0) ok = this.#step(p, 1);
    this.moveTo(p.x, p.y, height);
  }

  /** vi's `b`: the start of this word or the previous one. */
  wordPrev(height: number): void {
    const p = { x: this.cx, y: this.cy };
    let ok = this.#step(p, -1);
    while (ok && this.#classAt(p) === 0) ok = this.#step(p, -1);
    const cls = this.#classAt(p);
    if (cls !== 0) {
      const q = { ...p };
      while (q.x > 0 && this.#step(q, -1) && this.#classAt(q) === cls) {
        p.x = q.x;
        p.y = q.y;
      }
    }
    this.moveTo(p.x, p.y, height);
  }

  /** vi's `e`: the end of this word or the next one. */
  wordEnd(height: number): void {
    const p = { x: this.cx, y: this.cy };
    let ok = this.#step(p, 1);
    while (ok && this.#classAt(p) === 0) ok = this.#step(p, 1);
    const cls = this.#classAt(p);
    if (cls !== 0) {
      const q = { ...p };
      while (q.x < this.cols - 1 && this.#step(q, 1) && this.#classAt(q) === cls) {
        p.x = q.x;
        p.y = q.y;
      }
    }
    this.moveTo(p.x, p.y, height);
  }

  // ---- selection ----

  /** Starts a selection at the cursor. */
  beginSelection(): void {
    this.anchor = { x: this.cx, y: this.cy };
  }

  clearSelection(): void {
    this.anchor = null;
    this.rect = false;
  }

  /** The selection's ends in order (start, end; both inclusive), or null. */
  #range(): { a: CopyPos; b: CopyPos } | null {
    const an = this.anchor;
    if (!an) return null;
    const c = { x: this.cx, y: this.cy };
    const before = an.y < c.y || (an.y === c.y && an.x <= c.x);
    return before ? { a: an, b: c } : { a: c, b: an };
  }

  /** The selected cells of line `n` as [from, to] (inclusive), or null. */
  selectedOn(n: number): [number, number] | null {
    const r = this.#range();
    if (!r || n < r.a.y || n > r.b.y) return null;
    if (this.rect) return [Math.min(r.a.x, r.b.x), Math.max(r.a.x, r.b.x)];
    return [n === r.a.y ? r.a.x : 0, n === r.b.y ? r.b.x : this.cols - 1];
  }

  /** The selection's text: trailing blanks cut per line, lines that wrapped on the screen joined (not in a rectangle). */
  selectedText(): string {
    const r = this.#range();
    if (!r) return "";
    let out = "";
    for (let n = r.a.y; n <= r.b.y; n++) {
      const row = this.line(n);
      const span = this.selectedOn(n);
      if (!row || !span) continue;
      out += cellsText(row, span[0], span[1]);
      if (n < r.b.y && !(row.wrap && !this.rect && span[1] >= this.cols - 1)) out += "\n";
    }
    return out;
  }

  // ---- search ----

  /** Matches of the current search on line `n`. */
  matchesOn(n: number): RowMatch[] {
    const row = this.search ? this.line(n) : null;
    return row ? findInRow(row, this.search) : [];
  }

  /**
   * Looks for `text` from the cursor, down (towards the screen) or up, going round at the end;
   * moves the cursor to it (the view shows it a quarter from the bottom when it has to move, as
   * tmux does). Null when the lines hold no match.
   */
  find(text: string, down: boolean, height: number): SearchResult | null {
    this.search = text;
    this.searchDown = down;
    if (text.length === 0) return null;
    const at = this.#find(down);
    if (!at) return null;
    const wrapped = down
      ? at.y < this.cy || (at.y === this.cy && at.x <= this.cx)
      : at.y > this.cy || (at.y === this.cy && at.x >= this.cx);
    this.cx = at.x;
    this.cy = at.y;
    if (at.y < this.top || at.y >= this.top + height) this.top = at.y - (height - 1 - Math.floor(height / 4));
    this.#show(height);
    return { at, wrapped };
  }

  #find(down: boolean): CopyPos | null {
    const first = this.first;
    const last = this.last;
    const span = last - first + 1;
    for (let k = 0; k <= span; k++) {
      let n = down ? this.cy + k : this.cy - k;
      if (n > last) n -= span;
      if (n < first) n += span;
      const ms = this.matchesOn(n);
      if (ms.length === 0) continue;
      const pick = down ? ms : [...ms].reverse();
      for (const m of pick) {
        // On the cursor's line: past the cursor first, before it (or on it) only once round.
        if (k === 0 && (down ? m.x <= this.cx : m.x >= this.cx)) continue;
        if (k === span && (down ? m.x > this.cx : m.x < this.cx)) continue;
        return { x: m.x, y: n };
      }
    }
    return null;
  }

  /** Whether a line's text shows the position `p` as a match start of the current search (the current match). */
  isCurrentMatch(n: number, m: RowMatch): boolean {
    return n === this.cy && m.x === this.cx;
  }

  /** For tests: line `n`'s text. */
  lineText(n: number): string {
    const row = this.line(n);
    return row ? rowText(row).text.replace(/ +$/, "") : "";
  }
}
