import { describe, expect, it } from "vitest";
import { Attr, paletteColor, rgbColor } from "../sdk/terminal/frame.js";
import { BLESSED_DEFAULT, BlessedFlag, blessedAttr, blessedColor, nearest256 } from "./cell-style.js";

describe("cell style", () => {
  it("maps palette, default and truecolor colours", () => {
    expect(blessedColor(0)).toBe(BLESSED_DEFAULT);
    expect(blessedColor(paletteColor(208))).toBe(208);
    expect(blessedColor(rgbColor(255, 0, 0))).toBe(196);
    expect(nearest256(0x000000)).toBe(16);
    expect(nearest256(0xffffff)).toBe(231);
    expect(nearest256(0x808080)).toBe(244);
    expect(nearest256(0x5f87af)).toBe(67);
  });

  it("packs attributes as blessed does", () => {
    const a = blessedAttr(Attr.bold | Attr.underline | Attr.inverse | Attr.italic, paletteColor(1), 0);
    expect(a >> 18).toBe(BlessedFlag.bold | BlessedFlag.underline | BlessedFlag.inverse);
    expect((a >> 9) & 0x1ff).toBe(1);
    expect(a & 0x1ff).toBe(BLESSED_DEFAULT);
  });
});
