// Byte-level tests of the frame-diff generator against docs/mosh-protocol.md §9 and §11.6.
import { afterEach, describe, expect, it } from "vitest";
import { displayDiff, fullRepaint, HOST_DISPLAY, sgr } from "./display-diff.js";
import { Emulator } from "./emulator.js";
import { Attr, blankFrame, type Frame, paletteColor, RowBuilder, rgbColor } from "./frame.js";

const emulators: Emulator[] = [];
afterEach(() => {
  for (const e of emulators.splice(0)) e.dispose();
});

/** Snapshots of an emulator after each chunk of output. */
async function frames(cols: number, rows: number, ...chunks: string[]): Promise<Frame[]> {
  const e = new Emulator(cols, rows);
  emulators.push(e);
  const out: Frame[] = [];
  for (const c of chunks) {
    await e.write(c);
    out.push(e.snapshot());
  }
  return out;
}

describe("sgr", () => {
  it("is always reset-then-set, in mosh's order", () => {
    expect(sgr(Attr.bold, paletteColor(1), 0)).toBe("\x1b[0;1;31m");
    expect(sgr(0, 0, 0)).toBe("\x1b[0m");
    expect(sgr(Attr.bold, rgbColor(10, 20, 30), 0)).toBe("\x1b[0;1;38;2;10;20;30m");
    expect(sgr(0, paletteColor(9), paletteColor(200))).toBe("\x1b[0;38;5;9;48;5;200m");
    expect(
      sgr(Attr.invisible | Attr.inverse | Attr.blink | Attr.underline | Attr.italic | Attr.bold, 0, 0),
    ).toBe("\x1b[0;1;3;4;5;7;8m");
    // The notification bar (§14.1): blank cells 37;44, text bold.
    expect(sgr(0, paletteColor(7), paletteColor(4))).toBe("\x1b[0;37;44m");
    expect(sgr(Attr.bold, paletteColor(7), paletteColor(4))).toBe("\x1b[0;1;37;44m");
  });
});

