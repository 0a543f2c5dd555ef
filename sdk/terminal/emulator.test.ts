// Tests of the xterm emulator adapter: what appears in a snapshot, replies, row sharing, load.
import { afterEach, describe, expect, it } from "vitest";
import { Emulator } from "./emulator.js";
import { Attr, frameEquals, paletteColor, rgbColor } from "./frame.js";

const emulators: Emulator[] = [];
function make(cols = 20, rows = 5): Emulator {
  const e = new Emulator(cols, rows);
  emulators.push(e);
  return e;
}
afterEach(() => {
  for (const e of emulators.splice(0)) e.dispose();
});

describe("Emulator snapshot", () => {
  it("records 16, 256 and truecolor colours and attributes", async () => {
    const e = make();
    await e.write("\x1b[31mA\x1b[38;5;200mB\x1b[38;2;1;2;3mC\x1b[0;44mD\x1b[91;102mE\x1b[0m");
    await e.write("\x1b[1mb\x1b[0;4mu\x1b[0;7mi\x1b[0;3;5;8mx\x1b[0;2md\x1b[0m");
    const r = e.snapshot().row(0);
    expect([...r.fg.slice(0, 5)]).toEqual([
      paletteColor(1),
      paletteColor(200),
      rgbColor(1, 2, 3),
      0,
      paletteColor(9),
    ]);
    expect([...r.bg.slice(0, 5)]).toEqual([0, 0, 0, paletteColor(4), paletteColor(10)]);
    expect(r.cellAttrs(5)).toBe(Attr.bold);
    expect(r.cellAttrs(6)).toBe(Attr.underline);
    expect(r.cellAttrs(7)).toBe(Attr.inverse);
    expect(r.cellAttrs(8)).toBe(Attr.italic | Attr.blink | Attr.invisible);
    expect(r.cellAttrs(9)).toBe(Attr.dim);
    expect(r.toString()).toBe("ABCDEbuixd");
  });

  it("keeps only the background of erased cells", async () => {
    const e = make(10, 2);
    await e.write("\x1b[1;31;44mab\x1b[K\x1b[0m");
    const r = e.snapshot().row(0);
    expect(r.cellEmpty(2)).toBe(true);
    expect(r.bg[2]).toBe(paletteColor(4));
    expect(r.fg[2]).toBe(0);
    expect(r.cellAttrs(2)).toBe(0);
    expect(r.cellAttrs(0)).toBe(Attr.bold);
  });

  it("records wide, emoji and combining characters", async () => {
    const e = make(10, 2);
    await e.write("中😀e\u0301\r\n\u0301x");
    const f = e.snapshot();
    const r = f.row(0);
    expect(r.cellText(0)).toBe("中");
    expect(r.cellWidth(0)).toBe(2);
    expect(r.cellWidth(1)).toBe(0);
    expect(r.cellText(2)).toBe("😀");
    expect(r.cellWidth(2)).toBe(2);
    expect(r.cellText(4)).toBe("e\u0301");
    expect(f.lines()[0]).toBe("中😀e\u0301");
    // A lone combining character becomes mosh's fallback cell: NBSP + the character.
    expect(f.row(1).cellText(0)).toBe("\u00a0\u0301");
    expect(f.row(1).cellText(1)).toBe("x");
  });

  it("records titles, icon name, bell, clipboard and modes", async () => {
    const e = make();
    expect(e.snapshot().titleSet).toBe(false);
    await e.write("\x1b]0;both\x07");
    let f = e.snapshot();
    expect([f.title, f.iconName, f.titleSet]).toEqual(["both", "both", true]);
    await e.write("\x1b]2;win\x1b\\\x1b]1;icon\x07\x07\x07");
    f = e.snapshot();
    expect([f.title, f.iconName, f.bellCount]).toEqual(["win", "icon", 2]);
    await e.write(`\x1b]2;${"t".repeat(300)}\x07`);
    expect(e.snapshot().title.length).toBe(254);
    await e.write("\x1b]52;c;aGVsbG8=\x07\x1b]52;p;ignored\x07");
    expect(e.snapshot().clipboard).toBe("aGVsbG8=");
    await e.write("\x1b[?25l\x1b[?5h\x1b[?2004h\x1b[?1001h\x1b[?1015h\x1b[?1004h");
    f = e.snapshot();
    expect(f.cursorVisible).toBe(false);
    expect(f.reverseVideo).toBe(true);
    expect(f.bracketedPaste).toBe(true);
    expect(f.mouseMode).toBe(1001);
    expect(f.mouseEncoding).toBe(1015);
    expect(f.focusEvents).toBe(true);
    await e.write("\x1b[?1000h\x1b[?1006h");
    expect([e.snapshot().mouseMode, e.snapshot().mouseEncoding]).toEqual([1000, 1006]);
    await e.write("\x1b[?1003l\x1b[?1005l\x1b[?25h");
    f = e.snapshot();
    expect([f.mouseMode, f.mouseEncoding, f.cursorVisible]).toEqual([0, 0, true]);
    await e.write("\x1b[?25l\x1bc");
    f = e.snapshot();
    expect([f.title, f.clipboard, f.cursorVisible, f.reverseVideo, f.bracketedPaste, f.bellCount]).toEqual([
      "",
      "",
      true,
      false,
      false,
      2,
    ]);
  });

  it("shows the alternate screen and restores the normal one", async () => {
    const e = make(10, 3);
    await e.write("main");
    await e.write("\x1b[?1049h\x1b[Halt");
    expect(e.snapshot().lines()).toEqual(["alt", "", ""]);
    await e.write("\x1b[?1049l");
    const f = e.snapshot();
    expect(f.lines()).toEqual(["main", "", ""]);
    expect(f.cursorCol).toBe(4);
  });

  it("marks soft-wrapped rows and reports a pending wrap as the last column", async () => {
    const e = make(5, 3);
    await e.write("abcdefg\r\n12345");
    const f = e.snapshot();
    expect(f.row(0).wrap).toBe(true);
    expect(f.row(1).wrap).toBe(false);
    expect(f.lines()).toEqual(["abcde", "fg", "12345"]);
    expect([f.cursorRow, f.cursorCol]).toEqual([2, 4]);
  });

  it("shares unchanged rows between snapshots", async () => {
    const e = make(10, 4);
    await e.write("one\r\ntwo\r\nthree");
    const a = e.snapshot();
    const b = e.snapshot();
    for (let y = 0; y < 4; y++) expect(b.row(y)).toBe(a.row(y));
    await e.write("\x1b[2;1Hxx");
    const c = e.snapshot();
    expect(c.row(0)).toBe(a.row(0));
    expect(c.row(1)).not.toBe(a.row(1));
    expect(c.row(2)).toBe(a.row(2));
    // After a scroll the moved rows are still shared.
    await e.write("\x1b[4;1H\n");
    const d = e.snapshot();
    expect(d.row(0)).toBe(c.row(1));
    expect(d.row(1)).toBe(c.row(2));
  });

  it("answers queries as mosh-server does", async () => {
    const e = make(10, 5);
    const replies: string[] = [];
    const off = e.onReply((r) => replies.push(r));
    await e.write("\x1b[3;4H\x1b[c\x1b[>c\x1b[5n\x1b[6n\x1b[?6n\x1b[0c");
    off();
    await e.write("\x1b[c");
    expect(replies).toEqual(["\x1b[?62c", "\x1b[>1;10;0c", "\x1b[0n", "\x1b[3;4R", "\x1b[?62c"]);
  });

  it("loads a frame exactly, keeping the bell count", async () => {
    const e = make(12, 4);
    await e.write("\x1b]2;ti\x07\x07\x1b[1;33mhi\x1b[0m\r\n\x1b[48;5;20m  \x1b[0m中\x1b[?25l\x1b[?2004h");
    const f = e.snapshot();
    const g = make(5, 5);
    await g.load(f);
    const h = g.snapshot();
    expect(frameEquals(h, f)).toBe(true);
    expect(h.bellCount).toBe(1);
    g.reset();
    expect(g.snapshot().bellCount).toBe(1);
    expect(g.snapshot().titleSet).toBe(false);
    await g.write("\x07");
    expect(g.snapshot().bellCount).toBe(2);
  });

  it("resizes", async () => {
    const e = make(10, 3);
    await e.write("hello");
    e.resize(6, 4);
    const f = e.snapshot();
    expect([f.cols, f.rows]).toEqual([6, 4]);
    expect(f.lines()[0]).toBe("hello");
  });
});

describe("Emulator robustness", () => {
  it("survives ED 1 in the bottom-right corner (an xterm 6.0 crash)", async () => {
    const e = make(4, 2);
    await e.write("abcdefgh\x1b[1J");
    expect(e.snapshot().lines()).toEqual(["", ""]);
    await e.write("\x1b[?1049hxyzwvuts\x1b[1J!");
    expect(e.snapshot().lines()).toEqual(["", "!"]); // the pending wrap survives the erase
    await e.write("\x1b[?1049l\x1b[1;1Habcd\x1b[1J");
    expect(e.snapshot().lines()).toEqual(["", ""]);
  });
});

describe("Emulator lifecycle", () => {
  it("settles pending writes on dispose and rejects later ones", async () => {
    const e = new Emulator(10, 2);
    const pending = e.write("x".repeat(100_000));
    e.dispose();
    await expect(pending).resolves.toBeUndefined();
    await expect(e.write("y")).rejects.toThrow(/disposed/);
  });
});
