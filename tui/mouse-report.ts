// Mouse reports for a pane's program, in the encoding it asked for (X10, UTF-8, SGR or urxvt), with coordinates relative to the pane.
import type { Frame } from "../sdk/terminal/frame.js";

/**
 * The report of mouse button `button` (64 wheel up, 65 wheel down, ...) pressed at cell (x, y)
 * of a pane's screen (0-based), as the program's mouse mode and encoding ask; "" when it asked
 * for none or the position cannot be encoded (here X10 stops at 95).
 */
export function mouseReport(frame: Frame, button: number, x: number, y: number): string {
  if (frame.mouseMode === 0) return "";
  const cx = x + 1;
  const cy = y + 1;
  switch (frame.mouseEncoding) {
    case 1006:
      return `\x1b[<${button};${cx};${cy}M`;
    case 1015:
      return `\x1b[${button + 32};${cx};${cy}M`;
    case 1005:
      return `\x1b[M${String.fromCodePoint(32 + button, 32 + cx, 32 + cy)}`;
    default:
      // One byte each, and input goes out as UTF-8: positions past 95 are not reported.
      return cx > 95 || cy > 95 ? "" : `\x1b[M${String.fromCharCode(32 + button, 32 + cx, 32 + cy)}`;
  }
}
