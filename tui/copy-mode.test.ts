import { describe, expect, it } from "vitest";
import { RowBuilder } from "../sdk/terminal/frame.js";
import { CopyMode } from "./copy-mode.js";
import { textFrame, textRow } from "./mux-app.fixture.js";
import { Scrollback } from "./scrollback.js";

function setup(history: string[], screen: string[], cols = 20, rows = 4, limit = 100) {
  const sb = new Scrollback(limit);
  for (const l of history) sb.push(textRow(l, cols));
  return { sb, c: new CopyMode(sb, textFrame(screen, cols, rows), rows) };
}

describe("CopyMode", () => {
  it("starts at the screen's cursor, at the bottom of the view, and numbers lines across scrollback and screen", () => {
    const { c } = setup(["a", "b", "c"], ["d", "e $"]);
    expect([c.first, c.base, c.last]).toEqual([0, 3, 6]);
    expect([c.cx, c.cy, c.top]).toEqual([3, 4, 3]);
    expect(c.position(4)).toEqual({ up: 0, max: 3 });
    expect([0, 1, 2, 3, 4].map((n) => c.lineText(n))).toEqual(["a", "b", "c", "d", "e $"]);
    c.moveTo(0, 0, 4);
    expect([c.top, c.position(4).up]).toEqual([0, 3]);
  });

  it("keeps its picture while the scrollback goes on, and follows rows dropped at the old end", () => {
    const { sb, c } = setup(["a", "b"], ["c"], 20, 4, 3);
    c.moveTo(0, 0, 4);
    for (const l of ["x", "y", "z"]) sb.push(textRow(l, 20));
    // "a" and "b" fell off the limit of 3; "x", "y" and "z" came after the picture.
    expect(c.first).toBe(2);
    expect(c.lineText(2)).toBe("c");
    c.move(0, 0, 4);
    expect(c.cy).toBe(2);
  });

  it("moves by words across lines, to line ends and the first non-blank", () => {
    const { c } = setup([], ["  foo-bar baz", "qux"]);
    c.moveTo(0, 0, 4);
    c.wordNext(4);
    expect(c.cx).toBe(2);
    c.wordNext(4);
    expect(c.cx).toBe(5);
    c.wordNext(4);
    expect(c.cx).toBe(6);
    c.wordNext(4);
    expect(c.cx).toBe(10);
    c.wordNext(4);
    expect([c.cx, c.cy]).toEqual([0, 1]);
    c.wordPrev(4);
    expect([c.cx, c.cy]).toEqual([10, 0]);
    c.wordEnd(4);
    expect(c.cx).toBe(12);
    c.lineStart();
    c.firstNonBlank();
    expect(c.cx).toBe(2);
    c.lineEnd();
    expect(c.cx).toBe(12);
  });

  it("copies lines with trailing blanks cut, joins rows that wrapped, copies rectangles", () => {
    const sb = new Scrollback(10);
    const wrapped = RowBuilder.from(textRow("abcdefghij", 10)).setWrap(true).build();
    sb.push(wrapped);
    const c = new CopyMode(sb, textFrame(["klm   ", "nop"], 10, 3), 3);
    c.moveTo(2, 0, 3);
    c.beginSelection();
    c.moveTo(1, 2, 3);
    expect(c.selectedText()).toBe("cdefghijklm\nno");
    expect(c.selectedOn(1)).toEqual([0, 9]);
    c.rect = true;
    expect(c.selectedText()).toBe("bc\nlm\nop");
    c.clearSelection();
    expect(c.selectedText()).toBe("");
  });

  it("searches with smart case, going round the ends, a lone match finding itself", () => {
    const { c } = setup(["one Foo", "two", "foo three"], ["$ "]);
    expect(c.find("foo", false, 4)).toEqual({ at: { x: 0, y: 2 }, wrapped: false });
    expect(c.find("foo", false, 4)).toEqual({ at: { x: 4, y: 0 }, wrapped: false });
    expect(c.find("foo", false, 4)).toEqual({ at: { x: 0, y: 2 }, wrapped: true });
    expect(c.find("Foo", true, 4)).toEqual({ at: { x: 4, y: 0 }, wrapped: true });
    expect(c.find("Foo", true, 4)).toEqual({ at: { x: 4, y: 0 }, wrapped: true });
    expect(c.find("nothing", true, 4)).toBeNull();
    expect(c.matchesOn(2)).toEqual([]);
    c.search = "o";
    expect(c.matchesOn(0)).toEqual([
      { x: 0, w: 1 },
      { x: 5, w: 1 },
      { x: 6, w: 1 },
    ]);
  });

  it("finds wide characters by their cells", () => {
    const { c } = setup(["ab中文cd"], ["$ "]);
    expect(c.find("文c", false, 4)).toEqual({ at: { x: 4, y: 0 }, wrapped: false });
    expect(c.matchesOn(0)).toEqual([{ x: 4, w: 3 }]);
  });
});
