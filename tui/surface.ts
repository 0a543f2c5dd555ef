// The outer terminal (the only module that touches blessed): blessed takes it over (alternate screen, raw mode, keypad, mouse reports, input, resize, giving it back); the cells are ours (a CellGrid drawn in the colours and attributes the terminal has).

import type { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import blessed from "blessed";
import type { Color } from "../sdk/terminal/frame.js";
import { CellGrid } from "./cell-grid.js";
import { CellSurface } from "./cell-surface.js";
import { type TerminalCaps, terminalCaps } from "./terminal-caps.js";

/** blessed's internals the surface uses (not in @types/blessed). */
interface ScreenInternals {
  cols: number;
  rows: number;
  program: blessed.BlessedProgram & {
    input: NodeJS.ReadableStream;
    _write(data: string): void;
  };
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

/**
 * The cell surface on the outer terminal. blessed does what it does well (taking the terminal
 * over and giving it back, input, resize); its own cell output (256 colours, no italic, dim or
 * 24-bit colour) is not used: the cells are drawn by {@link CellGrid.render} for the terminal's
 * {@link TerminalCaps}.
 */
export class BlessedSurface extends CellSurface {
  #screen: blessed.Widgets.Screen | null;
  #s: ScreenInternals | null;
  readonly #grid: CellGrid;
  /** What the terminal shows (colours, italic, dim). */
  readonly caps: TerminalCaps;

  /**
   * Takes over the terminal (alternate screen, raw mode, click and wheel reports); `onInput` gets
   * what is typed, `onResize` size changes. `caps` defaults to what COLORTERM and the terminfo
   * entry of the terminal (`streams.terminal`, else $TERM) say.
   */
  constructor(
    onInput: (data: string) => void,
    onResize: () => void,
    streams?: SurfaceStreams,
    caps: TerminalCaps = terminalCaps(
      streams?.terminal ? { ...process.env, TERM: streams.terminal } : process.env,
    ),
  ) {
    super();
    const screen = createScreen(streams);
    this.#screen = screen;
    const s = screen as unknown as ScreenInternals;
    this.#s = s;
    this.caps = caps;
    this.#grid = new CellGrid(s.cols, s.rows);
    // Clicks and the wheel (1000), reported in SGR form (1006); undone in restore().
    s.program.setMouse({ vt200Mouse: true, sgrMouse: true }, true);
    // A keypress listener is what makes blessed put the terminal in raw mode and read it.
    s.program.on("keypress", () => undefined);
    const decoder = new StringDecoder("utf8");
    s.program.input.on("data", (d: Buffer | string) => {
      onInput(typeof d === "string" ? d : decoder.write(d));
    });
    screen.on("resize", () => {
      // blessed has cleared the terminal: everything is drawn again at the new size.
      this.#grid.resize(s.cols, s.rows);
      onResize();
    });
  }

  /** Whether the terminal is still ours (not restored yet). */
  get active(): boolean {
    return this.#s !== null;
  }

  /** Width in cells. */
  get cols(): number {
    return this.#s?.cols ?? this.#grid.cols;
  }

  /** Height in rows. */
  get rows(): number {
    return this.#s?.rows ?? this.#grid.rows;
  }

  put(y: number, x: number, ch: string, attrs: number, fg: Color, bg: Color): void {
    this.#grid.put(y, x, ch, attrs, fg, bg);
  }

  /** Sends the changed cells to the terminal, in its colours. */
  flush(): void {
    const s = this.#s;
    if (!s) return;
    const out = this.#grid.render(this.caps);
    if (out !== "") s.program._write(out);
  }

  showCursor(row: number, col: number): void {
    const prog = this.#s?.program;
    if (!prog) return;
    prog.cup(row, col);
    prog.showCursor();
  }

  hideCursor(): void {
    this.#s?.program.hideCursor();
  }

  write(data: string): void {
    this.#s?.program._write(data);
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
