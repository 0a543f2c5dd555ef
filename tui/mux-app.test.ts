// The TUI on a fake terminal with the server's messages played in: the wheel, copy mode (G, an empty scrollback, selection, OSC 52, search), the sessions' clipboard, borders, the status line with many panes.
import { afterEach, describe, expect, it } from "vitest";
import { Attr, PALETTE } from "../sdk/terminal/frame.js";
import { type AppHarness, appHarness, paneInfo, textFrame } from "./mux-app.fixture.js";

let h: AppHarness;
afterEach(() => h?.end());

const ESC = "\x1b";
const sgrWheel = (up: boolean, x: number, y: number) => `${ESC}[<${up ? 64 : 65};${x + 1};${y + 1}M`;
const header = (h: AppHarness) => h.term.lines()[0];
/** The left pane's content rows (between its header and the status line). */
const leftRows = (h: AppHarness, w = 40) =>
  h.term
    .lines()
    .slice(1, -1)
    .map((l) => [...l].slice(0, w).join("").trimEnd());
const lines = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `line${i + from}`);

describe("mosh-mux TUI: the mouse wheel", () => {
  it("scrolls a pane back into copy mode and down out of it again (button 64 is not a click)", async () => {
    h = await appHarness({ focus: 2 });
    h.scroll(1, lines(30));
    h.frame(1, textFrame(lines(10, 31), 40, 10));
    await h.settle();
    await h.type(sgrWheel(true, 5, 4));
    expect(header(h)).toMatch(/^ 1 local:1 3ms \[scroll 5\/30\]/);
    expect(leftRows(h)[0]).toBe("line26");
    // The focus stays where it was (as tmux does), typing goes there.
    expect(h.sent.filter((m) => m.t === "command")).toEqual([]);
    await h.type(sgrWheel(true, 5, 4));
    expect(leftRows(h)[0]).toBe("line21");
    await h.type(sgrWheel(false, 5, 4) + sgrWheel(false, 5, 4));
    // Back at the bottom: copy mode entered with the wheel ends.
    expect(header(h)).not.toContain("[scroll");
    expect(leftRows(h)[0]).toBe("line31");
  });

  it("gives the wheel to a program that asked for the mouse, in its encoding", async () => {
    h = await appHarness();
    h.frame(1, textFrame(["$ less"], 40, 10, { mouseMode: 1000, mouseEncoding: 1006 }));
    await h.type(sgrWheel(true, 3, 5));
    h.frame(2, textFrame(["x"], 40, 10, { mouseMode: 1002 }));
    await h.type(sgrWheel(false, 44, 2));
    expect(h.input(1)).toBe(`${ESC}[<64;4;5M`);
    expect(h.input(2)).toBe(`${ESC}[M${String.fromCharCode(97, 36, 34)}`);
    expect(header(h)).not.toContain("[scroll");
  });
});

