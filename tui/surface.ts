// The outer terminal as blessed drives it (the only module that touches blessed): the screen's cell grid (blessed internals), drawing changed lines, the cursor, mouse mode, input and restoring the terminal.

import type { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import blessed from "blessed";
import { CellSurface } from "./cell-surface.js";

/** blessed's screen cells (not in @types/blessed). */
type Cell = [number, string];
type Line = Cell[] & { dirty?: boolean };
interface ScreenInternals {
  lines: Line[];
  cols: number;
  rows: number;
  dattr: number;
  draw(start: number, end: number): void;
  program: blessed.BlessedProgram & { input: NodeJS.ReadableStream; cursorHidden?: boolean };
}

/** The streams of the outer terminal (default: this process's stdin and stdout). */
export interface SurfaceStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The terminal type (default: $TERM). */
  terminal?: string;
}

/** Creates the blessed screen, falling back to xterm-256color when the terminal's terminfo trips blessed. */
function createScreen(streams?: SurfaceStreams): blessed.Widgets.Screen {
  const base = {
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    warnings: false,
    autoPadding: false,
    dockBorders: false,
    title: "mosh-mux",
    // (@types/blessed has the screen's input and output the wrong way round.)
    ...(streams
      ? { input: streams.input as unknown as Writable, output: streams.output as unknown as Readable }
      : {}),
  };
  const term = streams?.terminal ?? process.env.TERM ?? "xterm-256color";
  const known = /^(xterm|screen|tmux|rxvt|linux|vt1|vt2|putty|st-|alacritty)/.test(term)
    ? term
    : "xterm-256color";
  try {
    return blessed.screen({ ...base, terminal: known });
  } catch {
    return blessed.screen({ ...base, terminal: "xterm-256color" });
  }
}

/** The cell surface on the outer terminal, through blessed: put cells, then {@link BlessedSurface.flush} draws the changed lines. */
export class BlessedSurface extends CellSurface {
  #screen: blessed.Widgets.Screen | null;
  #s: ScreenInternals | null;

  /** Takes over the terminal (alternate screen, raw mode, click reports); `onInput` gets what is typed, `onResize` size changes. */
  constructor(onInput: (data: string) => void, onResize: () => void, streams?: SurfaceStreams) {
    super();
    const screen = createScreen(streams);
    this.#screen = screen;
    const s = screen as unknown as ScreenInternals;
    this.#s = s;
    // Box-drawing characters go out as UTF-8, never through the alternate character set.
    (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
    // Clicks only (1000), reported in SGR form (1006); undone in restore().
    s.program.setMouse({ vt200Mouse: true, sgrMouse: true }, true);
    // A keypress listener is what makes blessed put the terminal in raw mode and read it.
    s.program.on("keypress", () => undefined);
    const decoder = new StringDecoder("utf8");
    s.program.input.on("data", (d: Buffer | string) => {
      onInput(typeof d === "string" ? d : decoder.write(d));
    });
    screen.on("resize", onResize);
  }

  /** Whether the terminal is still ours (not restored yet). */
  get active(): boolean {
    return this.#s !== null;
  }

  /** Width in cells. */
  get cols(): number {
    return this.#s?.cols ?? 80;
  }

  /** Height in rows. */
  get rows(): number {
    return this.#s?.rows ?? 24;
  }

  /** blessed's default attribute. */
  get defaultAttr(): number {
    return this.#s?.dattr ?? (0x1ff << 9) | 0x1ff;
  }

  /** Sets one cell (marks its line for drawing when it changed). */
  put(y: number, x: number, attr: number, ch: string): void {
    const line = this.#s?.lines[y];
    if (!line || x < 0 || x >= line.length) return;
    const cell = line[x];
    if (cell[0] !== attr || cell[1] !== ch) {
      cell[0] = attr;
      cell[1] = ch;
      line.dirty = true;
    }
  }

  /** Marks line `y` for drawing (blessed prints a wide character and skips the cell after it: repaint both). */
  touch(y: number): void {
    const line = this.#s?.lines[y];
    if (line) line.dirty = true;
  }

  /** Sends the changed lines to the terminal. */
  flush(): void {
    const s = this.#s;
    if (s) s.draw(0, s.rows - 1);
  }

  /** Shows the cursor at (row, col). */
  showCursor(row: number, col: number): void {
    const prog = this.#s?.program;
    if (!prog) return;
    prog.cup(row, col);
    prog.showCursor();
  }

  /** Hides the cursor. */
  hideCursor(): void {
    this.#s?.program.hideCursor();
  }

  /** Gives the terminal back: mouse reporting off, main screen, cursor shown, cooked mode. */
  restore(): void {
    try {
      this.#s?.program.setMouse({ vt200Mouse: false, sgrMouse: false }, false);
      this.#screen?.destroy();
    } catch {
      // the terminal is gone (hang-up): nothing to restore
    }
    this.#s = null;
    this.#screen = null;
  }
}
