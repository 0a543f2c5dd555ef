// atShellPrompt: which screens count as a shell prompt waiting for a command line (and that password prompts never do).
import { describe, expect, it } from "vitest";
import { type Frame, Frame as FrameClass, INITIAL_STATE, type Row, RowBuilder } from "../terminal/frame.js";
import { wcwidth } from "../terminal/wcwidth.js";
import { atShellPrompt, PROMPT_ENDINGS } from "./prompt-detector.js";

const COLS = 60;

/** A frame whose rows are `lines` (rows listed in `wrapped` soft-wrap into the next), cursor at `cursor`. */
function screen(lines: string[], cursor: [number, number], wrapped: number[] = []): Frame {
  const grid: Row[] = [];
  for (let y = 0; y < 4; y++) {
    const b = new RowBuilder(COLS);
    let x = 0;
    for (const ch of Array.from(lines[y] ?? "")) {
      const w = wcwidth(ch.codePointAt(0)!) === 2 ? 2 : 1;
      b.setCell(x, ch, w);
      x += w;
    }
    if (wrapped.includes(y)) b.setWrap(true);
    grid.push(b.build());
  }
  return new FrameClass(COLS, 4, grid, { ...INITIAL_STATE, cursorRow: cursor[0], cursorCol: cursor[1] });
}

/** `line` on the last row, the cursor right after it. */
function at(line: string): Frame {
  return screen(["output", "more output", "", line], [3, Array.from(line).length]);
}

describe("atShellPrompt", () => {
  it("recognises shell and REPL prompts with the cursor at their end", () => {
    for (const p of [
      "$ ",
      "# ",
      "% ",
      "> ",
      ">>> ",
      "❯ ",
      "➜ ",
      "u@host:~/src$ ",
      "root@host:/# ",
      "mysql> ",
    ])
      expect(atShellPrompt(at(p)), p).toBe(true);
    expect(PROMPT_ENDINGS).toEqual(["$", "#", "%", ">", "❯", "➜"]);
  });

  it("never takes a password or passphrase prompt for one", () => {
    for (const p of [
      "Password: ",
      "Enter passphrase for key '/home/u/.ssh/id_ed25519': ",
      "[sudo] password for x: ",
      "u@host's password: ",
      "Password> ",
      "Enter PIN $ ",
      "Passphrase # ",
    ])
      expect(atShellPrompt(at(p)), p).toBe(false);
  });

  it("looks at the rows a wrapped line comes from", () => {
    const top = "Enter passphrase for key '/home/someone/a/very/long/path/i";
    expect(top.length).toBeLessThanOrEqual(COLS);
    expect(atShellPrompt(screen([top, "d_ed25519'> "], [1, 12], [0]))).toBe(false);
    // the same second row after an unwrapped first row is an ordinary prompt
    expect(atShellPrompt(screen([top, "d_ed25519'> "], [1, 12]))).toBe(true);
  });

  it("needs the cursor right after the prompt, one blank, nothing after it, and visible", () => {
    expect(atShellPrompt(screen(["$ ls"], [0, 2]))).toBe(false); // text after the cursor
    expect(atShellPrompt(screen(["$ ls"], [0, 4]))).toBe(false); // after a command, not a prompt
    expect(atShellPrompt(screen(["$"], [0, 1]))).toBe(false); // no blank
    expect(atShellPrompt(screen(["$"], [0, 3]))).toBe(false); // two blanks
    expect(atShellPrompt(screen(["$ ", "", "", "     x"], [0, 2]))).toBe(true); // other rows do not matter
    expect(atShellPrompt(screen([""], [0, 0]))).toBe(false);
    expect(atShellPrompt(at("$ ").with({ cursorVisible: false }))).toBe(false);
  });
});
