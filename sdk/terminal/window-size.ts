// The one screen-size rule: which sizes are usable (both ends, every source), and a window whose size is unknown is mosh's 80x24.

/** Width used when a window's size is unknown (mosh's default). */
export const DEFAULT_COLS = 80;
/** Height used when a window's size is unknown (mosh's default). */
export const DEFAULT_ROWS = 24;

/** A window's size in cells. */
export interface WindowSize {
  cols: number;
  rows: number;
}

/** `cols` x `rows` when both are known and positive; otherwise (a pipe, a file, a terminal that reports 0) 80x24. */
export function windowSize(cols: number | undefined, rows: number | undefined): WindowSize {
  return cols !== undefined && rows !== undefined && cols > 0 && rows > 0
    ? { cols, rows }
    : { cols: DEFAULT_COLS, rows: DEFAULT_ROWS };
}

/** Largest screen dimension accepted (from a peer or a caller); anything bigger is treated as bogus input. */
export const MAX_SCREEN_DIMENSION = 4096;
/** Largest screen area accepted, in cells (about 16 MB of emulator and snapshot memory). */
export const MAX_SCREEN_CELLS = 1 << 20;

/**
 * Whether a screen size is usable: positive integers, each at most {@link MAX_SCREEN_DIMENSION},
 * the area at most {@link MAX_SCREEN_CELLS}. Both ends hold every size to it: the sizes a session
 * is opened with, resized to, or told by its peer (a bad one from the peer is ignored).
 */
export function validScreenSize(cols: number, rows: number): boolean {
  return (
    Number.isInteger(cols) &&
    Number.isInteger(rows) &&
    cols > 0 &&
    rows > 0 &&
    cols <= MAX_SCREEN_DIMENSION &&
    rows <= MAX_SCREEN_DIMENSION &&
    cols * rows <= MAX_SCREEN_CELLS
  );
}
