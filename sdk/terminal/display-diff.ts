// The frame-diff generator: escape sequences taking a terminal from one Frame to another (mosh's Display::new_frame, docs/mosh-protocol.md §9).
import {
  ATTR_MASK,
  Attr,
  blankRow,
  type Color,
  cellEquals,
  type Frame,
  PALETTE,
  RGB,
  type Row,
  rowEquals,
} from "./frame.js";

/** What the receiving terminal supports. */
export interface DisplayOptions {
  /** ECH (`CSI n X`) is available. */
  ech: boolean;
  /** Erasing fills with the current background colour (back-colour erase). */
  bce: boolean;
  /** Window titles are shown (OSC 0/1/2 are emitted). */
  titles: boolean;
  /** Put in front of the window title (and the icon name when it equals the title), e.g. `[mosh] `. */
  titlePrefix?: string;
}

/** What mosh-server assumes of the client's emulator (HostBytes): ECH, BCE and titles. */
export const HOST_DISPLAY: DisplayOptions = Object.freeze({ ech: true, bce: true, titles: true });

const ESC = "\x1b";
const CSI = "\x1b[";

/** The SGR parameters of `attrs` (`;1` bold, `;2` dim, `;3` italic, `;4`, `;5`, `;7`, `;8`), each after a `;`, in mosh's order. */
export function sgrAttrParams(attrs: number): string {
  let s = "";
  if (attrs & Attr.bold) s += ";1";
  if (attrs & Attr.dim) s += ";2";
  if (attrs & Attr.italic) s += ";3";
  if (attrs & Attr.underline) s += ";4";
  if (attrs & Attr.blink) s += ";5";
  if (attrs & Attr.inverse) s += ";7";
  if (attrs & Attr.invisible) s += ";8";
  return s;
}

/** The SGR string for a rendition: always reset-then-set, `CSI 0;…m` (§9.6). */
export function sgr(attrs: number, fg: Color, bg: Color): string {
  let s = "\x1b[0";
  if (attrs !== 0) s += sgrAttrParams(attrs);
  if (fg !== 0) s += colorParams(fg, 30, 38);
  if (bg !== 0) s += colorParams(bg, 40, 48);
  return s + "m";
}

function colorParams(c: Color, basic: number, extended: number): string {
  if (c & RGB) return `;${extended};2;${(c >> 16) & 0xff};${(c >> 8) & 0xff};${c & 0xff}`;
  const n = c & 0xff;
  if (c & PALETTE && n < 8) return `;${basic + n}`;
  return `;${extended};5;${n}`;
}

/** The state of one frame being drawn (mosh's FrameState). */
class Painter {
  /** The output so far (V8 concatenates strings as ropes, so appending is cheap). */
  #out = "";
  /** A run of printed cell text not yet appended: `runRow.text[runStart..runEnd)`. */
  #runRow: Row | null = null;
  #runStart = 0;
  #runEnd = 0;
  /** Where the terminal's cursor is; -1 = unknown. `x` may equal the width (a pending wrap). */
  x = 0;
  y = 0;
  penAttrs = 0;
  penFg: Color = 0;
  penBg: Color = 0;
  cursorVisible: boolean;

  constructor(
    readonly to: Frame,
    readonly opts: DisplayOptions,
    cursorVisible: boolean,
  ) {
    this.cursorVisible = cursorVisible;
  }

