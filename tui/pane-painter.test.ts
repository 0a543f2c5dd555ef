// Painting one pane on a fake surface: header, screen rows, scrollback, the text of failed and connecting panes, and rows already drawn left alone.
import { describe, expect, it } from "vitest";
import { PALETTE } from "../sdk/terminal/frame.js";
import { CopyMode } from "./copy-mode.js";
import { FakeSurface, mirroredPane, paintOptions, paneInfo, showLines } from "./fake-surface.fixture.js";
import { newPaneView, paintPane, wrap } from "./pane-painter.js";

/** A view of a pane at (0, 0), `w` x `h` (header row included). */
function viewAt(w: number, h: number) {
  const v = newPaneView();
  v.rect = { x: 0, y: 0, w, h };
  return v;
}

describe("paintPane", () => {
  it("draws the header (focus mark, number, label, RTT, zoom) and the screen's rows", () => {
    const s = new FakeSurface(24, 6);
    const pane = mirroredPane(paneInfo(1, { label: "web", rtt: 41.6 }), ["$ ls", "a  b"]);
    paintPane(s, pane, viewAt(20, 5), paintOptions({ zoomed: true }));
    expect(s.line(0)).toBe("▶1 web 42ms [Z] ────    ");
    expect(s.lines().slice(1, 5)).toEqual(["$ ls", "a  b", "", ""]);
    // Nothing beyond the pane's rectangle.
    expect(s.line(1).slice(20)).toBe("    ");
  });

  it("repaints only rows that changed since the last paint", () => {
    const s = new FakeSurface(20, 5);
    const v = viewAt(20, 5);
    const pane = mirroredPane(paneInfo(1), ["one", "two"]);
    paintPane(s, pane, v, paintOptions());
    s.flush();
    s.puts = 0;
    paintPane(s, pane, v, paintOptions());
    // The same header and the same rows: nothing at all is put.
    expect(s.puts).toBe(0);
    showLines(pane, ["one", "TWO"]);
    paintPane(s, pane, v, paintOptions());
    // Only the changed row's cells.
    expect(s.puts).toBe(20);
    s.flush();
    expect(s.flushed.at(-1)).toEqual([2]);
    expect(s.line(2).trimEnd()).toBe("TWO");
  });

  it("shows a stalled pane's time without contact, and an ended pane's hint", () => {
    const s = new FakeSurface(40, 5);
    const stalled = mirroredPane(paneInfo(2, { state: "stalled", stalledSince: 1000 }));
    paintPane(s, stalled, viewAt(40, 5), paintOptions({ focused: false, now: 8500 }));
    expect(s.line(0)).toMatch(/^ 2 p2 ⚠ no contact 7s ─+$/);
    const ended = mirroredPane(paneInfo(3, { state: "ended" }), ["bye"]);
    paintPane(s, ended, viewAt(40, 5), paintOptions({ prefix: "C-a" }));
    expect(s.line(0)).toMatch(/^▶3 p3 \[ended\] ─+$/);
    expect(s.lines()[4]).toBe("[session ended — press C-a x to close]");
  });

  it("shows a failed pane's error, wrapped, in place of its screen, and the header says so", () => {
    const s = new FakeSurface(20, 5);
    const pane = mirroredPane(paneInfo(1, { state: "failed", error: "ssh: connection refused by host" }));
    paintPane(s, pane, viewAt(20, 5), paintOptions());
    expect(s.lines().slice(0, 4)).toEqual([
      "▶1 p1 [failed] ─────",
      "failed: ssh:",
      "connection refused",
      "by host",
    ]);
    // The first line is a notice (its own attribute), the rest plain.
    expect(s.attrAt(1, 0)).not.toBe(s.attrAt(2, 0));
  });

  it("shows what SSH says and the question's earlier lines while it asks, over the screen", () => {
    const s = new FakeSurface(30, 6);
    const pane = mirroredPane(paneInfo(1, { state: "connecting", notes: ["Warning: banner"] }));
    paintPane(
      s,
      pane,
      viewAt(30, 6),
      paintOptions({ asking: { body: ["The authenticity of host x can't be established."], secret: false } }),
    );
    expect(s.line(0)).toMatch(/^▶1 p1 asking… /);
    expect(s.lines().slice(1, 5)).toEqual([
      "Warning: banner",
      "The authenticity of host x",
      "can't be established.",
      "answer below: Enter answers, E",
    ]);
    const waiting = mirroredPane(paneInfo(2, { state: "connecting" }));
    paintPane(s, waiting, viewAt(30, 6), paintOptions({ waiting: true }));
    expect(s.line(0)).toMatch(/^▶2 p2 waiting to ask /);
  });

  it("shows the scrollback above the screen in copy mode, and the position in the header", () => {
    const s = new FakeSurface(30, 4);
    const pane = mirroredPane(
      paneInfo(1, { cols: 30, rows: 3 }),
      ["s0", "s1", "s2"],
      ["b0", "b1", "b2", "b3"],
    );
    const v = viewAt(30, 4);
    v.copy = new CopyMode(pane.scrollback, pane.frame(), 3);
    v.copy.scroll(2, 3);
    paintPane(s, pane, v, paintOptions());
    expect(s.line(0)).toMatch(/\[scroll 2\/4\]/);
    expect(s.lines().slice(1, 4)).toEqual(["b2", "b3", "s0"]);
  });

  it("highlights copy mode's search matches (the one at the cursor apart) and its selection", () => {
    const s = new FakeSurface(30, 4);
    const pane = mirroredPane(paneInfo(1, { cols: 30, rows: 3 }), ["foo bar foo", "x", "$ "], [], {
      row: 2,
      col: 2,
    });
    const v = viewAt(30, 4);
    const c = new CopyMode(pane.scrollback, pane.frame(), 3);
    v.copy = c;
    c.find("foo", true, 3);
    paintPane(s, pane, v, paintOptions());
    // The search went round to "foo" at (0, 0): that one is the current match, (8, 0) another.
    expect(s.cell(1, 0).bg).toBe(PALETTE | 5);
    expect(s.cell(1, 2).bg).toBe(PALETTE | 5);
    expect(s.cell(1, 3).bg).toBe(0);
    expect(s.cell(1, 8).bg).toBe(PALETTE | 6);
    expect(s.line(0)).not.toContain("[sel]");
    c.beginSelection();
    c.move(0, 1, 3);
    paintPane(s, pane, v, paintOptions());
    expect(s.line(0)).toContain("[sel]");
    // Selected: from (0, 0) to (0, 1), the rest of row 0 and the start of row 1.
    expect(s.cell(1, 20).bg).toBe(PALETTE | 3);
    expect(s.cell(2, 0).bg).toBe(PALETTE | 3);
    expect(s.cell(2, 1).bg).toBe(0);
    expect(c.selectedText()).toBe("foo bar foo\nx");
  });

  it('puts a wide character and its right half (""), and a space where the pane\'s edge cuts one', () => {
    const s = new FakeSurface(10, 3);
    paintPane(s, mirroredPane(paneInfo(1, { cols: 10, rows: 2 }), ["a漢b"]), viewAt(10, 3), paintOptions());
    s.flush();
    expect(s.line(1).slice(0, 3)).toBe("a漢b");
    expect(s.cell(1, 2).ch).toBe("");
    paintPane(s, mirroredPane(paneInfo(2, { cols: 10, rows: 2 }), ["abc漢"]), viewAt(4, 3), paintOptions());
    expect(s.line(1).slice(0, 4)).toBe("abc ");
  });
});

describe("wrap", () => {
  it("breaks at spaces where it can, else mid-word, and keeps empty lines", () => {
    expect(wrap("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(wrap("abcdefgh", 3)).toEqual(["abc", "def", "gh"]);
    expect(wrap("a\n\nb", 5)).toEqual(["a", "", "b"]);
  });
});
