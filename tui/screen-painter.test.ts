// Painting the whole screen on a fake surface: borders, what lies beyond the shared layout, panes, the status line, the help box, and the cursor.
import { describe, expect, it } from "vitest";
import { PALETTE } from "../sdk/terminal/frame.js";
import { defaultConfig } from "./config.js";
import { CopyMode } from "./copy-mode.js";
import { FakeSurface, paneInfo, showLines } from "./fake-surface.fixture.js";
import type { Mode } from "./mode.js";
import { newPaneView, type PaneView } from "./pane-painter.js";
import { layoutArea, paintScreen, placeCursor, type ScreenState } from "./screen-painter.js";
import { ViewState } from "./view-state.js";

/** Two panes side by side in a 21x6 layout (status line below): pane 1 at x 0..9, pane 2 at x 11..20. */
function twoPanes(layout = { cols: 21, rows: 6 }): { view: ViewState; views: Map<number, PaneView> } {
  const view = new ViewState();
  view.apply({
    t: "layout",
    cols: layout.cols,
    rows: layout.rows,
    focus: 1,
    zoomed: null,
    order: [1, 2],
    rects: [
      [1, 0, 0, 10, 5],
      [2, 11, 0, 10, 5],
    ],
  });
  const views = new Map<number, PaneView>();
  for (const id of [1, 2]) {
    view.apply({ t: "pane", info: paneInfo(id, { cols: 10, rows: 4 }) });
    const v = newPaneView();
    v.rect = view.rects.get(id) ?? v.rect;
    views.set(id, v);
  }
  showLines(view.panes.get(1)!, ["$ echo", "hi"], { row: 1, col: 2 });
  showLines(view.panes.get(2)!, ["top"]);
  return { view, views };
}

function state(view: ViewState, views: Map<number, PaneView>, o: Partial<ScreenState> = {}): ScreenState {
  return {
    view,
    views,
    mode: { kind: "normal" },
    notice: "",
    armed: false,
    prefix: "C-b",
    bindings: defaultConfig().bindings,
    modeKeys: "vi",
    name: "default",
    waiting: () => false,
    now: 0,
    ...o,
  };
}

