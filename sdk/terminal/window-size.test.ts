// The one screen-size rule: which sizes are usable, and the 80x24 of a window whose size is unknown.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_COLS,
  DEFAULT_ROWS,
  MAX_SCREEN_CELLS,
  MAX_SCREEN_DIMENSION,
  validScreenSize,
  windowSize,
} from "./window-size.js";

describe("window size", () => {
  it("takes a size only when both dimensions are known and positive, else mosh's 80x24", () => {
    expect(windowSize(132, 50)).toEqual({ cols: 132, rows: 50 });
    expect(windowSize(undefined, undefined)).toEqual({ cols: DEFAULT_COLS, rows: DEFAULT_ROWS });
    expect(windowSize(132, 0)).toEqual({ cols: 80, rows: 24 });
    expect(windowSize(0, 50)).toEqual({ cols: 80, rows: 24 });
    expect(windowSize(132, undefined)).toEqual({ cols: 80, rows: 24 });
  });

  it("accepts positive integer sizes within each dimension's cap and the area cap, nothing else", () => {
    expect(validScreenSize(80, 24)).toBe(true);
    expect(validScreenSize(1, 1)).toBe(true);
    expect(validScreenSize(MAX_SCREEN_DIMENSION, MAX_SCREEN_CELLS / MAX_SCREEN_DIMENSION)).toBe(true);
    for (const [c, r] of [
      [0, 24],
      [80, 0],
      [-1, 24],
      [80.5, 24],
      [Number.NaN, 24],
      [MAX_SCREEN_DIMENSION + 1, 1],
      [1, MAX_SCREEN_DIMENSION + 1],
      [MAX_SCREEN_DIMENSION, MAX_SCREEN_DIMENSION],
    ]) {
      expect(validScreenSize(c, r), `${c}x${r}`).toBe(false);
    }
  });
});
