// The TUI's drawing contract: a grid of cells (character, attributes, colours in Frame's encoding) sent to the terminal on flush, the cursor, and control sequences of its own (the clipboard); the painters draw on it alone (tests use a fake one).
import type { Color } from "../sdk/terminal/frame.js";
import { wcwidth } from "../sdk/terminal/wcwidth.js";
import type { CellStyle } from "./cell-style.js";

/**
 * A full-screen cell grid: put cells, then {@link CellSurface.flush} draws the changed ones. A
 * wide character takes two cells: its own, then one holding "" (its right half).
 * `tui/surface.ts` implements it on the outer terminal; `fake-surface.fixture.ts` in memory for tests.
 */
export abstract class CellSurface {
  /** Width in cells. */
  abstract get cols(): number;

  /** Height in rows. */
  abstract get rows(): number;

  /**
   * Sets one cell (`attrs`: {@link Attr} bits; `fg`, `bg`: Frame colours, 0 the terminal's own);
   * `ch` "" is the right half of the wide character in the cell before it. Outside the grid does nothing.
   */
  abstract put(y: number, x: number, ch: string, attrs: number, fg: Color, bg: Color): void;

  /** Sends the changed cells to the terminal. */
  abstract flush(): void;

  /** Shows the cursor at (row, col). */
  abstract showCursor(row: number, col: number): void;

  /** Hides the cursor. */
  abstract hideCursor(): void;

  /** Writes a control sequence of its own to the terminal (OSC 52: the clipboard). */
  abstract write(data: string): void;

  /**
   * Writes `text` at (x, y) in `style`, clipped to `w` cells (a wide character takes two, and one
   * that does not fit is left out), padding with spaces unless `pad` is false; returns cells used.
   */
  text(y: number, x: number, w: number, style: CellStyle, text: string, pad = true): number {
    return putText(this, y, x, w, style, text, pad);
  }
}

/** What {@link putText} writes into: anything that takes cells. */
export interface CellSink {
  put(y: number, x: number, ch: string, attrs: number, fg: Color, bg: Color): void;
}

/** {@link CellSurface.text} for any {@link CellSink}. */
export function putText(
  sink: CellSink,
  y: number,
  x: number,
  w: number,
  style: CellStyle,
  text: string,
  pad: boolean,
): number {
  const { attrs, fg, bg } = style;
  let col = 0;
  for (const ch of text) {
    const width = wcwidth(ch.codePointAt(0) ?? 0);
    if (width === 0 && col > 0) continue;
    if (width === 2) {
      if (col + 2 > w) break;
      sink.put(y, x + col, ch, attrs, fg, bg);
      sink.put(y, x + col + 1, "", attrs, fg, bg);
      col += 2;
      continue;
    }
    if (col >= w) break;
    sink.put(y, x + col, width < 0 ? "?" : ch, attrs, fg, bg);
    col++;
  }
  if (pad) while (col < w) sink.put(y, x + col++, " ", attrs, fg, bg);
  return col;
}
