// Maps a Frame cell's colours and attributes to blessed's packed cell attribute (256 colours, no truecolor/italic/dim).
import { Attr, PALETTE, RGB } from "../sdk/terminal/frame.js";

/** blessed's "default colour" value in a packed attribute. */
export const BLESSED_DEFAULT = 0x1ff;

/** blessed's flag bits (attribute >> 18). */
export const BlessedFlag = { bold: 1, underline: 2, blink: 4, inverse: 8, invisible: 16 } as const;

const CUBE = [0, 95, 135, 175, 215, 255];

function cubeIndex(v: number): number {
  if (v < 48) return 0;
  if (v < 115) return 1;
  return Math.min(Math.floor((v - 35) / 40), 5);
}

/** The xterm-256 palette index nearest to an RGB colour (6x6x6 cube or the grey ramp, whichever is closer). */
export function nearest256(rgb: number): number {
  const r = (rgb >> 16) & 0xff;
  const g = (rgb >> 8) & 0xff;
  const b = rgb & 0xff;
  const ri = cubeIndex(r);
  const gi = cubeIndex(g);
  const bi = cubeIndex(b);
  const cr = CUBE[ri];
  const cg = CUBE[gi];
  const cb = CUBE[bi];
  const cubeDist = (r - cr) ** 2 + (g - cg) ** 2 + (b - cb) ** 2;
  const avg = Math.round((r + g + b) / 3);
  const gi2 = avg > 238 ? 23 : Math.max(Math.round((avg - 8) / 10), 0);
  const grey = 8 + gi2 * 10;
  const greyDist = (r - grey) ** 2 + (g - grey) ** 2 + (b - grey) ** 2;
  return greyDist < cubeDist ? 232 + gi2 : 16 + 36 * ri + 6 * gi + bi;
}

const rgbCache = new Map<number, number>();

/** A Frame colour as blessed's 9-bit colour field. */
export function blessedColor(c: number): number {
  if (c & PALETTE) return c & 0xff;
  if (c & RGB) {
    let v = rgbCache.get(c);
    if (v === undefined) {
      v = nearest256(c & 0xffffff);
      if (rgbCache.size < 4096) rgbCache.set(c, v);
    }
    return v;
  }
  return BLESSED_DEFAULT;
}

/**
 * The packed blessed attribute of a cell: `flags << 18 | fg << 9 | bg`. Italic shows as
 * underline-free plain text (blessed cannot show it); dim is dropped; `extraFlags` are OR-ed in
 * (the prediction underline).
 */
export function blessedAttr(attrs: number, fg: number, bg: number, extraFlags = 0): number {
  let flags = extraFlags;
  if (attrs & Attr.bold) flags |= BlessedFlag.bold;
  if (attrs & Attr.underline) flags |= BlessedFlag.underline;
  if (attrs & Attr.blink) flags |= BlessedFlag.blink;
  if (attrs & Attr.inverse) flags |= BlessedFlag.inverse;
  if (attrs & Attr.invisible) flags |= BlessedFlag.invisible;
  return (flags << 18) | (blessedColor(fg) << 9) | blessedColor(bg);
}

/** A packed attribute from flags and palette colours (BLESSED_DEFAULT for the default colour). */
export function packAttr(flags: number, fg: number, bg: number): number {
  return (flags << 18) | (fg << 9) | bg;
}
