// LocalDisplay: minimal redraws, and the title re-sent without mosh's prefix for the last frame.
import { describe, expect, it } from "vitest";
import {
  Attr,
  blankFrame,
  blankRow,
  Frame,
  INITIAL_STATE,
  paletteColor,
  RowBuilder,
} from "../../sdk/terminal/frame.js";
import { LocalDisplay } from "./local-display.js";

const INFO = { smcup: "", rmcup: "", titles: true, titlePrefix: "" };

describe("LocalDisplay", () => {
  it("re-sends the title once when the prefix changes, and otherwise only what changed", () => {
    let out = "";
    const d = new LocalDisplay({ smcup: "", rmcup: "", titles: true, titlePrefix: "[mosh] " }, (s) => {
      out += s;
    });
    const f = blankFrame(10, 3).with({ title: "mytitle", iconName: "mytitle", titleSet: true });
    d.draw(f);
    expect(out).toContain("\x1b]0;[mosh] mytitle\x07");
    out = "";
    d.draw(f);
    expect(out).toBe("");
    d.setTitlePrefix("");
    d.draw(f);
    expect(out).toBe("\x1b]0;mytitle\x07");
    out = "";
    d.draw(f);
    expect(out).toBe("");
  });

  it("sends no title before the remote side set one", () => {
    let out = "";
    const d = new LocalDisplay({ smcup: "", rmcup: "", titles: true, titlePrefix: "[mosh] " }, (s) => {
      out += s;
    });
    d.draw(blankFrame(10, 3));
    d.setTitlePrefix("");
    d.draw(blankFrame(10, 3));
    expect(out).not.toContain("\x1b]");
  });
});

describe("LocalDisplay.printAhead", () => {
  it("sends what drawing the frame with that one cell and the cursor after it would send, and then that frame sends nothing", () => {
    const base = new Frame(
      10,
      3,
      [blankRow(10), new RowBuilder(10).setCell(0, "$", 1).build(), blankRow(10)],
      {
        ...INITIAL_STATE,
        cursorRow: 1,
        cursorCol: 2,
      },
    );
    for (const attrs of [0, Attr.underline, Attr.bold | Attr.underline]) {
      const ahead: string[] = [];
      const a = new LocalDisplay(INFO, (s) => ahead.push(s));
      a.draw(base);
      ahead.length = 0;
      expect(a.printAhead({ row: 1, col: 2, text: "x", attrs, fg: paletteColor(2), bg: 0 })).toBe(true);
      const grid = base.grid.slice();
      grid[1] = RowBuilder.from(grid[1]).setCell(2, "x", 1, attrs, paletteColor(2), 0).build();
      const next = base.with({ cursorRow: 1, cursorCol: 3 }, grid);
      const full: string[] = [];
      const b = new LocalDisplay(INFO, (s) => full.push(s));
      b.draw(base);
      full.length = 0;
      b.draw(next);
      expect(ahead.join("")).toBe(full.join(""));
      expect(ahead.join("")).toContain("x");
      ahead.length = 0;
      a.draw(next);
      expect(ahead).toEqual([]);
    }
  });

  it("draws nothing when the cursor is elsewhere, in the last column, or nothing is shown yet", () => {
    const out: string[] = [];
    const d = new LocalDisplay(INFO, (s) => out.push(s));
    expect(d.printAhead({ row: 0, col: 0, text: "x", attrs: 0, fg: 0, bg: 0 })).toBe(false);
    d.draw(new Frame(4, 2, [blankRow(4), blankRow(4)], { ...INITIAL_STATE, cursorRow: 0, cursorCol: 3 }));
    out.length = 0;
    expect(d.printAhead({ row: 0, col: 3, text: "x", attrs: 0, fg: 0, bg: 0 })).toBe(false);
    expect(d.printAhead({ row: 1, col: 0, text: "x", attrs: 0, fg: 0, bg: 0 })).toBe(false);
    expect(out).toEqual([]);
  });
});
