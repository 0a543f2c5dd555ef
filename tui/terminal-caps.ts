// What the outer terminal can show (colours, italic, dim), decided from COLORTERM and its terminfo entry, as tmux and ncurses applications decide it.
import { readTerminfo, type TerminfoEntry } from "../sdk/terminal/terminfo.js";

/** Colours a terminal shows: none, 8, 16, 256, or 24-bit. */
export type ColorDepth = 0 | 8 | 16 | 256 | 0x1000000;

/** What mosh-mux may draw on the outer terminal. */
export interface TerminalCaps {
  colors: ColorDepth;
  /** SGR 3 shows italics (terminfo `sitm`). */
  italic: boolean;
  /** SGR 2 shows dim text (terminfo `dim`). */
  dim: boolean;
}

/** A terminal that shows everything. */
export const FULL_CAPS: TerminalCaps = Object.freeze({ colors: 0x1000000, italic: true, dim: true });

function depthOf(n: number): ColorDepth {
  if (n >= 0x1000000) return 0x1000000;
  if (n >= 256) return 256;
  if (n >= 16) return 16;
  if (n >= 8) return 8;
  return 0;
}

/**
 * The capabilities of the terminal `env.TERM` names:
 * - 24-bit colour when its entry says so (`RGB` or tmux's `Tc`, `setrgbf`, or `colors` of 2^24), or
 *   when `COLORTERM` is `truecolor`/`24bit` and the terminal has colours at all, except inside
 *   GNU screen (`STY` without `TMUX`), which passes no 24-bit colour on (tmux does, or reduces it);
 * - else `colors` of its entry (256, 16, 8, or none);
 * - italic and dim when the entry has `sitm` and `dim`.
 * A TERM without an entry gets 256 colours when its name says 256, else 8, and neither italic nor dim.
 */
export function terminalCaps(
  env: NodeJS.ProcessEnv = process.env,
  entry: TerminfoEntry | null = readTerminfo(env),
): TerminalCaps {
  const term = env.TERM ?? "";
  const colorterm = (env.COLORTERM ?? "").toLowerCase();
  const inScreen = env.STY !== undefined && env.TMUX === undefined;
  const saysTruecolor = (colorterm === "truecolor" || colorterm === "24bit") && !inScreen;
  if (!entry) {
    const named = /direct|truecolor|24bit/.test(term) ? 0x1000000 : /256/.test(term) ? 256 : 8;
    return { colors: saysTruecolor ? 0x1000000 : named, italic: false, dim: false };
  }
  let colors = depthOf(entry.colors);
  const rgb = entry.extBooleans.has("RGB") || entry.extBooleans.has("Tc") || entry.extStrings.has("setrgbf");
  if (colors > 0 && (rgb || saysTruecolor)) colors = 0x1000000;
  return { colors, italic: entry.sitm !== "", dim: entry.dim !== "" };
}
