// Test-only: an in-memory CellSurface (cells, the lines marked for drawing, flushes, the cursor, what it wrote of its own), and a mirrored pane to paint on it.
import { FrameEncoder, type MuxPaneInfo } from "../sdk/mux/protocol.js";
import { blankFrame, type Color, type Frame, type Row, RowBuilder } from "../sdk/terminal/frame.js";
import { CellSurface } from "./cell-surface.js";
import type { PaintOptions } from "./pane-painter.js";
import { PaneMirror } from "./view-state.js";

/** What a {@link FakeSurface} records of one cell ("" for the right half of a wide character). */
export interface FakeCell {
  ch: string;
  attrs: number;
  fg: Color;
  bg: Color;
}

/** A cell's look as one comparable value (attributes and colours). */
export function lookOf(c: FakeCell): string {
  return `${c.attrs}/${c.fg}/${c.bg}`;
}

/** A CellSurface in memory: what the painters put, and what a flush would send. */
export class FakeSurface extends CellSurface {
  readonly #cols: number;
  readonly #rows: number;
  readonly grid: FakeCell[][];
  /** Lines changed (or touched) since the last flush. */
  readonly dirty = new Set<number>();
  /** Lines each flush sent, in order. */
  readonly flushed: number[][] = [];
  /** Cells put, changed or not (to see what a paint skipped). */
  puts = 0;
  /** Where the cursor shows, or null while hidden. */
  cursor: { row: number; col: number } | null = null;
  /** Control sequences written of its own (OSC 52), in order. */
  readonly written: string[] = [];
  /** Whether the terminal was given back. */
  restored = false;
  /** The look of a cell in the terminal's own colours (what a blank cell has). */
  readonly defaultLook = lookOf({ ch: " ", attrs: 0, fg: 0, bg: 0 });

  constructor(cols: number, rows: number) {
    super();
    this.#cols = cols;
    this.#rows = rows;
    this.grid = Array.from({ length: rows }, () =>
      Array.from({ length: cols }, () => ({ ch: " ", attrs: 0, fg: 0, bg: 0 })),
    );
  }

  get cols(): number {
    return this.#cols;
  }

  get rows(): number {
    return this.#rows;
  }

  put(y: number, x: number, ch: string, attrs: number, fg: Color, bg: Color): void {
    const cell = this.grid[y]?.[x];
    if (!cell) return;
    this.puts++;
    if (cell.ch !== ch || cell.attrs !== attrs || cell.fg !== fg || cell.bg !== bg) {
      cell.ch = ch;
      cell.attrs = attrs;
      cell.fg = fg;
      cell.bg = bg;
      this.dirty.add(y);
    }
  }

  flush(): void {
    this.flushed.push([...this.dirty].sort((a, b) => a - b));
    this.dirty.clear();
  }

  showCursor(row: number, col: number): void {
    this.cursor = { row, col };
  }

  hideCursor(): void {
    this.cursor = null;
  }

  write(data: string): void {
    this.written.push(data);
  }

  restore(): void {
    this.restored = true;
  }

  /** Line `y` as text (right halves of wide characters left out, trailing blanks kept). */
  line(y: number): string {
    return this.grid[y].map((c) => c.ch).join("");
  }

  /** Every line as text, trailing blanks removed. */
  lines(): string[] {
    return this.grid.map((_, y) => this.line(y).trimEnd());
  }

  /** The look (attributes and colours) of cell (x, y), as one comparable value. */
  attrAt(y: number, x: number): string {
    return lookOf(this.grid[y][x]);
  }

  /** Cell (x, y). */
  cell(y: number, x: number): FakeCell {
    return { ...this.grid[y][x] };
  }
}

/** Pane information as the server sends it, with defaults for a live 20x4 local pane. */
export function paneInfo(id: number, o: Partial<MuxPaneInfo> = {}): MuxPaneInfo {
  return {
    id,
    label: `p${id}`,
    source: { kind: "local" },
    state: "live",
    rtt: 12,
    stalledSince: null,
    stallKind: "contact",
    roams: 0,
    error: "",
    notes: [],
    cols: 20,
    rows: 4,
    focused: id === 1,
    scrollback: 0,
    scrollbackLimit: 100,
    ...o,
  };
}

/** Paint options of a focused, unzoomed pane with prefix C-b at time 0, with overrides. */
export function paintOptions(o: Partial<PaintOptions> = {}): PaintOptions {
  return { focused: true, zoomed: false, asking: null, waiting: false, prefix: "C-b", now: 0, ...o };
}

/** A row of `cols` cells showing `text` (one cell per character; CJK and fullwidth forms as two). */
export function textRow(text: string, cols: number): Row {
  const b = new RowBuilder(cols);
  let x = 0;
  for (const ch of text) {
    const wide = /[\u2e80-\ua4cf\uac00-\ud7a3\uff00-\uff60]/.test(ch);
    if (x + (wide ? 2 : 1) > cols) break;
    b.setCell(x, ch, wide ? 2 : 1);
    x += wide ? 2 : 1;
  }
  return b.build();
}

/** A screen of `info.cols` x `info.rows` showing `lines`, the cursor at (row, col). */
export function screen(
  info: MuxPaneInfo,
  lines: string[],
  cursor = { row: 0, col: 0 },
  visible = true,
): Frame {
  const blank = blankFrame(info.cols, info.rows);
  const grid = blank.grid.map((r, y) => (y < lines.length ? textRow(lines[y], info.cols) : r));
  return blank.with({ cursorRow: cursor.row, cursorCol: cursor.col, cursorVisible: visible }, grid);
}

const encoders = new WeakMap<PaneMirror, FrameEncoder>();

/** Shows `lines` on `pane`'s screen as the server would send it (only changed rows; unchanged rows stay the same objects). */
export function showLines(
  pane: PaneMirror,
  lines: string[],
  cursor = { row: 0, col: 0 },
  visible = true,
): void {
  let enc = encoders.get(pane);
  if (!enc) {
    enc = new FrameEncoder();
    encoders.set(pane, enc);
  }
  const msg = enc.encode(pane.id, screen(pane.info, lines, cursor, visible));
  if (msg) pane.applyFrame(msg);
}

/** A mirrored pane as the TUI holds it: `info`, showing `lines`, with `scrollback` rows above. */
export function mirroredPane(
  info: MuxPaneInfo,
  lines: string[] = [],
  scrollback: string[] = [],
  cursor = { row: 0, col: 0 },
): PaneMirror {
  const pane = new PaneMirror(info);
  showLines(pane, lines, cursor);
  for (const l of scrollback) pane.scrollback.push(textRow(l, info.cols));
  return pane;
}
