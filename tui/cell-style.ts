// A cell's style (attributes, colours in Frame's encoding) as SGR for the outer terminal's capabilities: truecolor as is, else the nearest of 256, 16 or 8 colours; italic and dim only where the terminal has them.

import { sgrAttrParams } from "../sdk/terminal/display-diff.js";
import { Attr, type Color, PALETTE, RGB } from "../sdk/terminal/frame.js";
import type { TerminalCaps } from "./terminal-caps.js";

/** A cell's look: {@link Attr} bits and foreground/background in Frame's colour encoding (0 = default). */
export interface CellStyle {
  readonly attrs: number;
  readonly fg: Color;
  readonly bg: Color;
}

/** A style from attributes and palette indices (-1 for the default colour). */
export function style(attrs: number, fg = -1, bg = -1): CellStyle {
  return { attrs, fg: fg < 0 ? 0 : PALETTE | fg, bg: bg < 0 ? 0 : PALETTE | bg };
}

/** The default look (the terminal's own foreground and background). */
export const PLAIN: CellStyle = style(0);

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
  const cubeDist = (r - CUBE[ri]) ** 2 + (g - CUBE[gi]) ** 2 + (b - CUBE[bi]) ** 2;
  const avg = Math.round((r + g + b) / 3);
  const gi2 = avg > 238 ? 23 : Math.max(Math.round((avg - 8) / 10), 0);
  const grey = 8 + gi2 * 10;
  const greyDist = (r - grey) ** 2 + (g - grey) ** 2 + (b - grey) ** 2;
  return greyDist < cubeDist ? 232 + gi2 : 16 + 36 * ri + 6 * gi + bi;
}

/** xterm's default colours 0-15. */
const BASIC16 = [
  0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000,
  0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
];

/** The RGB value of xterm-256 palette entry `i`. */
export function paletteRgb(i: number): number {
  if (i < 16) return BASIC16[i];
  if (i >= 232) {
    const v = 8 + (i - 232) * 10;
    return (v << 16) | (v << 8) | v;
  }
  const n = i - 16;
  return (CUBE[Math.floor(n / 36)] << 16) | (CUBE[Math.floor(n / 6) % 6] << 8) | CUBE[n % 6];
}

/** The palette index 0-15 nearest to an RGB colour (by distance to xterm's default colours). */
export function nearest16(rgb: number): number {
  const r = (rgb >> 16) & 0xff;
  const g = (rgb >> 8) & 0xff;
  const b = rgb & 0xff;
  let best = 0;
  let bestDist = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 16; i++) {
    const c = BASIC16[i];
    const d = (r - ((c >> 16) & 0xff)) ** 2 + (g - ((c >> 8) & 0xff)) ** 2 + (b - (c & 0xff)) ** 2;
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  return best;
}

/** A colour as the terminal can show it: unchanged, a 256-palette index, or one of 16 (PALETTE | n); 0 stays default. */
export function reduceColor(c: Color, colors: number): Color {
  if (c === 0 || colors >= 0x1000000) return c;
  if (c & RGB) return PALETTE | (colors >= 256 ? nearest256(c & 0xffffff) : nearest16(c & 0xffffff));
  const n = c & 0xff;
  if (colors >= 256 || n < 16) return c;
  return PALETTE | nearest16(paletteRgb(n));
}

function colorParams(c: Color, basic: number, bright: number, extended: number): string {
  if (c & RGB) return `;${extended};2;${(c >> 16) & 0xff};${(c >> 8) & 0xff};${c & 0xff}`;
  const n = c & 0xff;
  if (n < 8) return `;${basic + n}`;
  if (n < 16) return `;${bright + n - 8}`;
  return `;${extended};5;${n}`;
}

/**
 * The SGR sequence (always from a reset, `ESC[0;...m`) that draws `attrs`, `fg`, `bg` on a
 * terminal with `caps`: colours reduced to what it shows (on 8 colours a bright foreground is
 * the basic one in bold, as tmux draws it; without colours a coloured background is shown
 * inverse); italic and dim dropped where it has none.
 */
export function sgr(attrs: number, fg: Color, bg: Color, caps: TerminalCaps): string {
  let a = attrs;
  let f = reduceColor(fg, caps.colors);
  let b = reduceColor(bg, caps.colors);
  if (caps.colors === 0) {
    if (b !== 0) a ^= Attr.inverse;
    f = 0;
    b = 0;
  } else if (caps.colors < 16) {
    if (f !== 0 && !(f & RGB) && (f & 0xff) >= 8) {
      f = PALETTE | ((f & 0xff) - 8);
      a |= Attr.bold;
    }
    if (b !== 0 && !(b & RGB) && (b & 0xff) >= 8) b = PALETTE | ((b & 0xff) - 8);
  }
  if (!caps.italic) a &= ~Attr.italic;
  if (!caps.dim) a &= ~Attr.dim;
  let s = `\x1b[0${sgrAttrParams(a)}`;
  if (f !== 0) s += colorParams(f, 30, 90, 38);
  if (b !== 0) s += colorParams(b, 40, 100, 48);
  return `${s}m`;
}
