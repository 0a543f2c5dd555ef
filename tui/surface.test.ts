// The blessed surface on a fake terminal (streams, no tty): blessed's internals it relies on are there, changed cells reach the output in the terminal's colour depth (inside tmux too), input and restore work.
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { Attr, paletteColor, rgbColor } from "../sdk/terminal/frame.js";
import { PLAIN } from "./cell-style.js";
import { BlessedSurface } from "./surface.js";
import { type TerminalCaps, terminalCaps } from "./terminal-caps.js";

let surface: BlessedSurface | null = null;
afterEach(() => {
  surface?.restore();
  surface = null;
});

/** A surface on a fake 40x10 terminal (`terminal`, with `caps`); what it writes, and what it reads. */
function open(terminal = "xterm-256color", caps?: TerminalCaps) {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: 40, rows: 10, isTTY: true });
  let written = "";
  output.on("data", (d: Buffer) => {
    written += d.toString("utf8");
  });
  const typed: string[] = [];
  surface = new BlessedSurface(
    (d) => typed.push(d),
    () => undefined,
    {
      input,
      output,
      terminal,
    },
    caps,
  );
  return { s: surface, input, typed, out: () => written, clear: () => (written = "") };
}

describe("BlessedSurface", () => {
  it("takes its size from the terminal and writes the cells put, only when they changed", async () => {
    const t = open();
    expect([t.s.cols, t.s.rows]).toEqual([40, 10]);
    expect(t.s.active).toBe(true);
    t.s.text(2, 3, 10, PLAIN, "hello→wörld", false);
    t.s.flush();
    await new Promise((r) => setImmediate(r));
    expect(t.out()).toContain("hello→wör");
    t.clear();
    t.s.text(2, 3, 10, PLAIN, "hello→wörld", false);
    t.s.flush();
    await new Promise((r) => setImmediate(r));
    expect(t.out()).not.toContain("hello");
  });

  it("passes typed input on as text, shows and hides the cursor, and gives the terminal back", async () => {
    const t = open();
    t.input.write(Buffer.from("ab\xc3", "latin1"));
    t.input.write(Buffer.from("\xa9", "latin1"));
    await new Promise((r) => setImmediate(r));
    // A character split across two reads arrives whole.
    expect(t.typed.join("")).toBe("ab\u00e9");
    t.clear();
    t.s.showCursor(4, 7);
    await new Promise((r) => setImmediate(r));
    expect(t.out()).toContain("\x1b[5;8H");
    t.s.restore();
    await new Promise((r) => setImmediate(r));
    expect(t.s.active).toBe(false);
    // Mouse reporting off and the main screen back.
    expect(t.out()).toContain("\x1b[?1000l");
    expect(t.out()).toContain("\x1b[?1049l");
    // Once given back, drawing does nothing.
    t.clear();
    t.s.put(0, 0, "x", 0, 0, 0);
    t.s.flush();
    expect(t.out()).toBe("");
  });

  /** What the surface sends for a cell in 256-colour orange (208), one in 24-bit orange, one italic and dim. */
  async function colours(terminal: string, caps: TerminalCaps): Promise<string> {
    const t = open(terminal, caps);
    t.s.put(1, 0, "a", 0, paletteColor(208), 0);
    t.s.put(1, 2, "b", 0, rgbColor(255, 135, 0), 0);
    t.s.put(1, 4, "c", Attr.italic | Attr.dim, 0, 0);
    t.clear();
    t.s.flush();
    await new Promise((r) => setImmediate(r));
    return t.out();
  }

  it("inside tmux (TERM=tmux-256color) sends 256 colours as such, and 24-bit colour with COLORTERM=truecolor", async () => {
    const env = { HOME: "/nonexistent", TERM: "tmux-256color", TMUX: "/tmp/tmux-0/default,1,0" };
    const in256 = await colours("tmux-256color", terminalCaps(env));
    expect(in256).toContain("\x1b[0;38;5;208ma");
    // 24-bit colour reduced to the nearest of the 256 (not to the 8 basic ones).
    expect(in256).toContain("\x1b[0;38;5;208mb");
    expect(in256).toContain("\x1b[0;2;3mc");
    expect(in256).not.toMatch(/\x1b\[(0;)?3[0-7]m/);
    surface?.restore();
    const truecolor = await colours("tmux-256color", terminalCaps({ ...env, COLORTERM: "truecolor" }));
    expect(truecolor).toContain("\x1b[0;38;5;208ma");
    expect(truecolor).toContain("\x1b[0;38;2;255;135;0mb");
    surface?.restore();
    // Inside GNU screen: no italic in its entry, no 24-bit colour passed on.
    // (blessed itself gets xterm-256color: it prints an error about screen-256color's plab_norm.)
    const screen = await colours(
      "xterm-256color",
      terminalCaps({ HOME: "/nonexistent", TERM: "screen-256color", STY: "1.pts-0", COLORTERM: "truecolor" }),
    );
    expect(screen).toContain("\x1b[0;38;5;208mb");
    expect(screen).toContain("\x1b[0;2mc");
  });

  it("takes the colour depth from the terminal it is given when no capabilities are passed", async () => {
    const saved = process.env.COLORTERM;
    delete process.env.COLORTERM;
    try {
      const t = open("tmux-256color");
      expect(t.s.caps).toEqual({ colors: 256, italic: true, dim: true });
    } finally {
      if (saved !== undefined) process.env.COLORTERM = saved;
    }
  });
});
