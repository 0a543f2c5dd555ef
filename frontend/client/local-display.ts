// Drawing frames on the user's real terminal with minimal output, and its open/close sequences (docs/mosh-protocol.md §11.6).
import type { EchoPreview } from "../../sdk/client/mosh-session.js";
import { type DisplayOptions, displayDiff } from "../../sdk/terminal/display-diff.js";
import { type Frame, RowBuilder } from "../../sdk/terminal/frame.js";
import { readTerminfo } from "../../sdk/terminal/terminfo.js";

const TITLE_TERMS = /^(xterm|rxvt|kterm|Eterm|alacritty|screen|tmux)/;

/** What the user's terminal supports and wants, from the environment. */
export interface LocalTerminalInfo {
  /** terminfo smcup (enter the alternate screen); empty when MOSH_NO_TERM_INIT is set. */
  smcup: string;
  /** terminfo rmcup (leave the alternate screen); empty when MOSH_NO_TERM_INIT is set. */
  rmcup: string;
  /** Whether window titles are drawn (TERM starts with xterm, rxvt, kterm, Eterm, alacritty, screen or tmux). */
  titles: boolean;
  /** Prefix for the title (`[mosh] ` unless MOSH_TITLE_NOPREFIX is set). */
  titlePrefix: string;
}

/** Reads {@link LocalTerminalInfo} from environment variables as mosh-client does. */
export function localTerminalInfo(env: NodeJS.ProcessEnv): LocalTerminalInfo {
  const init = env.MOSH_NO_TERM_INIT === undefined;
  return {
    smcup: init ? terminfoString(env, "smcup") : "",
    rmcup: init ? terminfoString(env, "rmcup") : "",
    titles: TITLE_TERMS.test(env.TERM ?? ""),
    titlePrefix: env.MOSH_TITLE_NOPREFIX === undefined ? "[mosh] " : "",
  };
}

/** Looks a terminfo string up as tput would (in-process); xterm's value when TERM has no entry. */
function terminfoString(env: NodeJS.ProcessEnv, cap: "smcup" | "rmcup"): string {
  const entry = readTerminfo(env);
  if (entry) return entry[cap];
  if (!/^(xterm|screen|tmux|rxvt)/.test(env.TERM ?? "")) return "";
  return cap === "smcup" ? "\x1b[?1049h" : "\x1b[?1049l";
}

/**
 * The user's terminal as a display: remembers what it shows and sends only the difference
 * to each new frame.
 */
export class LocalDisplay {
  private shown: Frame | null = null;
  private readonly opts: DisplayOptions;
  private titleDirty = false;

  constructor(
    private readonly info: LocalTerminalInfo,
    private readonly out: (s: string) => void,
  ) {
    this.opts = { ech: true, bce: true, titles: info.titles, titlePrefix: info.titlePrefix };
  }

  /**
   * Changes the window-title prefix; the next draw re-sends the title with it (mosh removes the
   * prefix for the last frame before exiting).
   */
  setTitlePrefix(prefix: string): void {
    if (prefix === this.opts.titlePrefix) return;
    this.opts.titlePrefix = prefix;
    this.titleDirty = true;
  }

  /** Enters the alternate screen (unless disabled) and application cursor-key mode. */
  open(): void {
    this.out(this.info.smcup + "\x1b[?1h");
    this.shown = null;
  }

  /** Draws `frame`, sending only what differs from what the terminal shows. */
  draw(frame: Frame): void {
    let s = displayDiff(this.shown, frame, this.opts);
    const shown = this.shown;
    if (
      this.titleDirty &&
      shown &&
      this.opts.titles &&
      frame.titleSet &&
      frame.title === shown.title &&
      frame.iconName === shown.iconName
    ) {
      // displayDiff sends titles only when they change: send the re-prefixed one here.
      const title = (this.opts.titlePrefix ?? "") + frame.title;
      const icon = frame.iconName === frame.title ? title : frame.iconName;
      s = (icon === title ? `\x1b]0;${title}\x07` : `\x1b]1;${icon}\x07\x1b]2;${title}\x07`) + s;
    }
    this.titleDirty = false;
    this.shown = frame;
    if (s.length) this.out(s);
  }

  /**
   * Draws one character at the cursor of what the terminal shows, the cursor moving one column
   * right (a keystroke's predicted echo, ahead of the frame that will show the same). Returns
   * false, drawing nothing, unless the cursor is at (`row`, `col`).
   */
  printAhead(cell: EchoPreview): boolean {
    const shown = this.shown;
    if (!shown || shown.cursorRow !== cell.row || shown.cursorCol !== cell.col || cell.col + 1 >= shown.cols)
      return false;
    const grid = shown.grid.slice();
    grid[cell.row] = RowBuilder.from(grid[cell.row])
      .setCell(cell.col, cell.text, 1, cell.attrs, cell.fg, cell.bg)
      .build();
    const next = shown.with({ cursorRow: cell.row, cursorCol: cell.col + 1 }, grid);
    const s = displayDiff(shown, next, this.opts);
    this.shown = next;
    if (s.length) this.out(s);
    return true;
  }

  /** Forgets what the terminal shows, so the next draw is a full repaint (Ctrl-L, resume). */
  invalidate(): void {
    this.shown = null;
  }

  /** Restores the terminal's modes and leaves the alternate screen. */
  close(): void {
    this.out(
      "\x1b[?1l\x1b[0m\x1b[?25h\x1b[?1003l\x1b[?1002l\x1b[?1001l\x1b[?1000l\x1b[?1015l\x1b[?1006l\x1b[?1005l" +
        this.info.rmcup,
    );
  }
}