describe("mosh-mux TUI: copy mode", () => {
  it("stays in copy mode at the bottom (G) and takes / as its search, not the shell's", async () => {
    h = await appHarness();
    h.scroll(1, lines(20));
    h.frame(1, textFrame([...lines(9, 21), "$ "], 40, 10));
    await h.type(`${"\x02"}[`);
    expect(header(h)).toContain("[scroll 0/20]");
    await h.type("gG");
    expect(header(h)).toContain("[scroll 0/20]");
    await h.type("?line5\r");
    expect(h.input()).toBe("");
    expect(header(h)).toContain("[scroll");
    // The match is shown with the line under the cursor: line5, highlighted as the current match.
    const row = leftRows(h).indexOf("line5");
    expect(row).toBeGreaterThanOrEqual(0);
    const cell = h.term.cell(row + 1, 0);
    expect(cell.bg).toBe(PALETTE | 5);
    expect(h.term.cursor).toEqual({ row: row + 1, col: 0 });
    await h.type("q");
    expect(header(h)).not.toContain("[scroll");
    await h.type("ls\r");
    expect(h.input()).toBe("ls\r");
  });

  it("enters with nothing scrolled off yet, and the next key is copy mode's, not the shell's", async () => {
    h = await appHarness();
    h.frame(1, textFrame(["$ echo hi", "hi", "$ "], 40, 10));
    await h.type("\x02[");
    expect(header(h)).toContain("[scroll 0/0]");
    await h.type("q");
    expect(header(h)).not.toContain("[scroll");
    expect(h.input()).toBe("");
  });

  it("selects with v and copies with y: the paste buffer, OSC 52 to the terminal, C-b ] pastes", async () => {
    h = await appHarness();
    h.scroll(1, ["first line", "second wrapped"]);
    h.frame(1, textFrame(["$ echo hi", "hi", "$ "], 40, 10));
    await h.type("\x02[");
    // From the cursor (after "$ " on row 2) up to "second" in the scrollback (k k k 0 v), then
    // down to the end of "echo" (j w e).
    await h.type("kkk0vjwe");
    expect(header(h)).toContain("[sel]");
    // The selection is highlighted.
    const selRow = leftRows(h).indexOf("second wrapped");
    expect(h.term.cell(selRow + 1, 0).bg).toBe(PALETTE | 3);
    await h.type("y");
    expect(header(h)).not.toContain("[scroll");
    const text = "second wrapped\n$ echo";
    expect(h.term.written).toEqual([`${ESC}]52;c;${Buffer.from(text).toString("base64")}\x07`]);
    expect(h.term.lines().at(-1)).toContain("copied 21 characters");
    await h.type("\x02]");
    expect(h.input()).toBe("second wrapped\r$ echo");
    // A program that asked for bracketed paste gets it bracketed.
    h.frame(1, textFrame(["$ "], 40, 10, { bracketedPaste: true }));
    await h.type("\x02]");
    expect(h.input()).toBe(`second wrapped\r$ echo${ESC}[200~second wrapped\r$ echo${ESC}[201~`);
  });

  it("copies a rectangle (C-v), and Escape clears a selection before it leaves", async () => {
    h = await appHarness();
    h.frame(1, textFrame(["abcdef", "ghijkl", "mnopqr", "$ "], 40, 10));
    await h.type("\x02[kkk0llv");
    await h.type(`${ESC}`);
    expect(header(h)).toContain("[scroll 0/0]");
    expect(header(h)).not.toContain("[sel]");
    await h.type("v\x16jjly");
    expect(h.term.written.at(-1)).toBe(`${ESC}]52;c;${Buffer.from("cd\nij\nop").toString("base64")}\x07`);
  });

  it("searches down and up, highlights every match in view, and goes round the ends", async () => {
    h = await appHarness();
    h.scroll(1, ["foo 1", "bar", "foo 2", "baz"]);
    h.frame(1, textFrame(["foo 3", "$ "], 40, 10));
    await h.type("\x02[");
    await h.type("/foo\r");
    // Down from the prompt: nothing below, round to the top: "foo 1".
    expect(h.term.lines().at(-1)).toContain("search wrapped to the top: foo");
    let rows = leftRows(h);
    const at1 = rows.indexOf("foo 1");
    expect(h.term.cursor).toEqual({ row: at1 + 1, col: 0 });
    // Every match in view is highlighted, the current one apart.
    expect(h.term.cell(at1 + 1, 0).bg).toBe(PALETTE | 5);
    expect(h.term.cell(rows.indexOf("foo 2") + 1, 1).bg).toBe(PALETTE | 6);
    expect(h.term.cell(rows.indexOf("foo 3") + 1, 2).bg).toBe(PALETTE | 6);
    expect(h.term.cell(rows.indexOf("bar") + 1, 0).bg).toBe(0);
    await h.type("n");
    rows = leftRows(h);
    expect(h.term.cursor?.row).toBe(rows.indexOf("foo 2") + 1);
    await h.type("N");
    expect(h.term.cursor?.row).toBe(rows.indexOf("foo 1") + 1);
    await h.type("N");
    expect(h.term.lines().at(-1)).toContain("search wrapped to the bottom: foo");
    expect(h.term.cursor?.row).toBe(rows.indexOf("foo 3") + 1);
    // Upper case in the search: case matters (smart case).
    await h.type("?FOO\r");
    expect(h.term.lines().at(-1)).toContain("not found: FOO");
  });

  it("passes a session's OSC 52 on to the terminal once it changes, and not the old one at attach", async () => {
    h = await appHarness();
    // A pane whose first screen here carries what was copied before this client attached.
    h.server({ t: "pane", info: paneInfo(3) });
    h.frame(3, textFrame(["$ "], 40, 10, { clipboard: "b2xk" }));
    await h.settle();
    expect(h.term.written).toEqual([]);
    h.frame(3, textFrame(["$ "], 40, 10, { clipboard: "aGVsbG8=" }));
    await h.settle();
    expect(h.term.written).toEqual([`${ESC}]52;c;aGVsbG8=\x07`]);
  });

  it("keeps the clipboard alone with setClipboard off (and the sessions' with external)", async () => {
    h = await appHarness({ config: { setClipboard: "external" } });
    h.frame(1, textFrame(["abc"], 40, 10, { clipboard: "" }));
    h.frame(1, textFrame(["abc"], 40, 10, { clipboard: "aGVsbG8=" }));
    await h.type("\x02[0vly");
    expect(h.term.written).toEqual([`${ESC}]52;c;${Buffer.from("ab").toString("base64")}\x07`]);
    h.end();
    h = await appHarness({ config: { setClipboard: "off" } });
    h.frame(1, textFrame(["abc"], 40, 10));
    await h.type("\x02[0vly\x02]");
    expect(h.term.written).toEqual([]);
    expect(h.input()).toBe("ab");
  });

  it("has tmux's emacs keys with modeKeys emacs", async () => {
    h = await appHarness({ config: { modeKeys: "emacs" } });
    h.frame(1, textFrame(["hello world", "$ "], 40, 10));
    await h.type(`\x02[\x10\x01\x00${ESC}f${ESC}w`);
    expect(h.term.written.at(-1)).toBe(`${ESC}]52;c;${Buffer.from("hello").toString("base64")}\x07`);
  });
});

