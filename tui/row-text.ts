// A screen row as text for copy mode: its characters with the cell each starts in, matches of a search in it, and the text of a range of its cells.
import type { Row } from "../sdk/terminal/frame.js";

/** A row's text (empty cells as spaces, right halves of wide characters skipped) and, per UTF-16 unit, its cell. */
export interface RowText {
  readonly text: string;
  /** `cell[i]` = the cell of `text[i]`; `cell[text.length]` = the row's width. */
  readonly cell: Uint16Array;
  /** The text lower-cased unit for unit (a character whose lower case has another length stays as it is). */
  readonly lower: string;
}

const cache = new WeakMap<Row, RowText>();

/** The row's {@link RowText} (kept per row: rows are immutable). */
export function rowText(row: Row): RowText {
  let rt = cache.get(row);
  if (rt) return rt;
  let text = "";
  let lower = "";
  const cells: number[] = [];
  for (let x = 0; x < row.cols; x++) {
    if (row.cellWidth(x) === 0) continue;
    const g = row.cellEmpty(x) ? " " : row.cellText(x);
    text += g;
    const l = g.toLowerCase();
    lower += l.length === g.length ? l : g;
    for (let k = 0; k < g.length; k++) cells.push(x);
  }
  cells.push(row.cols);
  rt = { text, cell: Uint16Array.from(cells), lower };
  cache.set(row, rt);
  return rt;
}

/** A match in a row: its first cell and how many cells it covers. */
export interface RowMatch {
  x: number;
  w: number;
}

/**
 * Every match of `needle` in the row, left to right (not overlapping). Case-insensitive when
 * `needle` has no upper-case letter (tmux's and vim's smart case).
 */
export function findInRow(row: Row, needle: string): RowMatch[] {
  if (needle.length === 0) return [];
  const rt = rowText(row);
  const caseless = needle === needle.toLowerCase();
  const hay = caseless ? rt.lower : rt.text;
  const out: RowMatch[] = [];
  let i = hay.indexOf(needle);
  while (i >= 0) {
    const x = rt.cell[i];
    const end = i + needle.length;
    // The cell after the match's last unit.
    const last = rt.cell[end - 1];
    out.push({ x, w: last - x + 1 });
    i = hay.indexOf(needle, end);
  }
  return out;
}

/** The text of cells `x0`..`x1` (inclusive) of the row, trailing spaces removed. */
export function cellsText(row: Row, x0: number, x1: number): string {
  let s = "";
  const end = Math.min(x1, row.cols - 1);
  for (let x = Math.max(x0, 0); x <= end; x++) {
    if (row.cellWidth(x) === 0) continue;
    s += row.cellEmpty(x) ? " " : row.cellText(x);
  }
  return s.replace(/ +$/, "");
}