  /** Appends `s` after any pending printed text. */
  emit(s: string): void {
    if (this.#runRow !== null) this.#flushRun();
    this.#out += s;
  }

  /** Everything emitted. */
  finish(): string {
    if (this.#runRow !== null) this.#flushRun();
    return this.#out;
  }

  #flushRun(): void {
    const row = this.#runRow as Row;
    this.#out += row.text.slice(this.#runStart, this.#runEnd);
    this.#runRow = null;
  }

  get penIsDefault(): boolean {
    return this.penAttrs === 0 && this.penFg === 0 && this.penBg === 0;
  }

  setPen(attrs: number, fg: Color, bg: Color, force = false): void {
    if (force || attrs !== this.penAttrs || fg !== this.penFg || bg !== this.penBg) {
      this.emit(sgr(attrs, fg, bg));
      this.penAttrs = attrs;
      this.penFg = fg;
      this.penBg = bg;
    }
  }

  setPenFromCell(row: Row, x: number): void {
    this.setPen(row.meta[x] & ATTR_MASK, row.fg[x], row.bg[x]);
  }

  /** Whether line feeds from row `from` down to row `to` keep every wrap flag xterm holds (xterm clears them). */
  private lineFeedsSafe(from: number, to: number): boolean {
    const grid = this.to.grid;
    for (let r = from; r < to; r++) if (grid[r].wrap) return false;
    return true;
  }

  /** Moves the cursor (mosh's append_move). */
  move(y: number, x: number): void {
    const lastX = this.x;
    const lastY = this.y;
    this.x = x;
    this.y = y;
    if (lastX !== -1 && lastY !== -1) {
      const down = y - lastY;
      if (x === 0 && down >= 0 && down < 5 && this.lineFeedsSafe(lastY, y)) {
        if (lastX !== 0) this.emit("\r");
        if (down > 0) this.emit("\n".repeat(down));
        return;
      }
      // Backspaces, unless a wrap is pending (the terminal's cursor is then one column left of lastX).
      const left = lastX - x;
      if (down === 0 && left > 0 && left < 5 && lastX < this.to.cols) {
        this.emit("\b".repeat(left));
        return;
      }
    }
    this.emit(`${CSI}${y + 1};${x + 1}H`);
  }

  /** Moves the cursor, hiding it first if it is shown (mosh's append_silent_move). */
  silentMove(y: number, x: number): void {
    if (this.x === x && this.y === y) return;
    if (this.cursorVisible) {
      this.emit(`${CSI}?25l`);
      this.cursorVisible = false;
    }
    this.move(y, x);
  }

  /** Prints cell x of `row` (an empty cell as a space); adjacent cells' text is appended as one slice. */
  printCell(row: Row, x: number): void {
    const s = row.offsets[x];
    const e = row.offsets[x + 1];
    if (s === e) {
      this.emit(" ");
      return;
    }
    if (this.#runRow === row && this.#runEnd === s) {
      this.#runEnd = e;
      return;
    }
    if (this.#runRow !== null) this.#flushRun();
    this.#runRow = row;
    this.#runStart = s;
    this.#runEnd = e;
  }

  canErase(): boolean {
    return this.opts.bce || this.penIsDefault;
  }
}

/** Whether cell x (of width w) is unchanged, counting the row's wrap flag on its last cell. */
function sameCell(row: Row, old: Row, x: number, w: number): boolean {
  return cellEquals(row, x, old, x) && (x + w < row.cols || row.wrap === old.wrap);
}

/** Paints one row (mosh's put_row); returns whether the next row's first cell must be printed at once (wrap). */
function putRow(p: Painter, initialized: boolean, y: number, old: Row, wrap: boolean): boolean {
  const to = p.to;
  const row = to.grid[y];
  const cols = to.cols;
  let x = 0;

  if (wrap) {
    // The previous row wrapped: print the first cell now so that the terminal's autowrap carries it here.
    const w = row.meta[0] >> 8 || 1;
    p.setPenFromCell(row, 0);
    p.printCell(row, 0);
    p.x += w;
    x = w;
  }

  const wrapThis = row.wrap;
  if (x >= cols) {
    // The carried-over cell filled the row (a 1- or 2-column screen): it may wrap again.
    return endRow(p, y, wrapThis);
  }
  if (initialized && rowEquals(row, old)) return false;

  let clear = 0;
  let wroteLast = false;
  let blankAttrs = 0;
  let blankFg: Color = 0;
  let blankBg: Color = 0;

  while (x < cols) {
    const w = row.meta[x] >> 8 || 1;
    if (initialized && clear === 0 && sameCell(row, old, x, w)) {
      x += w;
      continue;
    }
    const empty = row.offsets[x] === row.offsets[x + 1];
    const attrs = row.meta[x] & ATTR_MASK;
    if (empty) {
      if (clear === 0) {
        blankAttrs = attrs;
        blankFg = row.fg[x];
        blankBg = row.bg[x];
      }
      if (attrs === blankAttrs && row.fg[x] === blankFg && row.bg[x] === blankBg) {
        clear++;
        x++;
        continue;
      }
    }
    if (clear > 0) {
      p.silentMove(y, x - clear);
      p.setPen(blankAttrs, blankFg, blankBg);
      if (p.canErase() && p.opts.ech && clear > 4) {
        p.emit(`${CSI}${clear}X`);
      } else {
        p.emit(" ".repeat(clear));
        p.x = x;
      }
      clear = 0;
      if (empty) {
        blankAttrs = attrs;
        blankFg = row.fg[x];
        blankBg = row.bg[x];
        clear = 1;
        x++;
        continue;
      }
    }
    // Draw a character cell. Before the last character of a wrapping row, forget the cursor
    // position so that an explicit move is used (the terminal may hold a pending wrap).
    if (wrapThis && x + w >= cols) {
      p.x = -1;
      p.y = -1;
    }
    p.silentMove(y, x);
    p.setPen(attrs, row.fg[x], row.bg[x]);
    p.printCell(row, x);
    x += w;
    p.x += w;
    if (x >= cols) wroteLast = true;
  }

  if (clear > 0) {
    const start = x - clear;
    p.silentMove(y, start);
    p.setPen(blankAttrs, blankFg, blankBg);
    // xterm's EL from column 0 also clears the previous row's wrap flag; ECH and spaces do not.
    const keepWrapAbove = start === 0 && y > 0 && to.grid[y - 1].wrap;
    if (p.canErase() && !wrapThis && (p.opts.ech || !keepWrapAbove)) {
      p.emit(keepWrapAbove ? `${CSI}${clear}X` : `${CSI}K`);
    } else {
      p.emit(" ".repeat(clear));
      p.x = x;
      wroteLast = true;
    }
  }

  return wroteLast ? endRow(p, y, wrapThis) : false;
}

/** After writing a row's last column: continue by autowrap (returns true) or CR LF. */
function endRow(p: Painter, y: number, wrapThis: boolean): boolean {
  if (y >= p.to.rows - 1) return false;
  if (wrapThis) {
    p.x = 0;
    p.y++;
    return true;
  }
  p.emit("\r\n");
  p.x = 0;
  p.y++;
  return false;
}

function titleSequences(p: Painter, to: Frame): void {
  const prefix = p.opts.titlePrefix ?? "";
  const title = prefix + to.title;
  const icon = to.iconName === to.title ? title : to.iconName;
  if (icon === title) p.emit(`${ESC}]0;${title}\x07`);
  else p.emit(`${ESC}]1;${icon}\x07${ESC}]2;${title}\x07`);
}

const MOUSE_OFF = `${CSI}?1003l${CSI}?1002l${CSI}?1001l${CSI}?1000l`;
const ENCODING_OFF = `${CSI}?1015l${CSI}?1006l${CSI}?1005l`;

/**
 * The escape sequences that take a terminal showing `from` to showing `to` (mosh's
 * `Display::new_frame`, §9.2–9.6). `from === null` is a fresh paint of everything (§11.6).
 * Equal frames give ''. Never emits terminal queries.
 *
 * Deliberate differences from mosh 1.4.0, all valid for mosh's own emulator: SGR includes `;2`
 * for dim; the pen is always left at the default (frames carry no pen); backspaces are not used
 * from a pending-wrap position; and, so that an xterm receiver keeps the same soft-wrap flags,
 * line feeds never pass a wrapping row, a scroll never ends on a wrapping row, and an erase from
 * column 0 below a wrapping row uses ECH rather than EL. A row whose first cell is carried by
 * autowrap and fills a 1- or 2-column screen can wrap again (mosh stops the chain there).
 */
export function displayDiff(from: Frame | null, to: Frame, opts: DisplayOptions): string {
  let initialized = from !== null;
  const last = from ?? to;
  const p = new Painter(to, opts, from ? from.cursorVisible : true);

  // 1. bell
  if (from && to.bellCount !== from.bellCount) p.emit("\x07");
  // 2. title and icon name
  if (opts.titles && to.titleSet && (!from || to.iconName !== from.iconName || to.title !== from.title)) {
    titleSequences(p, to);
  }
  // 3. clipboard
  if (to.clipboard !== (from ? from.clipboard : "")) p.emit(`${ESC}]52;c;${to.clipboard}\x07`);
  // 4. reverse video
  if (!from || to.reverseVideo !== from.reverseVideo) p.emit(to.reverseVideo ? `${CSI}?5h` : `${CSI}?5l`);
  // 5. size
  if (!from || to.cols !== from.cols || to.rows !== from.rows) {
    p.emit(`${CSI}r${CSI}0m${CSI}H${CSI}2J`);
    initialized = false;
    p.x = 0;
    p.y = 0;
  } else {
    p.x = from.cursorCol;
    p.y = from.cursorRow;
  }
  if (!initialized) {
    p.cursorVisible = false;
    p.emit(`${CSI}?25l`);
  }

  const rows = to.rows;
  let model: readonly Row[] = from && initialized ? from.grid : to.grid;
  let frameY = 0;

  // 6. scroll detection
  if (initialized && from) {
    const top = to.grid[0];
    let k = 0;
    let h = 0;
    for (let r = 0; r < rows; r++) {
      const o = model[r];
      if (rowEquals(top, o)) {
        if (r === 0) break;
        k = r;
        h = 1;
        while (k + h < rows) {
          if (rowEquals(to.grid[h], model[k + h])) h++;
          else break;
        }
        break;
      }
    }
    // Never end the scrolled block on a wrapping row: xterm would lose that wrap flag.
    while (h > 0 && model[k + h - 1].wrap) h--;
    if (h > 0) {
      frameY = h;
      p.setPen(0, 0, 0, true);
      const bottom = k + h - 1;
      if (k + h === rows && p.y === rows - 1) {
        p.emit(`\r${"\n".repeat(k)}`);
        p.x = 0;
      } else {
        p.emit(`${CSI}1;${bottom + 1}r`);
        p.x = -1;
        p.y = -1;
        p.silentMove(bottom, 0);
        p.emit(`${"\n".repeat(k)}${CSI}r`);
        p.x = -1;
        p.y = -1;
      }
      const shifted = model.slice();
      const blank = blankRow(to.cols);
      for (let i = 0; i <= bottom; i++) shifted[i] = i + k <= bottom ? model[i + k] : blank;
      model = shifted;
    }
  }

  // 7. rows
  let wrap = false;
  for (let y = frameY; y < rows; y++) wrap = putRow(p, initialized, y, model[y], wrap);

  // 8. cursor position
  if (!initialized || to.cursorRow !== p.y || to.cursorCol !== p.x) p.move(to.cursorRow, to.cursorCol);
  // 9. cursor visibility
  if (!initialized || to.cursorVisible !== p.cursorVisible)
    p.emit(to.cursorVisible ? `${CSI}?25h` : `${CSI}?25l`);
  // 10. pen: frames carry none, so leave the default
  p.setPen(0, 0, 0, !initialized);
  // 11. bracketed paste
  if (!initialized || to.bracketedPaste !== last.bracketedPaste) {
    p.emit(to.bracketedPaste ? `${CSI}?2004h` : `${CSI}?2004l`);
  }
  // 12. mouse reporting
  if (!initialized || to.mouseMode !== last.mouseMode) {
    if (to.mouseMode === 0) p.emit(MOUSE_OFF);
    else {
      if (from && from.mouseMode !== 0) p.emit(`${CSI}?${from.mouseMode}l`);
      p.emit(`${CSI}?${to.mouseMode}h`);
    }
  }
  // 13. focus events
  if (!initialized || to.focusEvents !== last.focusEvents)
    p.emit(to.focusEvents ? `${CSI}?1004h` : `${CSI}?1004l`);
  // 14. mouse encoding
  if (!initialized || to.mouseEncoding !== last.mouseEncoding) {
    if (to.mouseEncoding === 0) p.emit(ENCODING_OFF);
    else {
      if (from && from.mouseEncoding !== 0) p.emit(`${CSI}?${from.mouseEncoding}l`);
      p.emit(`${CSI}?${to.mouseEncoding}h`);
    }
  }
  return p.finish();
}

/** The sequences that paint `frame` on a blank terminal (diff from nothing, HostBytes options). */
export function fullRepaint(frame: Frame): string {
  return displayDiff(null, frame, HOST_DISPLAY);
}
