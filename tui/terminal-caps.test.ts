import { describe, expect, it } from "vitest";
import { terminalCaps } from "./terminal-caps.js";

const env = (e: Record<string, string>) => ({ HOME: "/nonexistent", ...e });

describe("terminal capabilities", () => {
  it("reads colours, italic and dim from the terminfo entry", () => {
    expect(terminalCaps(env({ TERM: "xterm-256color" }))).toEqual({ colors: 256, italic: true, dim: true });
    // Inside tmux and screen: 256 colours (not 8), tmux has italics, screen's entry has none.
    expect(terminalCaps(env({ TERM: "tmux-256color" }))).toEqual({ colors: 256, italic: true, dim: true });
    expect(terminalCaps(env({ TERM: "screen-256color" }))).toEqual({ colors: 256, italic: false, dim: true });
    expect(terminalCaps(env({ TERM: "screen" })).colors).toBe(8);
    expect(terminalCaps(env({ TERM: "linux" })).colors).toBe(8);
    expect(terminalCaps(env({ TERM: "xterm-16color" })).colors).toBe(16);
    expect(terminalCaps(env({ TERM: "vt100" })).colors).toBe(0);
    // An entry that says 24-bit (RGB).
    expect(terminalCaps(env({ TERM: "xterm-direct" })).colors).toBe(0x1000000);
  });

  it("takes COLORTERM=truecolor (tmux passes 24-bit colour on), but not inside GNU screen or on a terminal without colours", () => {
    expect(terminalCaps(env({ TERM: "xterm-256color", COLORTERM: "truecolor" })).colors).toBe(0x1000000);
    expect(terminalCaps(env({ TERM: "tmux-256color", COLORTERM: "24bit", TMUX: "/tmp/x,1,0" })).colors).toBe(
      0x1000000,
    );
    expect(
      terminalCaps(env({ TERM: "screen-256color", COLORTERM: "truecolor", STY: "1.pts-0" })).colors,
    ).toBe(256);
    expect(
      terminalCaps(env({ TERM: "screen-256color", COLORTERM: "truecolor", STY: "1.pts-0", TMUX: "x" }))
        .colors,
    ).toBe(0x1000000);
    expect(terminalCaps(env({ TERM: "vt100", COLORTERM: "truecolor" })).colors).toBe(0);
    expect(terminalCaps(env({ TERM: "xterm-256color", COLORTERM: "yes" })).colors).toBe(256);
  });

  it("guesses from the name when the terminal has no entry", () => {
    expect(terminalCaps(env({ TERM: "no-such-256color" }))).toEqual({
      colors: 256,
      italic: false,
      dim: false,
    });
    expect(terminalCaps(env({ TERM: "no-such" })).colors).toBe(8);
    expect(terminalCaps(env({ TERM: "no-such", COLORTERM: "truecolor" })).colors).toBe(0x1000000);
  });
});
