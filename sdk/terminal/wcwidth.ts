// Character widths as mosh's peer computes them (glibc 2.36 wcwidth plus mosh's ISO 8859-1 rule), and an xterm width provider.
import type { IUnicodeVersionProvider } from "@xterm/headless";
import { UNPRINTABLE_RANGES, WCWIDTH_SOURCE, WIDE_RANGES, ZERO_WIDTH_RANGES } from "./wcwidth-table.js";

/** Sorted range starts, ends and widths of every code point whose width is not 1. */
const starts: Uint32Array = new Uint32Array(
  (ZERO_WIDTH_RANGES.length + WIDE_RANGES.length + UNPRINTABLE_RANGES.length) / 2,
);
const ends: Uint32Array = new Uint32Array(starts.length);
const widths: Int8Array = new Int8Array(starts.length);
/** Width of every BMP code point, for O(1) lookup (index = code point). */
const bmp: Int8Array = new Int8Array(0x10000);

function buildTables(): void {
  const all: [number, number, number][] = [];
  const add = (list: readonly number[], w: number) => {
    for (let i = 0; i < list.length; i += 2) all.push([list[i], list[i + 1], w]);
  };
  add(ZERO_WIDTH_RANGES, 0);
  add(WIDE_RANGES, 2);
  add(UNPRINTABLE_RANGES, -1);
  all.sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < all.length; i++) {
    starts[i] = all[i][0];
    ends[i] = all[i][1];
    widths[i] = all[i][2];
  }
  bmp.fill(1);
  for (let i = 0; i < all.length && all[i][0] < 0x10000; i++) {
    bmp.fill(all[i][2], all[i][0], Math.min(all[i][1], 0xffff) + 1);
  }
  // mosh: printable ISO 8859-1 is always width 1, whatever the C library says.
  bmp.fill(1, 0x20, 0x7f);
  bmp.fill(1, 0xa0, 0x100);
}
buildTables();

/**
 * The display width of a code point as mosh computes it: U+0020–007E and U+00A0–00FF are 1,
 * everything else is glibc 2.36's `wcwidth()` (Unicode 14): -1 unprintable (mosh drops it),
 * 0 combining, 1 narrow, 2 wide.
 */
export function wcwidth(cp: number): -1 | 0 | 1 | 2 {
  if (cp < 0x10000) {
    if (cp >= 0x20 && cp < 0x7f) return 1;
    return bmp[cp] as -1 | 0 | 1 | 2;
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp > ends[mid]) lo = mid + 1;
    else if (cp < starts[mid]) hi = mid - 1;
    else return widths[mid] as -1 | 0 | 2;
  }
  return 1;
}

/** The total width of a string, counting unprintable characters as 0 (they are dropped). */
export function stringWidth(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    const w = wcwidth(cp);
    if (w > 0) n += w;
  }
  return n;
}

/** The version name under which {@link moshUnicodeProvider} is registered with xterm. */
export const MOSH_UNICODE_VERSION = `mosh-${WCWIDTH_SOURCE.replace(/\s+/g, "-")}`;

/**
 * xterm's encoding of a character property value (see xterm's `UnicodeService.createPropertyValue`):
 * bit 0 = join with the preceding character, bits 1–2 = width, bits 3+ = a character kind (unused here).
 */
function property(width: number, join: boolean): number {
  return ((width & 3) << 1) | (join ? 1 : 0);
}

/**
 * An xterm Unicode provider with mosh's widths. Characters never form grapheme clusters beyond
 * what mosh does: a width-0 character joins the cell of the character before it, nothing else
 * joins. Unprintable characters (which mosh drops) are treated as width-0 joiners, so they never
 * move the cursor.
 */
export const moshUnicodeProvider: IUnicodeVersionProvider = {
  version: MOSH_UNICODE_VERSION,
  wcwidth(cp: number): 0 | 1 | 2 {
    const w = wcwidth(cp);
    return w === -1 ? 0 : w;
  },
  charProperties(cp: number, _preceding: number): number {
    const w = wcwidth(cp);
    if (w > 0) return property(w, false);
    // Width 0 or unprintable: join the cell before the cursor. Width 0 leaves that cell's width
    // alone (xterm's own provider passes the preceding width, which can widen a narrow cell
    // when the preceding character was a wide one that autowrap-off dropped).
    return property(0, true);
  },
};

/** The minimal part of an xterm Terminal needed to install the provider. */
interface UnicodeHost {
  readonly unicode: { register(provider: IUnicodeVersionProvider): void; activeVersion: string };
}

/** Registers {@link moshUnicodeProvider} on an xterm terminal and makes it the active version. */
export function installMoshWidths(term: UnicodeHost): void {
  term.unicode.register(moshUnicodeProvider);
  term.unicode.activeVersion = MOSH_UNICODE_VERSION;
}
