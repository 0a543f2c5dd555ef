// Compares two screens as a user sees them: a blank written as a space equals an empty cell (mosh's diffs paint short blank runs with spaces).
import type { Frame, Row } from "../../sdk/terminal/frame.js";

function cellKey(row: Row, x: number): string {
  let text = row.cellText(x);
  const attrs = row.cellAttrs(x);
  let fg = row.fg[x];
  if (text === " " && attrs === 0) text = "";
  if (text === "") fg = 0;
  return `${JSON.stringify(text)}/${row.cellWidth(x)}/${attrs}/${fg}/${row.bg[x]}`;
}

/** Human-readable differences between two screens (empty when they look the same), at most `limit` of them. */
export function visibleDifferences(a: Frame, b: Frame, limit = 20): string[] {
  const out: string[] = [];
  if (a.cols !== b.cols || a.rows !== b.rows) return [`size ${a.cols}x${a.rows} != ${b.cols}x${b.rows}`];
  const fields = [
    "cursorRow",
    "cursorCol",
    "cursorVisible",
    "title",
    "bracketedPaste",
    "mouseMode",
    "reverseVideo",
  ] as const;
  for (const f of fields) if (a[f] !== b[f]) out.push(`${f}: ${String(a[f])} != ${String(b[f])}`);
  for (let y = 0; y < a.rows && out.length < limit; y++) {
    const ra = a.grid[y];
    const rb = b.grid[y];
    if (ra === rb) continue;
    for (let x = 0; x < a.cols && out.length < limit; x++) {
      const ka = cellKey(ra, x);
      const kb = cellKey(rb, x);
      if (ka !== kb) out.push(`cell ${y},${x}: ${ka} != ${kb}`);
    }
  }
  return out;
}
