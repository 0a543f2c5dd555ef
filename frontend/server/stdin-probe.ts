// The terminal on stdin as mosh-server sees it (isatty, then its window size by `stty size`), in a module of its own: it loads Node's tty and child_process modules, which the one-process start is spared (the program's sh preamble asks the terminal itself).
import { spawnSync } from "node:child_process";
import { isatty } from "node:tty";
import { type WindowSize, windowSize } from "../../sdk/terminal/window-size.js";

/** What mosh-server learns of its stdin at start-up: whether it is a terminal, and the window size (the pty's first size). */
export interface StdinTerminal {
  isTTY: boolean;
  /** The terminal's size; 80x24 when stdin is no terminal or reports none (the one window-size rule). */
  size: WindowSize;
}

/** Whether stdin is a terminal, and its window size (80x24 when it is none or reports none). */
export function probeStdin(): StdinTerminal {
  if (!isatty(0)) return { isTTY: false, size: windowSize(undefined, undefined) };
  const r = spawnSync("stty", ["size"], { stdio: ["inherit", "pipe", "ignore"], encoding: "utf8" });
  return { isTTY: true, size: parseSttySize(r.stdout ?? "") };
}

/** The window size in `stty size`'s output ("ROWS COLS"), else 80x24. */
export function parseSttySize(text: string): WindowSize {
  const m = /^(\d+) (\d+)/.exec(text);
  return m ? windowSize(Number(m[2]), Number(m[1])) : windowSize(undefined, undefined);
}
