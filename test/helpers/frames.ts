// Test helper: lists the differences between two frames, cell by cell, in readable form.
import type { Frame } from "../../sdk/terminal/frame.js";

/** Every difference between `a` and `b` (empty when equal), capped at `max` entries. */
export function frameDifferences(a: Frame, b: Frame, max = 20): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    if (out.length < max) out.push(s);
  };
  if (a.cols !== b.cols || a.rows !== b.rows) {
    add(`size ${a.cols}x${a.rows} != ${b.cols}x${b.rows}`);
    return out;
  }
  if (a.cursorRow !== b.cursorRow || a.cursorCol !== b.cursorCol) {
    add(`cursor ${a.cursorRow},${a.cursorCol} != ${b.cursorRow},${b.cursorCol}`);
  }
  if (a.cursorVisible !== b.cursorVisible) add(`cursor visible ${a.cursorVisible} != ${b.cursorVisible}`);
  if (a.title !== b.title) add(`title ${JSON.stringify(a.title)} != ${JSON.stringify(b.title)}`);
  for (let y = 0; y < a.rows; y++) {
    const ra = a.row(y);
    const rb = b.row(y);
    if (ra.wrap !== rb.wrap) add(`row ${y} wrap ${ra.wrap} != ${rb.wrap}`);
    for (let x = 0; x < a.cols; x++) {
      const ca = [
        ra.cellText(x),
        ra.cellWidth(x),
        ra.cellAttrs(x),
        ra.fg[x].toString(16),
        ra.bg[x].toString(16),
      ];
      const cb = [
        rb.cellText(x),
        rb.cellWidth(x),
        rb.cellAttrs(x),
        rb.fg[x].toString(16),
        rb.bg[x].toString(16),
      ];
      if (ca.join("|") !== cb.join("|"))
        add(`cell ${y},${x}: ${JSON.stringify(ca)} != ${JSON.stringify(cb)}`);
    }
  }
  return out;
}
