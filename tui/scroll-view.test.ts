// Browsing a pane's scrollback: the keys move the view within the scrollback, search finds text upwards, and the painted pane follows (on a fake surface).
import { describe, expect, it } from "vitest";
import { FakeSurface, mirroredPane, paneInfo } from "./fake-surface.fixture.js";
import type { KeyToken } from "./key-input.js";
import { newPaneView, paintPane } from "./pane-painter.js";
import { type ScrollHost, scrollBy, scrollKey, searchNext } from "./scroll-view.js";

const key = (name: string): KeyToken => ({ name, bytes: name.length === 1 ? name : "" });

/** A host that records what scrolling asked of the app. */
function host(prefix = "C-b") {
  const log: string[] = [];
  let answer: ((text: string) => void) | null = null;
  const h: ScrollHost = {
    prompt: (question, onDone) => {
      log.push(`prompt ${question}`);
      answer = onDone;
    },
    notice: (text) => log.push(`notice ${text}`),
    redraw: () => log.push("redraw"),
    isPrefix: (t) => t.name === prefix,
    feedPrefix: (t) => log.push(`prefix ${t.name}`),
  };
  return { h, log, answer: (text: string) => answer?.(text) };
}

/** A 10-row scrollback (lines "line 0".."line 9") above a 3-row screen, shown in a 5-row pane (4 content rows). */
function setup() {
  const info = paneInfo(1, { cols: 12, rows: 3 });
  const pane = mirroredPane(
    info,
    ["$ ", "", ""],
    Array.from({ length: 10 }, (_, i) => `line ${i}`),
  );
  const view = newPaneView();
  view.rect = { x: 0, y: 0, w: 12, h: 5 };
  return { pane, view };
}

describe("scroll view", () => {
  it("moves up and down a row or a page, to the top and back, within the scrollback", () => {
    const { pane, view } = setup();
    const { h, log } = host();
    scrollBy(view, pane, 1, h);
    expect(view.scroll).toBe(1);
    expect(log).toEqual(["redraw"]);
    scrollKey(key("PageUp"), view, pane, h);
    expect(view.scroll).toBe(4);
    scrollKey(key("k"), view, pane, h);
    scrollKey(key("Down"), view, pane, h);
    expect(view.scroll).toBe(4);
    scrollKey(key("g"), view, pane, h);
    expect(view.scroll).toBe(10);
    scrollKey(key("Up"), view, pane, h);
    expect(view.scroll).toBe(10);
    scrollKey(key("q"), view, pane, h);
    expect(view.scroll).toBe(0);
    scrollKey(key("j"), view, pane, h);
    expect(view.scroll).toBe(0);
  });

  it("the painted pane shows the rows the view is scrolled to", () => {
    const { pane, view } = setup();
    const { h } = host();
    const s = new FakeSurface(12, 5);
    scrollBy(view, pane, 2, h);
    paintPane(s, pane, view, {
      focused: true,
      zoomed: false,
      asking: null,
      waiting: false,
      prefix: "C-b",
      now: 0,
    });
    expect(s.lines().slice(1)).toEqual(["line 8", "line 9", "$", ""]);
  });

  it("searches upwards: the hit at the top of the view, again for the next one, a notice when none is left", () => {
    const { pane, view } = setup();
    const t = host();
    scrollBy(view, pane, 1, t.h);
    scrollKey(key("/"), view, pane, t.h);
    expect(t.log.at(-1)).toBe("prompt search up: ");
    t.answer("line");
    // The lowest match in view first: line 9 at the top.
    expect(view.scroll).toBe(1);
    expect(view.lastHit).toBe(9);
    scrollKey(key("n"), view, pane, t.h);
    expect(view.lastHit).toBe(8);
    expect(view.scroll).toBe(2);
    view.search = "nowhere";
    view.lastHit = -1;
    searchNext(view, pane, t.h);
    expect(t.log.at(-1)).toBe("notice not found: nowhere");
  });

  it("passes the prefix key on, and ignores other keys", () => {
    const { pane, view } = setup();
    const { h, log } = host("C-a");
    scrollBy(view, pane, 3, h);
    scrollKey(key("C-a"), view, pane, h);
    scrollKey(key("x"), view, pane, h);
    expect(log).toEqual(["redraw", "prefix C-a"]);
    expect(view.scroll).toBe(3);
  });
});
