// Test-only: an in-memory CellSurface (cells, the lines marked for drawing, flushes, the cursor), and a mirrored pane to paint on it.
import { FrameEncoder, type MuxPaneInfo } from "../sdk/mux/protocol.js";
import { blankFrame, type Frame, type Row, RowBuilder } from "../sdk/terminal/frame.js";
import { CellSurface } from "./cell-surface.js";
import { PaneMirror } from "./view-state.js";

/** What a {@link FakeSurface} records of one cell. */
export interface FakeCell {
  attr: number;
  ch: string;
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

  constructor(
    cols: number,
    rows: number,
    readonly defaultAttr = 0x3ffff,
  ) {
    super();
    this.#cols = cols;
    this.#rows = rows;
    this.grid = Array.from({ length: rows }, () =>
      Array.from({ length: cols }, () => ({ attr: defaultAttr, ch: " " })),
    );
  }

  get cols(): number {
    return this.#cols;
  }

  get rows(): number {
    return this.#rows;
  }

  put(y: number, x: number, attr: number, ch: string): void {
    const cell = this.grid[y]?.[x];
    if (!cell) return;
    this.puts++;
    if (cell.attr !== attr || cell.ch !== ch) {
      cell.attr = attr;
      cell.ch = ch;
      this.dirty.add(y);
    }
  }

  touch(y: number): void {
    if (y >= 0 && y < this.#rows) this.dirty.add(y);
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

  /** Line `y` as text (trailing blanks kept). */
  line(y: number): string {
    return this.grid[y].map((c) => c.ch).join("");
  }

  /** Every line as text, trailing blanks removed. */
  lines(): string[] {
    return this.grid.map((_, y) => this.line(y).trimEnd());
  }

  /** The attribute of cell (x, y). */
  attrAt(y: number, x: number): number {
    return this.grid[y][x].attr;
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