describe("mosh-mux TUI: borders and the status line", () => {
  it("draws inactive borders in the terminal's own colours and the focused pane's in green", async () => {
    h = await appHarness({ cols: 62, panes: 3, focus: 1 });
    // Panes 20 wide: borders at columns 20 and 41; the first is the focused pane's.
    for (const y of [1, 5, 10]) {
      expect(h.term.cell(y, 20)).toEqual({ ch: "│", attrs: 0, fg: PALETTE | 2, bg: 0 });
      expect(h.term.cell(y, 41)).toEqual({ ch: "│", attrs: 0, fg: 0, bg: 0 });
    }
    // The unfocused headers' fill too.
    expect(h.term.cell(0, 60)).toEqual({ ch: "─", attrs: 0, fg: 0, bg: 0 });
    expect(h.term.cell(0, 19).attrs & Attr.bold).toBe(Attr.bold);
  });

  it("shows every pane on the status line with 6, 12 and 30 panes, shortening entries instead of cutting them", async () => {
    for (const n of [6, 12, 30]) {
      h = await appHarness({ cols: 80, panes: n, focus: Math.min(4, n) });
      for (let id = 1; id <= n; id++)
        h.server({ t: "pane", info: paneInfo(id, { label: `web-server-${id}.example.org`, rtt: 20 + id }) });
      h.server({ t: "pane", info: paneInfo(3, { state: "stalled", stalledSince: Date.now() - 5000 }) });
      await h.settle();
      const status = h.term.lines().at(-1) ?? "";
      expect([...status].length).toBeLessThanOrEqual(80);
      if (n <= 12)
        for (let id = 1; id <= n; id++) expect(status).toMatch(new RegExp(`(^|[ │])${id}([: !]|$)`));
      else expect(status).toMatch(/ \+\d+$/);
      // The focused pane and the stalled one are always there.
      expect(status).toMatch(/ 4[: ]/);
      expect(status).toMatch(/ 3[: !]/);
      h.end();
    }
  });
});
