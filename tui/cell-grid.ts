// The outer terminal's cells as mosh-mux draws them itself: the wanted grid (character, attributes, colours), what the terminal shows, and the escape sequences that bring it from one to the other in the colours it has.
import type { Color } from "../sdk/terminal/frame.js";
import { wcwidth } from "../sdk/terminal/wcwidth.js";
import { type CellStyle, sgr } from "./cell-style.js";
import { type CellSink, putText } from "./cell-surface.js";
import type { TerminalCaps } from "./terminal-caps.js";

/** A cell's contents, for tests and the renderer. */
export interface Cell {
  ch: string;
  attrs: number;
  fg: Color;
  bg: Color;
}

/** Cells written in a row before a jump (CUP) pays off over rewriting unchanged ones. */
const SHORT_GAP = 4;

/** The cells of one picture (what is wanted, or what the terminal shows). */
class Cells {
  readonly ch: string[];
  readonly attrs: Uint8Array;
  readonly fg: Uint32Array;
  readonly bg: Uint32Array;

  constructor(n: number) {
    this.ch = new Array<string>(n).fill(" ");
    this.attrs = new Uint8Array(n);
    this.fg = new Uint32Array(n);
    this.bg = new Uint32Array(n);
  }
}

/** A cell grid with a renderer: {@link CellGrid.render} gives the output for the cells that changed. */
export class CellGrid implements CellSink {
  #cols: number;
  #rows: number;
  #want: Cells;
  #shown: Cells;
  /** Rows with a cell changed since the last render. */
  #dirty: Uint8Array;
  /** Whether the terminal shows `#shown` (false: unknown, everything is drawn at the next render). */
  #known = false;
  readonly #sgrCache = new Map<string, string>();
  #sgrCaps: TerminalCaps | null = null;
  /** The style asked for last and its SGR. */
  #lastSgr: { attrs: number; fg: Color; bg: Color; s: string } | null = null;

  constructor(cols: number, rows: number) {
    this.#cols = Math.max(cols, 1);
    this.#rows = Math.max(rows, 1);
    this.#want = new Cells(this.#cols * this.#rows);
    this.#shown = new Cells(this.#cols * this.#rows);
    this.#dirty = new Uint8Array(this.#rows);
  }

  get cols(): number {
    return this.#cols;
  }

  get rows(): number {
    return this.#rows;
  }

  /** A new size: every cell blank, the terminal's contents unknown. */
  resize(cols: number, rows: number): void {
    this.#cols = Math.max(cols, 1);
    this.#rows = Math.max(rows, 1);
    this.#want = new Cells(this.#cols * this.#rows);
    this.#shown = new Cells(this.#cols * this.#rows);
    this.#dirty = new Uint8Array(this.#rows);
    this.#known = false;
  }

  /** The terminal's contents are unknown (cleared, or drawn over by someone else): the next render draws every cell. */
  invalidate(): void {
    this.#known = false;
  }