describe("displayDiff", () => {
  it("paints a blank frame as mosh-client's first frame", () => {
    const s = fullRepaint(blankFrame(4, 2));
    expect(s).toBe(
      "\x1b[?5l\x1b[r\x1b[0m\x1b[H\x1b[2J\x1b[?25l" +
        "\x1b[K\n\x1b[K" +
        "\x1b[1;1H\x1b[?25h\x1b[0m\x1b[?2004l" +
        "\x1b[?1003l\x1b[?1002l\x1b[?1001l\x1b[?1000l\x1b[?1004l\x1b[?1015l\x1b[?1006l\x1b[?1005l",
    );
  });

  it("emits nothing for equal frames", async () => {
    const [a, b] = await frames(10, 4, "\x1b]0;t\x07hello\x1b[31mred\x07", "");
    expect(displayDiff(a, a, HOST_DISPLAY)).toBe("");
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("");
  });

  it("scrolls with CR and line feeds when the cursor is on the bottom row", async () => {
    const [a, b] = await frames(10, 5, "l1\r\nl2\r\nl3\r\nl4\r\nl5", "\r\nl6\r\nl7");
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("\x1b[0m\r\n\n\x1b[?25l\x1b[4;1Hl6\r\nl7\x1b[?25h");
  });

  it("scrolls inside a region when the bottom rows differ", async () => {
    const [a, b] = await frames(
      10,
      5,
      "l1\r\nl2\r\nl3\r\nl4\x1b[5;1Hstatus",
      "\x1b[1;4r\x1b[4;1H\nl5\x1b[r\x1b[5;1Hstatus2",
    );
    // The new top row l2 was old row 1: k = 1, h = 3 (l2 l3 l4), region rows 1..4.
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe(
      "\x1b[0m\x1b[1;4r\x1b[?25l\x1b[4;1H\n\x1b[r\x1b[4;1Hl5\x1b[5;7H2\x1b[?25h",
    );
  });

  it("uses ECH for more than 4 blanks and spaces otherwise", async () => {
    const [a, b, c] = await frames(10, 2, "abcdefghij", "\x1b[1;2H\x1b[6X", "\x1b[1;9Hxy\x1b[1;2H");
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("\x1b[?25l\x1b[1;2H\x1b[6X\x1b[1;8Hh\x1b[1;2H\x1b[?25h");
    const [d, e] = await frames(10, 2, "abcdefghij\x1b[1;1H", "\x1b[1;2H\x1b[3X\x1b[1;1H");
    expect(displayDiff(d, e, HOST_DISPLAY)).toBe("\x1b[?25l\x1b[1;2H   e\r\x1b[?25h");
    // Without ECH the long run is spaces too.
    expect(displayDiff(a, b, { ech: false, bce: true, titles: true })).toBe(
      "\x1b[?25l\x1b[1;2H      h\x1b[1;2H\x1b[?25h",
    );
    expect(c.row(0).toString()).toBe("a      hxy");
  });

  it("clears to the end of the row with EL", async () => {
    const [a, b] = await frames(10, 2, "abcdefgh\x1b[1;1H", "\x1b[1;4H\x1b[K\x1b[1;1H");
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("\x1b[?25l\x1b[1;4H\x1b[K\r\x1b[?25h");
  });

  it("rings the bell once, sets titles with a prefix, and the clipboard", async () => {
    const [a, b] = await frames(10, 2, "x", "\x07\x07\x07\x1b]0;mytitle\x07\x1b]52;c;Zm9v\x07");
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("\x07\x1b]0;mytitle\x07\x1b]52;c;Zm9v\x07");
    expect(displayDiff(a, b, { ech: true, bce: true, titles: true, titlePrefix: "[mosh] " })).toBe(
      "\x07\x1b]0;[mosh] mytitle\x07\x1b]52;c;Zm9v\x07",
    );
    expect(displayDiff(a, b, { ech: true, bce: true, titles: false })).toBe("\x07\x1b]52;c;Zm9v\x07");
    const [, d] = await frames(10, 2, "\x1b]0;x\x07", "\x1b]1;icon\x07\x1b]2;win\x07");
    expect(displayDiff(b, d, HOST_DISPLAY)).toContain("\x1b]1;icon\x07\x1b]2;win\x07");
  });

  it("sends no title before one was set", () => {
    const a = blankFrame(5, 2);
    expect(fullRepaint(a)).not.toContain("\x1b]");
    expect(fullRepaint(a.with({ titleSet: true, title: "t", iconName: "t" }))).toMatch(
      /^\x1b\]0;t\x07\x1b\[\?5l/,
    );
  });

  it("starts a resized frame with a full repaint", async () => {
    const [a] = await frames(10, 3, "abc");
    const [b] = await frames(12, 3, "abc");
    const s = displayDiff(a, b, HOST_DISPLAY);
    expect(s.startsWith("\x1b[r\x1b[0m\x1b[H\x1b[2J\x1b[?25labc\x1b[K")).toBe(true);
    expect(s).toContain("\x1b[?2004l");
  });

  it("switches mouse modes as mosh does", () => {
    const a = blankFrame(5, 2);
    const b = a.with({ mouseMode: 1002, mouseEncoding: 1006 });
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("\x1b[?1002h\x1b[?1006h");
    const c = b.with({ mouseMode: 1000, mouseEncoding: 1015, focusEvents: true, bracketedPaste: true });
    expect(displayDiff(b, c, HOST_DISPLAY)).toBe(
      "\x1b[?2004h\x1b[?1002l\x1b[?1000h\x1b[?1004h\x1b[?1006l\x1b[?1015h",
    );
    expect(displayDiff(c, a, HOST_DISPLAY)).toBe(
      "\x1b[?2004l\x1b[?1003l\x1b[?1002l\x1b[?1001l\x1b[?1000l\x1b[?1004l\x1b[?1015l\x1b[?1006l\x1b[?1005l",
    );
    expect(displayDiff(a, a.with({ reverseVideo: true, cursorVisible: false }), HOST_DISPLAY)).toBe(
      "\x1b[?5h\x1b[?25l",
    );
  });

  it("prints a wrapping row's last cell by explicit position and lets autowrap carry on", async () => {
    const [a, b] = await frames(5, 3, "", "abcdefg");
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("abcd\x1b[?25l\x1b[1;5Hefg\x1b[?25h");
  });

  it("prints fallback cells as NBSP and the combining character", async () => {
    const [a, b] = await frames(5, 2, "", "\u0301");
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("\u00a0\u0301");
  });

  it("draws overlay rows built with RowBuilder", () => {
    const a = blankFrame(6, 2);
    const bar = new RowBuilder(6);
    for (let x = 0; x < 6; x++)
      bar.setCell(x, x < 2 ? "hi"[x] : "", 1, x < 2 ? Attr.bold : 0, paletteColor(7), paletteColor(4));
    const b = a.with({ cursorRow: 1 }, [bar.build(), a.row(1)]);
    expect(displayDiff(a, b, HOST_DISPLAY)).toBe("\x1b[0;1;37;44mhi\x1b[0;37;44m\x1b[K\r\n\x1b[0m");
  });
});
