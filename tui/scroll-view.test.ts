// Copy mode's keys: they move the view within the scrollback and stay in copy mode (G too), search down and up round the ends, copy a selection, pass the prefix on; the wheel; the painted pane follows (on a fake surface).
import { describe, expect, it } from "vitest";
import { FakeSurface, mirroredPane, paintOptions, paneInfo } from "./fake-surface.fixture.js";
import type { KeyToken } from "./key-input.js";
import { newPaneView, paintPane } from "./pane-painter.js";
import { type CopyHost, copyCommand, copyKey, enterCopyMode, type ModeKeys, wheel } from "./scroll-view.js";

const key = (name: string): KeyToken => ({ name, bytes: name.length === 1 ? name : "" });

/** A host that records what copy mode asked of the app. */
function host(prefix = "C-b") {
  const log: string[] = [];
  let answer: ((text: string) => void) | null = null;
  const h: CopyHost = {
    prompt: (question, onDone) => {
      log.push(`prompt ${question}`);
      answer = onDone;
    },
    notice: (text) => log.push(`notice ${text}`),
    redraw: () => log.push("redraw"),
    isPrefix: (t) => t.name === prefix,
    feedPrefix: (t) => log.push(`prefix ${t.name}`),
    copy: (text) => log.push(`copy ${JSON.stringify(text)}`),
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
    { row: 0, col: 2 },
  );
  const view = newPaneView();
  view.rect = { x: 0, y: 0, w: 12, h: 5 };
  return { pane, view };
}

function press(view: ReturnType<typeof setup>["view"], h: CopyHost, names: string[], keys: ModeKeys = "vi") {
  for (const n of names) copyKey(key(n), view, keys, h);
}

/** How far copy mode's view is up from the bottom, as the header shows it. */
const up = (view: ReturnType<typeof setup>["view"]) => view.copy?.position(4).up ?? -1;

describe("copy mode keys", () => {
  it("moves up and down a row or a page, to the top and the bottom, and stays in copy mode at the bottom (G)", () => {
    const { pane, view } = setup();
    const { h, log } = host();
    enterCopyMode(view, pane);
    expect(up(view)).toBe(0);
    press(view, h, ["C-y"]);
    expect(up(view)).toBe(1);
    expect(log).toEqual(["redraw"]);
    press(view, h, ["PageUp"]);
    expect(up(view)).toBe(4);
    press(view, h, ["g"]);
    // The top: line 0 at the top of the view (10 scrollback rows + 3 screen rows - 4 in view).
    expect(up(view)).toBe(9);
    expect(view.copy?.cy).toBe(0);
    press(view, h, ["k"]);
    expect(up(view)).toBe(9);
    press(view, h, ["G"]);
    expect(up(view)).toBe(0);
    // Still in copy mode: the next key is copy mode's.
    expect(view.copy).not.toBeNull();
    press(view, h, ["j", "/"]);
    expect(log.at(-1)).toBe("prompt search down: ");
    press(view, h, ["q"]);
    expect(view.copy).toBeNull();
  });

  it("enters with no scrollback at all (the screen can be searched and copied), and q leaves", () => {
    const pane = mirroredPane(paneInfo(1, { cols: 12, rows: 3 }), ["$ echo hi", "hi", "$ "], [], {
      row: 2,
      col: 2,
    });
    const view = newPaneView();
    view.rect = { x: 0, y: 0, w: 12, h: 4 };
    const { h, log } = host();
    enterCopyMode(view, pane);
    expect(view.copy?.position(3)).toEqual({ up: 0, max: 0 });
    expect([view.copy?.cx, view.copy?.cy]).toEqual([2, 2]);
    press(view, h, ["k", "0", "v", "$", "y"]);
    expect(log).toContain('copy "hi"');
    expect(view.copy).toBeNull();
  });

  it("the painted pane shows the rows the view is scrolled to", () => {
    const { pane, view } = setup();
    const { h } = host();
    const s = new FakeSurface(12, 5);
    enterCopyMode(view, pane);
    press(view, h, ["C-y", "C-y"]);
    paintPane(s, pane, view, paintOptions());
    // (At the bottom the 4-row view shows line 9 above the 3-row screen.)
    expect(s.lines().slice(1)).toEqual(["line 7", "line 8", "line 9", "$"]);
    expect(view.copy?.position(4)).toEqual({ up: 2, max: 9 });
  });

  it("searches up and down, again with n and the other way with N, round the ends, a notice when nothing matches", () => {
    const { pane, view } = setup();
    const t = host();
    enterCopyMode(view, pane);
    press(view, t.h, ["?"]);
    expect(t.log.at(-1)).toBe("prompt search up: ");
    t.answer("line");
    // Up from the prompt: line 9.
    expect(view.copy?.cy).toBe(9);
    press(view, t.h, ["n"]);
    expect(view.copy?.cy).toBe(8);
    press(view, t.h, ["N", "N"]);
    // Down from line 9: nothing below, round to line 0.
    expect(view.copy?.cy).toBe(0);
    expect(t.log).toContain("notice search wrapped to the top: line");
    press(view, t.h, ["/"]);
    t.answer("nowhere");
    expect(t.log.at(-2)).toBe("notice not found: nowhere");
  });

  it("passes the prefix key on, and ignores other keys", () => {
    const { pane, view } = setup();
    const { h, log } = host("C-a");
    enterCopyMode(view, pane);
    press(view, h, ["C-y", "C-y", "C-y"]);
    log.length = 0;
    press(view, h, ["C-a", "F7"]);
    expect(log).toEqual(["prefix C-a"]);
    expect(up(view)).toBe(3);
  });

  it("scrolls with the wheel, and leaves at the bottom when the wheel entered it", () => {
    const { pane, view } = setup();
    enterCopyMode(view, pane, { wheel: true });
    wheel(view, 5);
    expect(up(view)).toBe(5);
    wheel(view, -3);
    expect(up(view)).toBe(2);
    wheel(view, -5);
    expect(view.copy).toBeNull();
    // Entered with the keys: the bottom does not end it.
    enterCopyMode(view, pane);
    wheel(view, 5);
    wheel(view, -10);
    expect(view.copy).not.toBeNull();
  });

  it("has tmux's vi and emacs tables", () => {
    expect(copyCommand("v", "vi")).toBe("begin-selection");
    expect(copyCommand("y", "vi")).toBe("copy");
    expect(copyCommand("G", "vi")).toBe("bottom");
    expect(copyCommand("C-Space", "emacs")).toBe("begin-selection");
    expect(copyCommand("M-w", "emacs")).toBe("copy");
    expect(copyCommand("C-s", "emacs")).toBe("search-down");
    expect(copyCommand("y", "emacs")).toBeUndefined();
  });
});