  put(y: number, x: number, ch: string, attrs: number, fg: Color, bg: Color): void {
    if (y < 0 || y >= this.#rows || x < 0 || x >= this.#cols) return;
    const i = y * this.#cols + x;
    const w = this.#want;
    if (w.ch[i] === ch && w.attrs[i] === attrs && w.fg[i] === fg && w.bg[i] === bg) return;
    w.ch[i] = ch;
    w.attrs[i] = attrs;
    w.fg[i] = fg;
    w.bg[i] = bg;
    this.#dirty[y] = 1;
  }

  /** Writes `text` as {@link CellSurface.text} does. */
  text(y: number, x: number, w: number, style: CellStyle, text: string, pad = true): number {
    return putText(this, y, x, w, style, text, pad);
  }

  /** The wanted contents of cell (x, y). */
  cell(y: number, x: number): Cell {
    const i = y * this.#cols + x;
    const w = this.#want;
    return { ch: w.ch[i], attrs: w.attrs[i], fg: w.fg[i], bg: w.bg[i] };
  }

  /** Row `y`'s text (right halves of wide characters left out), trailing spaces removed. */
  rowText(y: number): string {
    let s = "";
    for (let x = 0; x < this.#cols; x++) s += this.#want.ch[y * this.#cols + x];
    return s.replace(/ +$/, "");
  }

  #sgr(attrs: number, fg: Color, bg: Color, caps: TerminalCaps): string {
    if (this.#sgrCaps !== caps) {
      this.#sgrCache.clear();
      this.#sgrCaps = caps;
      this.#lastSgr = null;
    }
    // Neighbouring cells mostly share a style: no key string or map lookup for them.
    const last = this.#lastSgr;
    if (last !== null && last.attrs === attrs && last.fg === fg && last.bg === bg) return last.s;
    const key = `${attrs},${fg},${bg}`;
    let s = this.#sgrCache.get(key);
    if (s === undefined) {
      s = sgr(attrs, fg, bg, caps);
      if (this.#sgrCache.size > 4096) this.#sgrCache.clear();
      this.#sgrCache.set(key, s);
    }
    this.#lastSgr = { attrs, fg, bg, s };
    return s;
  }

  /**
   * The output that brings the terminal from what it shows to the grid: per changed run a cursor
   * move, SGR where the style changes, the characters (a wide character is followed by a fresh
   * cursor move, so a terminal that disagrees about its width cannot shift what follows). Ends
   * with the attributes reset. "" when nothing changed.
   */
  render(caps: TerminalCaps): string {
    const cols = this.#cols;
    const want = this.#want;
    const shown = this.#shown;
    const known = this.#known;
    const changed = new Uint8Array(cols);
    let out = "";
    let pen = "";
    for (let y = 0; y < this.#rows; y++) {
      if (known && !this.#dirty[y]) continue;
      this.#dirty[y] = 0;
      const base = y * cols;
      // Which cells to write: those that differ, and both halves of any wide character involved.
      let any = false;
      for (let x = 0; x < cols; x++) {
        const i = base + x;
        const diff =
          !known ||
          want.ch[i] !== shown.ch[i] ||
          want.attrs[i] !== shown.attrs[i] ||
          want.fg[i] !== shown.fg[i] ||
          want.bg[i] !== shown.bg[i];
        changed[x] = diff ? 1 : 0;
        if (diff) any = true;
      }
      if (!any) continue;
      for (let x = 0; x < cols; x++) {
        if (!changed[x]) continue;
        const i = base + x;
        if (x > 0 && (shown.ch[i] === "" || want.ch[i] === "")) changed[x - 1] = 1;
        if (x + 1 < cols && (shown.ch[i + 1] === "" || want.ch[i + 1] === "")) changed[x + 1] = 1;
      }
      for (let x = cols - 1; x > 0; x--) {
        if (changed[x] && (shown.ch[base + x] === "" || want.ch[base + x] === "")) changed[x - 1] = 1;
      }
      let cx = -1;
      let x = 0;
      while (x < cols) {
        if (!changed[x]) {
          // A short gap of unchanged cells is rewritten rather than jumped over.
          let gap = 0;
          while (x + gap < cols && !changed[x + gap]) gap++;
          if (x + gap >= cols) break;
          if (cx === x && gap < SHORT_GAP && !this.#hasHalf(base + x, gap)) {
            for (let k = 0; k < gap; k++) changed[x + k] = 1;
          } else {
            x += gap;
            continue;
          }
        }
        const i = base + x;
        if (cx !== x) out += `\x1b[${y + 1};${x + 1}H`;
        // The rest of the row is blank in the default style: erase it.
        if (this.#blankToEnd(base, x)) {
          if (pen !== "\x1b[0m") {
            pen = "\x1b[0m";
            out += pen;
          }
          out += "\x1b[K";
          for (let k = x; k < cols; k++) this.#show(base + k, " ", 0, 0, 0);
          break;
        }
        const s = this.#sgr(want.attrs[i], want.fg[i], want.bg[i], caps);
        if (s !== pen) {
          pen = s;
          out += s;
        }
        const ch = want.ch[i];
        const cp = ch.codePointAt(0) ?? 0x20;
        const wide = cp >= 0x1100 && wcwidth(cp) === 2;
        // A wide character is followed by its right half ("") in the grid.
        if (wide && x + 1 < cols && want.ch[i + 1] === "") {
          out += ch;
          this.#show(i, ch, want.attrs[i], want.fg[i], want.bg[i]);
          this.#show(i + 1, "", want.attrs[i + 1], want.fg[i + 1], want.bg[i + 1]);
          x += 2;
          cx = -1;
          continue;
        }
        // A right half without its wide character, or a wide character without room: a space.
        const draw = ch === "" || wide ? " " : ch;
        out += draw;
        this.#show(i, draw, want.attrs[i], want.fg[i], want.bg[i]);
        want.ch[i] = draw;
        x++;
        // After the last column the terminal's cursor waits to wrap: its position is not x.
        cx = x < cols ? x : -1;
      }
    }
    this.#known = true;
    if (out !== "" && pen !== "\x1b[0m") out += "\x1b[0m";
    return out;
  }

  #hasHalf(from: number, n: number): boolean {
    for (let k = 0; k < n; k++)
      if (this.#shown.ch[from + k] === "" || this.#want.ch[from + k] === "") return true;
    return false;
  }

  /** Whether cells x.. of the row are spaces in the default style (and at least SHORT_GAP of them). */
  #blankToEnd(base: number, x: number): boolean {
    const cols = this.#cols;
    if (cols - x < SHORT_GAP) return false;
    const w = this.#want;
    for (let k = base + x; k < base + cols; k++)
      if (w.ch[k] !== " " || w.attrs[k] !== 0 || w.fg[k] !== 0 || w.bg[k] !== 0) return false;
    return true;
  }

  #show(i: number, ch: string, attrs: number, fg: Color, bg: Color): void {
    const s = this.#shown;
    s.ch[i] = ch;
    s.attrs[i] = attrs;
    s.fg[i] = fg;
    s.bg[i] = bg;
  }
}
