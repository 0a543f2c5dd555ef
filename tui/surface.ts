// The outer terminal: blessed takes it over (alternate screen, raw mode, keypad, mouse reports, input, resize, restoring it), the cells are ours (a CellGrid drawn in the colours and attributes the terminal has).
import { StringDecoder } from "node:string_decoder";
import blessed from "blessed";
import { CellGrid } from "./cell-grid.js";
import { type TerminalCaps, terminalCaps } from "./terminal-caps.js";

/** What the TUI needs of the outer terminal (the real one: {@link Surface}; tests use a fake). */
export interface OuterTerminal {
  /** The cells to draw; {@link OuterTerminal.flush} sends what changed. */
  readonly grid: CellGrid;
  readonly cols: number;
  readonly rows: number;
  /** Sends the grid's changes to the terminal. */
  flush(): void;
  /** Shows the cursor at (row, col). */
  showCursor(row: number, col: number): void;
  hideCursor(): void;
  /** Writes a control sequence of its own to the terminal (OSC 52: the clipboard). */
  write(data: string): void;
  /** Gives the terminal back. */
  restore(): void;
}

/** blessed's internals the surface uses (not in @types/blessed). */
interface ScreenInternals {
  cols: number;
  rows: number;
  program: blessed.BlessedProgram & {
    input: NodeJS.ReadableStream;
    _write(data: string): void;
  };
}

/** Creates the blessed screen, falling back to xterm-256color when the terminal's terminfo trips blessed. */
function createScreen(): blessed.Widgets.Screen {
  const base = {
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    warnings: false,
    autoPadding: false,
    dockBorders: false,
    title: "mosh-mux",
  };
  const term = process.env.TERM ?? "xterm-256color";
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
 * A full-screen cell surface on the outer terminal. blessed does what it does well (taking the
 * terminal over and giving it back, input, resize); its own cell output (256 colours, no italic,
 * dim or truecolor) is not used: the grid is drawn by {@link CellGrid.render} for the terminal's
 * {@link TerminalCaps}.
 */
export class Surface implements OuterTerminal {
  #screen: blessed.Widgets.Screen | null;
  #s: ScreenInternals | null;
  readonly grid: CellGrid;
  readonly caps: TerminalCaps;

  /** Takes over the terminal (alternate screen, raw mode, click and wheel reports); `onInput` gets what is typed, `onResize` size changes. */
  constructor(onInput: (data: string) => void, onResize: () => void, caps: TerminalCaps = terminalCaps()) {
    const screen = createScreen();
    this.#screen = screen;
    const s = screen as unknown as ScreenInternals;
    this.#s = s;
    this.caps = caps;
    this.grid = new CellGrid(s.cols, s.rows);
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
      this.grid.resize(s.cols, s.rows);
      onResize();
    });
  }

  /** Width in cells. */
  get cols(): number {
    return this.#s?.cols ?? this.grid.cols;
  }

  /** Height in rows. */
  get rows(): number {
    return this.#s?.rows ?? this.grid.rows;
  }

  flush(): void {
    const out = this.grid.render(this.caps);
    if (out !== "") this.#s?.program._write(out);
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
