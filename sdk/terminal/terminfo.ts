// Reads compiled terminfo entries (term(5), legacy and 32-bit formats) in-process: numbers and strings by their standard index, as tput prints them.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The standard capabilities mosh-ts looks up, with their index in term(5)'s order. */
const NUMBERS = { colors: 13 } as const;
const STRINGS = { smcup: 28, rmcup: 40 } as const;

/** A terminal's capabilities, as far as mosh-ts needs them. */
export interface TerminfoEntry {
  /** `colors` (max_colors), or -1 when the entry has none, as `tput colors` prints it. */
  colors: number;
  /** `smcup` (enter_ca_mode), "" when absent. */
  smcup: string;
  /** `rmcup` (exit_ca_mode), "" when absent. */
  rmcup: string;
}

/** The directories ncurses searches, in its order. */
function searchPath(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  if (env.TERMINFO) dirs.push(env.TERMINFO);
  const home = env.HOME ?? safeHome();
  if (home) dirs.push(join(home, ".terminfo"));
  for (const d of (env.TERMINFO_DIRS ?? "").split(":")) dirs.push(d === "" ? "/usr/share/terminfo" : d);
  dirs.push("/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo");
  return dirs;
}

function safeHome(): string {
  try {
    return homedir();
  } catch {
    return "";
  }
}

/** The compiled entry's bytes for TERM, or null when no directory has it. */
function findEntry(term: string, env: NodeJS.ProcessEnv): Buffer | null {
  if (term === "" || term.includes("/") || term.startsWith(".")) return null;
  const first = term[0] as string;
  const subdirs = [first, first.charCodeAt(0).toString(16)];
  for (const dir of searchPath(env)) {
    for (const sub of subdirs) {
      try {
        return readFileSync(join(dir, sub, term));
      } catch {
        // not in this directory
      }
    }
  }
  return null;
}

/** Strips terminfo padding (`$<5>`, `$<2*>`), which tput does not print on a pty at these rates. */
function stripPadding(s: string): string {
  return s.replace(/\$<[0-9.]+[*/]{0,2}>/g, "");
}

/**
 * Parses a compiled terminfo entry. Returns null when the bytes are not one (wrong magic, short,
 * inconsistent sizes).
 */
export function parseTerminfo(buf: Buffer): TerminfoEntry | null {
  if (buf.length < 12) return null;
  const magic = buf.readUInt16LE(0);
  const numSize = magic === 0o432 ? 2 : magic === 0o1036 ? 4 : 0;
  if (numSize === 0) return null;
  const namesSize = buf.readUInt16LE(2);
  const boolCount = buf.readUInt16LE(4);
  const numCount = buf.readUInt16LE(6);
  const strCount = buf.readUInt16LE(8);
  const tableSize = buf.readUInt16LE(10);
  let at = 12 + namesSize + boolCount;
  if (at % 2 === 1) at++;
  const numbersAt = at;
  const offsetsAt = numbersAt + numCount * numSize;
  const tableAt = offsetsAt + strCount * 2;
  if (tableAt + tableSize > buf.length) return null;
  const number = (i: number): number => {
    if (i >= numCount) return -1;
    const v = numSize === 2 ? buf.readInt16LE(numbersAt + i * 2) : buf.readInt32LE(numbersAt + i * 4);
    return v < 0 ? -1 : v;
  };
  const string = (i: number): string => {
    if (i >= strCount) return "";
    const off = buf.readInt16LE(offsetsAt + i * 2);
    if (off < 0 || off >= tableSize) return "";
    const start = tableAt + off;
    const end = buf.indexOf(0, start);
    return stripPadding(
      buf.toString("latin1", start, end < 0 || end > tableAt + tableSize ? tableAt + tableSize : end),
    );
  };
  return { colors: number(NUMBERS.colors), smcup: string(STRINGS.smcup), rmcup: string(STRINGS.rmcup) };
}

/** Looks TERM's entry up as ncurses does; null when the terminal is unknown or the entry unreadable. */
export function readTerminfo(env: NodeJS.ProcessEnv = process.env): TerminfoEntry | null {
  const buf = findEntry(env.TERM ?? "", env);
  return buf ? parseTerminfo(buf) : null;
}
