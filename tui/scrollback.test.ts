import { describe, expect, it } from "vitest";
import { blankRow, Frame, type Row, RowBuilder } from "../sdk/terminal/frame.js";
import { Scrollback, scrolledBy } from "./scrollback.js";

function row(text: string, cols = 10): Row {
  const b = new RowBuilder(cols);
  [...text].forEach((ch, x) => {
    b.setCell(x, ch, 1);
  });
  return b.build();
}

function frame(lines: string[]): Frame {
  return new Frame(
    10,
    lines.length,
    lines.map((l) => (l === "" ? blankRow(10) : row(l))),
  );
}

describe("scrollback", () => {
  it("detects how far the screen scrolled", () => {
    const a = frame(["l1", "l2", "l3", "$"]);
    expect(scrolledBy(a, frame(["l2", "l3", "$ x", ""]))).toBe(1);
    expect(scrolledBy(a, frame(["l3", "$", "o1", "$"]))).toBe(2);
    expect(scrolledBy(a, frame(["l1", "l2", "l3", "$ ls"]))).toBe(0);
    // Clearing the screen is not a scroll.
    expect(scrolledBy(frame(["x", "", "", ""]), frame(["", "", "", ""]))).toBe(0);
  });

  it("keeps scrolled-off rows in order, bounded, and searches them", () => {
    const sb = new Scrollback(2);
    let prev = frame(["a1", "a2", "a3", "$"]);
    for (const next of [frame(["a2", "a3", "$", "b1"]), frame(["$", "b1", "b2", "b3"])]) {
      sb.observe(prev, next);
      prev = next;
    }
    expect(Array.from({ length: sb.length }, (_, i) => sb.row(i).toString())).toEqual(["a2", "a3"]);
    expect(sb.find("A3", 1)).toBe(1);
    expect(sb.find("a2", 1)).toBe(0);
    expect(sb.find("a2", 1, false)).toBe(-1);
    expect(sb.find("zz", 1)).toBe(-1);
  });
});
