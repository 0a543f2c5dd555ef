// Reads an xterm buffer into packed Rows, normalised to mosh's cell model, reusing unchanged rows.
import type { IBuffer, IBufferCell, IBufferLine } from "@xterm/headless";
import { Attr, PALETTE, RGB, Row } from "./frame.js";
import { wcwidth } from "./wcwidth.js";

const NBSP = 0xa0;

/** xterm's packed cell words (3 per cell: content, fg, bg), if this xterm build exposes them. */
interface PackedLine {
  _line?: { _data?: unknown; length?: unknown };
}

/** Content word bits: a combined (multi-code-point) cell; the code point; the width (<< 22). */
export const COMBINED = 0x200000;
export const CODEPOINT = 0x1fffff;
export const WIDTH_1 = 1 << 22;
const EMPTY_CELLS = new Uint32Array(0);

/**
 * The cells of `line` as xterm stores them, when available (a fast path for the commonest
 * cells; every other cell, and any build without them, goes through the public API). Exported
 * for the test that holds the pinned xterm to it (`xterm-internals.test.ts`).
 */
export function packedCells(line: IBufferLine | undefined): { data: Uint32Array; cells: number } | null {
  const inner = (line as PackedLine | undefined)?._line;
  const data = inner?._data;
  const length = inner?.length;
  if (!(data instanceof Uint32Array) || typeof length !== "number") return null;
  return { data, cells: Math.min(length, Math.floor(data.length / 3)) };
}

/**
 * Converts xterm buffer lines into {@link Row}s without per-cell allocation: each line is read
 * into scratch arrays and compared with a candidate row from the previous snapshot; only a
 * changed line allocates a new Row.
 *
 * Normalisation to mosh's model (so that every row can be reproduced through mosh's display
 * diff and mosh's emulator):
 * - an empty cell keeps only its background colour (mosh erases with the pen's background);
 * - a cell whose grapheme starts with a width-0 character (xterm's lone combining character)
 *   becomes NBSP + the grapheme, width 1 (mosh's "fallback" cell as it is printed);
 * - the cell after a wide character is its right half: width 0, no text, the wide cell's
 *   renditions; a wide character in the last column or an orphan right half becomes empty;
 * - a row wraps when xterm marks the next line as a continuation and the row's last cell is
 *   not empty (mosh clears the wrap flag whenever the last cell is erased); the bottom row
 *   never wraps (xterm cannot record it).
 */
export class BufferReader {
  private cols = 0;
  private codes = new Uint16Array(0);
  private offsets = new Uint32Array(1);
  private meta = new Uint16Array(0);
  private fg = new Uint32Array(0);
  private bg = new Uint32Array(0);
  private textLen = 0;
  private cell: IBufferCell | undefined;

  private ensure(cols: number): void {
    if (this.cols === cols) return;
    this.cols = cols;
    this.codes = new Uint16Array(Math.max(this.codes.length, cols * 2));
    this.offsets = new Uint32Array(cols + 1);
    this.meta = new Uint16Array(cols);
    this.fg = new Uint32Array(cols);
    this.bg = new Uint32Array(cols);
  }

