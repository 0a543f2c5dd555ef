// Recognises a shell prompt waiting for input on a server frame (the mosh-ts prompt-confirmed epoch; not in mosh).
import type { Frame, Row } from "../terminal/frame.js";

/**
 * The prompt endings that count as "a shell (or REPL) waits for a command line here": the last
 * printed character before the cursor, followed by exactly one blank. `$ ` (sh, bash), `# `
 * (root), `% ` (zsh, csh), `> ` (PS2, REPLs such as python's `>>> `, node, mysql), `❯ `
 * (starship, pure), `➜ ` (oh-my-zsh). Password prompts end in `: ` and never match.
 */
export const PROMPT_ENDINGS: readonly string[] = ["$", "#", "%", ">", "❯", "➜"];

/**
 * Words that disqualify a line however it ends (a prompt for a secret that happens to end in one
 * of {@link PROMPT_ENDINGS}, e.g. `Password> `). Checked case-insensitively on the cursor's line,
 * including the rows it wraps from.
 */
export const SECRET_WORDS: RegExp =
  /passw|passphrase|passcode|secret|\bpin\b|\btoken\b|\botp\b|verification|one-time/i;

/** Whether cell text is blank as mosh sees it (empty, a space, or a no-break space). */
function isBlank(text: string): boolean {
  return text === "" || text === " " || text === "\u00a0";
}

/** The text of `row`'s first `end` cells (right halves of wide characters skipped). */
function textBefore(row: Row, end: number): string {
  let s = "";
  for (let x = 0; x < end; x++) {
    if (row.cellWidth(x) === 0) continue;
    const t = row.cellText(x);
    s += t === "" ? " " : t;
  }
  return s;
}

/**
 * Whether `frame` shows a shell prompt waiting for a command line: the cursor is visible, sits
 * right after one of {@link PROMPT_ENDINGS} and one blank, nothing but blanks follow it on its
 * row, and the line (with the rows it wraps from) names no secret ({@link SECRET_WORDS}).
 * `Password: `, `Enter passphrase for key '…': ` and `[sudo] password for x: ` never qualify.
 */
export function atShellPrompt(frame: Frame): boolean {
  if (!frame.cursorVisible) return false;
  const y = frame.cursorRow;
  const c = frame.cursorCol;
  if (c < 2 || y >= frame.rows) return false;
  const row = frame.grid[y];
  for (let x = c; x < frame.cols; x++) if (!isBlank(row.cellText(x))) return false;
  if (!isBlank(row.cellText(c - 1)) || row.cellWidth(c - 1) !== 1) return false;
  let x = c - 2;
  if (row.cellWidth(x) === 0 && x > 0) x--; // a wide prompt character
  if (!PROMPT_ENDINGS.includes(row.cellText(x))) return false;
  let line = textBefore(row, c);
  for (let p = y - 1; p >= 0 && frame.grid[p].wrap; p--) line = textBefore(frame.grid[p], frame.cols) + line;
  return !SECRET_WORDS.test(line);
}
