// The TUI's drawing contract: a grid of cells with blessed's packed attributes, sent to the terminal on flush, and the cursor; the painters draw on it alone (tests use a fake one).

/**
 * A full-screen cell grid: put cells, then {@link CellSurface.flush} draws the changed lines.
 * `tui/surface.ts` implements it on blessed; `fake-surface.fixture.ts` in memory for tests.
 */
export abstract class CellSurface {
  /** Width in cells. */
  abstract get cols(): number;

  /** Height in rows. */
  abstract get rows(): number;

  /** The default (terminal's own colours) packed attribute. */
  abstract get defaultAttr(): number;

  /** Sets one cell (marks its line for drawing when it changed); outside the grid does nothing. */
  abstract put(y: number, x: number, attr: number, ch: string): void;

  /** Marks line `y` for drawing (blessed prints a wide character and skips the cell after it: repaint both). */
  abstract touch(y: number): void;

  /** Sends the changed lines to the terminal. */
  abstract flush(): void;

  /** Shows the cursor at (row, col). */
  abstract showCursor(row: number, col: number): void;

  /** Hides the cursor. */
  abstract hideCursor(): void;

  /** Writes `text` at (x, y), clipped to `w` cells, padding with spaces unless `pad` is false; returns cells used. */
  text(y: number, x: number, w: number, attr: number, text: string, pad = true): number {
    let col = 0;
    for (const ch of text) {
      if (col >= w) break;
      this.put(y, x + col, attr, ch);
      col++;
    }
    if (pad) while (col < w) this.put(y, x + col++, attr, " ");
    return col;
  }
}
