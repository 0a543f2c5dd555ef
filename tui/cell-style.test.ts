import { describe, expect, it } from "vitest";
import { Attr, paletteColor, rgbColor } from "../sdk/terminal/frame.js";
import { nearest16, nearest256, paletteRgb, reduceColor, sgr } from "./cell-style.js";
import { FULL_CAPS, type TerminalCaps } from "./terminal-caps.js";

const caps = (colors: TerminalCaps["colors"], italic = true, dim = true): TerminalCaps => ({
  colors,
  italic,
  dim,
});

describe("cell style", () => {
  it("finds the nearest palette colours", () => {
    expect(nearest256(0x000000)).toBe(16);
    expect(nearest256(0xffffff)).toBe(231);
    expect(nearest256(0x808080)).toBe(244);
    expect(nearest256(0x5f87af)).toBe(67);
    expect(nearest16(0xff0000)).toBe(9);
    expect(nearest16(0x800000)).toBe(1);
    expect(nearest16(0x303030)).toBe(0);
    expect(paletteRgb(196)).toBe(0xff0000);
    expect(paletteRgb(244)).toBe(0x808080);
    expect(reduceColor(paletteColor(196), 16)).toBe(paletteColor(9));
    expect(reduceColor(rgbColor(0, 0, 205), 256)).toBe(paletteColor(20));
    expect(reduceColor(0, 8)).toBe(0);
  });

  it("writes SGR for truecolor, 256, 16 and 8 colours", () => {
    const red = rgbColor(255, 0, 0);
    const orange = paletteColor(208);
    expect(sgr(Attr.bold | Attr.italic | Attr.dim, red, orange, FULL_CAPS)).toBe(
      "\x1b[0;1;2;3;38;2;255;0;0;48;5;208m",
    );
    expect(sgr(0, red, orange, caps(256))).toBe("\x1b[0;38;5;196;48;5;208m");
    expect(sgr(0, red, paletteColor(4), caps(16))).toBe("\x1b[0;91;44m");
    // 8 colours: a bright foreground is the basic one in bold; a bright background the basic one.
    expect(sgr(0, red, paletteColor(12), caps(8))).toBe("\x1b[0;1;31;44m");
    expect(sgr(Attr.underline, paletteColor(2), 0, caps(8))).toBe("\x1b[0;4;32m");
  });

  it("drops italic and dim where the terminal has none, and shows coloured backgrounds inverse without colours", () => {
    expect(sgr(Attr.italic | Attr.dim | Attr.bold, 0, 0, caps(256, false, false))).toBe("\x1b[0;1m");
    expect(sgr(0, paletteColor(7), paletteColor(4), caps(0))).toBe("\x1b[0;7m");
    expect(sgr(Attr.inverse, 0, paletteColor(4), caps(0))).toBe("\x1b[0m");
  });
});