  private pushCode(c: number): void {
    if (this.textLen === this.codes.length) {
      const grown = new Uint16Array(this.codes.length * 2 + 16);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[this.textLen++] = c;
  }

  /**
   * Reads the visible screen of `buffer` (`rows` lines of `cols` cells). `previous` (same size)
   * supplies rows to reuse when unchanged; the result shares them.
   */
  read(buffer: IBuffer, cols: number, rows: number, previous: readonly Row[] | null): Row[] {
    this.ensure(cols);
    this.cell ??= buffer.getNullCell();
    const out = new Array<Row>(rows);
    const base = buffer.baseY;
    let byHash: Map<number, Row> | null = null;
    for (let y = 0; y < rows; y++) {
      const line = buffer.getLine(base + y);
      const next = y + 1 < rows ? buffer.getLine(base + y + 1) : undefined;
      const hash = this.readLine(line, next?.isWrapped === true);
      let reuse: Row | undefined;
      if (previous) {
        const same = previous[y];
        if (same && same.hash === hash && this.matches(same)) reuse = same;
        else {
          if (!byHash) {
            byHash = new Map();
            for (const r of previous) byHash.set(r.hash, r);
          }
          const moved = byHash.get(hash);
          if (moved && this.matches(moved)) reuse = moved;
        }
      }
      out[y] = reuse ?? this.build(hash);
    }
    return out;
  }

  /** Reads one line into the scratch arrays; returns the hash a Row of it would have. */
  private readLine(line: IBufferLine | undefined, nextIsWrapped: boolean): number {
    const cols = this.cols;
    const cell = this.cell!;
    const { meta, fg, bg, offsets } = this;
    this.textLen = 0;
    let prevWide = false;
    const cells = packedCells(line);
    const packed = cells === null ? EMPTY_CELLS : cells.data;
    const packedCols = cells === null ? 0 : Math.min(cols, cells.cells);
    for (let x = 0; x < cols; x++) {
      offsets[x] = this.textLen;
      if (prevWide) {
        // Right half of the wide character to the left.
        meta[x] = meta[x - 1] & 0xff;
        fg[x] = fg[x - 1];
        bg[x] = bg[x - 1];
        prevWide = false;
        continue;
      }
      if (x < packedCols) {
        // Fast path, same result as below: default colours and attributes, and either an empty
        // cell or one narrow code point below U+0300 (never width 0, never combined).
        const i = x * 3;
        const content = packed[i];
        if (packed[i + 1] === 0 && packed[i + 2] === 0) {
          if ((content & ~WIDTH_1) === 0) {
            meta[x] = 1 << 8;
            fg[x] = 0;
            bg[x] = 0;
            continue;
          }
          const code = content & CODEPOINT;
          if ((content & COMBINED) === 0 && content >>> 22 === 1 && code !== 0 && code < 0x300) {
            this.pushCode(code);
            meta[x] = 1 << 8;
            fg[x] = 0;
            bg[x] = 0;
            continue;
          }
        }
      }
      if (!line?.getCell(x, cell)) {
        meta[x] = 1 << 8;
        fg[x] = 0;
        bg[x] = 0;
        continue;
      }
      let width = cell.getWidth();
      const start = this.textLen;
      const code = cell.getCode();
      if (code !== 0) {
        if (code < 0x300) this.pushCode(code);
        else {
          const s = cell.getChars();
          let first = s.charCodeAt(0);
          if (first >= 0xd800 && first <= 0xdbff && s.length > 1) {
            first = ((first - 0xd800) << 10) + (s.charCodeAt(1) - 0xdc00) + 0x10000;
          }
          if (wcwidth(first) <= 0) {
            this.pushCode(NBSP);
            width = 1;
          }
          for (let i = 0; i < s.length; i++) this.pushCode(s.charCodeAt(i));
        }
      }
      if (width === 2 && x === cols - 1) {
        this.textLen = start;
        width = 1;
      } else if (width === 0) {
        width = 1;
        if (this.textLen !== start) {
          // A lone width-0 grapheme xterm kept in its own cell: mosh's fallback cell.
          const n = this.textLen - start;
          this.pushCode(0);
          this.codes.copyWithin(start + 1, start, start + n);
          this.codes[start] = NBSP;
        }
      }
      if (cell.isAttributeDefault()) {
        bg[x] = 0;
        fg[x] = 0;
        meta[x] = (this.textLen === start ? 1 : width) << 8;
        prevWide = width === 2 && this.textLen !== start;
        continue;
      }
      const bgc = cell.isBgDefault()
        ? 0
        : cell.isBgRGB()
          ? RGB | cell.getBgColor()
          : PALETTE | cell.getBgColor();
      bg[x] = bgc;
      if (this.textLen === start) {
        meta[x] = 1 << 8;
        fg[x] = 0;
        continue;
      }
      let attrs = 0;
      if (cell.isBold()) attrs |= Attr.bold;
      if (cell.isItalic()) attrs |= Attr.italic;
      if (cell.isUnderline()) attrs |= Attr.underline;
      if (cell.isBlink()) attrs |= Attr.blink;
      if (cell.isInverse()) attrs |= Attr.inverse;
      if (cell.isInvisible()) attrs |= Attr.invisible;
      if (cell.isDim()) attrs |= Attr.dim;
      meta[x] = (width << 8) | attrs;
      fg[x] = cell.isFgDefault() ? 0 : cell.isFgRGB() ? RGB | cell.getFgColor() : PALETTE | cell.getFgColor();
      prevWide = width === 2;
    }
    offsets[cols] = this.textLen;
    const last = cols - 1;
    const wrap = nextIsWrapped && (meta[last] >> 8 === 0 || offsets[last] !== offsets[cols]);
    return this.hashScratch(wrap);
  }

  private scratchWrap = false;

  private hashScratch(wrap: boolean): number {
    this.scratchWrap = wrap;
    const { codes, meta, fg, bg, offsets, textLen } = this;
    let h = wrap ? 0x811c9dc5 : 0x050c5d1f;
    for (let i = 0; i < textLen; i++) h = Math.imul(h ^ codes[i], 0x01000193);
    for (let x = 0; x < meta.length; x++) {
      h = Math.imul(h ^ meta[x], 0x01000193);
      h = Math.imul(h ^ fg[x], 0x01000193);
      h = Math.imul(h ^ bg[x], 0x01000193);
      h = Math.imul(h ^ offsets[x + 1], 0x01000193);
    }
    return h >>> 0;
  }

  /** Whether the scratch line equals `row` exactly. */
  private matches(row: Row): boolean {
    if (row.cols !== this.cols || row.wrap !== this.scratchWrap || row.text.length !== this.textLen)
      return false;
    const { codes, meta, fg, bg, offsets } = this;
    for (let i = 0; i < this.textLen; i++) if (row.text.charCodeAt(i) !== codes[i]) return false;
    for (let x = 0; x < this.cols; x++) {
      if (
        row.meta[x] !== meta[x] ||
        row.fg[x] !== fg[x] ||
        row.bg[x] !== bg[x] ||
        row.offsets[x + 1] !== offsets[x + 1]
      ) {
        return false;
      }
    }
    return true;
  }

  private build(hash: number): Row {
    const n = this.textLen;
    let text = "";
    for (let i = 0; i < n; i += 4096) {
      text += String.fromCharCode.apply(
        null,
        this.codes.subarray(i, Math.min(n, i + 4096)) as unknown as number[],
      );
    }
    // One backing store for the row's four arrays (fewer, larger allocations for the GC).
    const cols = this.cols;
    const store = new ArrayBuffer(4 * (3 * cols + 1) + 2 * cols);
    const offsets = new Uint32Array(store, 0, cols + 1);
    const fg = new Uint32Array(store, 4 * (cols + 1), cols);
    const bg = new Uint32Array(store, 4 * (2 * cols + 1), cols);
    const meta = new Uint16Array(store, 4 * (3 * cols + 1), cols);
    offsets.set(this.offsets);
    fg.set(this.fg);
    bg.set(this.bg);
    meta.set(this.meta);
    return new Row(text, offsets, meta, fg, bg, this.scratchWrap, hash);
  }
}