describe("paintScreen", () => {
  it("draws borders between the panes, the panes, the status line, sends it, and puts the cursor in the focused pane", () => {
    const s = new FakeSurface(21, 6);
    const { view, views } = twoPanes();
    paintScreen(s, state(view, views), true);
    expect(s.lines()).toEqual([
      "▶1 p1 12ms│ 2 p2 12ms",
      "$ echo    │top",
      "hi        │",
      "          │",
      "          │",
      // Every pane on the status line, shortened to fit.
      " default  1 12ms │ 2",
    ]);
    expect(s.flushed).toHaveLength(1);
    // Pane 1's cursor (row 1, col 2) under its header.
    expect(s.cursor).toEqual({ row: 2, col: 2 });
    // The border beside the focused pane is green; the others (and the one of a single pane)
    // in the terminal's own colours, visible on any theme (not black or grey on the default).
    expect(s.cell(2, 10)).toEqual({ ch: "│", attrs: 0, fg: PALETTE | 2, bg: 0 });
    view.apply({
      t: "layout",
      cols: 21,
      rows: 6,
      focus: 2,
      zoomed: null,
      order: [1, 2],
      rects: [
        [1, 0, 0, 10, 5],
        [2, 11, 0, 10, 5],
      ],
    });
    paintScreen(s, state(view, views), true);
    expect(s.cell(2, 10)).toEqual({ ch: "│", attrs: 0, fg: PALETTE | 2, bg: 0 });
    const three = new FakeSurface(32, 6);
    view.apply({
      t: "layout",
      cols: 32,
      rows: 6,
      focus: 1,
      zoomed: null,
      order: [1, 2, 3],
      rects: [
        [1, 0, 0, 10, 5],
        [2, 11, 0, 10, 5],
        [3, 22, 0, 10, 5],
      ],
    });
    views.set(3, { ...newPaneView(), rect: view.rects.get(3)! });
    views.get(1)!.rect = view.rects.get(1)!;
    views.get(2)!.rect = view.rects.get(2)!;
    paintScreen(three, state(view, views), true);
    expect(three.cell(2, 10).fg).toBe(PALETTE | 2);
    expect(three.cell(2, 21)).toEqual({ ch: "│", attrs: 0, fg: 0, bg: 0 });
  });

  it("dots what lies beyond a layout made for a smaller client", () => {
    const s = new FakeSurface(24, 7);
    const { view, views } = twoPanes();
    paintScreen(s, state(view, views), true);
    expect(layoutArea(view, s)).toEqual({ x: 0, y: 0, w: 21, h: 5 });
    expect(s.line(1).slice(21)).toBe("···");
    expect(s.line(5)).toBe("·".repeat(24));
  });

  it("repaints only what changed unless told to paint it all", () => {
    const s = new FakeSurface(21, 6);
    const { view, views } = twoPanes();
    paintScreen(s, state(view, views), true);
    s.puts = 0;
    paintScreen(s, state(view, views), false);
    // Only the status line is written again (it is not cached).
    expect(s.puts).toBe(21);
    expect(s.flushed.at(-1)).toEqual([]);
    paintScreen(s, state(view, views), true);
    expect(s.puts).toBeGreaterThan(21 + 21 * 5);
  });

  it("shows the help box over the panes and hides the cursor", () => {
    const s = new FakeSurface(60, 30);
    const { view, views } = twoPanes({ cols: 60, rows: 30 });
    paintScreen(s, state(view, views, { mode: { kind: "help" } }), true);
    expect(s.lines().join("\n")).toContain("mosh-mux keys: press C-b, then:");
    expect(s.cursor).toBeNull();
  });
});

describe("placeCursor", () => {
  it("puts the cursor after a dialog's question, after the answer unless it is secret", () => {
    const s = new FakeSurface(21, 6);
    const { view, views } = twoPanes();
    const prompt: Mode = { kind: "prompt", question: "Password: ", text: "abc", onDone: () => undefined };
    placeCursor(s, state(view, views, { mode: prompt }));
    expect(s.cursor).toEqual({ row: 5, col: 14 });
    placeCursor(s, state(view, views, { mode: { ...prompt, secret: true } }));
    expect(s.cursor).toEqual({ row: 5, col: 11 });
    placeCursor(
      s,
      state(view, views, { mode: { kind: "confirm", question: "Quit? (y/n)", onYes: () => undefined } }),
    );
    expect(s.cursor).toEqual({ row: 5, col: 0 });
  });

  it("puts the cursor at copy mode's, hides it when the application hides it or when it is outside the pane", () => {
    const s = new FakeSurface(21, 6);
    const { view, views } = twoPanes();
    const pane = view.panes.get(1)!;
    const c = new CopyMode(pane.scrollback, pane.frame(), 4);
    views.get(1)!.copy = c;
    c.move(3, -1, 4);
    placeCursor(s, state(view, views));
    expect(s.cursor).toEqual({ row: 1, col: 5 });
    views.get(1)!.copy = null;
    placeCursor(s, state(view, views));
    expect(s.cursor).toEqual({ row: 2, col: 2 });
    showLines(pane, ["$ echo", "hi"], { row: 1, col: 2 }, false);
    placeCursor(s, state(view, views));
    expect(s.cursor).toBeNull();
    showLines(pane, ["$ echo", "hi"], { row: 3, col: 9 });
    placeCursor(s, state(view, views));
    expect(s.cursor).toEqual({ row: 4, col: 9 });
    view.apply({
      t: "layout",
      cols: 21,
      rows: 6,
      focus: 1,
      zoomed: null,
      order: [1],
      rects: [[1, 0, 0, 5, 3]],
    });
    placeCursor(s, state(view, views));
    expect(s.cursor).toBeNull();
  });
});
