// Reads compiled terminfo entries (term(5), legacy and 32-bit formats) in-process: numbers and strings by their standard index, as tput prints them, and the extended (user-defined) capabilities by name.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The standard capabilities mosh-ts looks up, with their index in term(5)'s order. */
const NUMBERS = { colors: 13 } as const;
const STRINGS = { smcup: 28, dim: 30, rmcup: 40, sitm: 311 } as const;

/** A terminal's capabilities, as far as mosh-ts needs them. */
export interface TerminfoEntry {
  /** `colors` (max_colors), or -1 when the entry has none, as `tput colors` prints it. */
  colors: number;
  /** `smcup` (enter_ca_mode), "" when absent. */
  smcup: string;
  /** `rmcup` (exit_ca_mode), "" when absent. */
  rmcup: string;
  /** `dim` (enter_dim_mode), "" when absent. */
  dim: string;
  /** `sitm` (enter_italics_mode), "" when absent. */
  sitm: string;
  /** Extended boolean capabilities that are set (`RGB`, tmux's `Tc`, ...), as `infocmp -x` lists them. */
  extBooleans: ReadonlySet<string>;
  /** Extended string capabilities (`Ms`, `setrgbf`, ...), padding stripped. */
  extStrings: ReadonlyMap<string, string>;
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
    return stripPadding(cString(buf, tableAt + off, tableAt + tableSize));
  };
  const ext = parseExtended(buf, tableAt + tableSize, numSize);
  return {
    colors: number(NUMBERS.colors),
    smcup: string(STRINGS.smcup),
    rmcup: string(STRINGS.rmcup),
    dim: string(STRINGS.dim),
    sitm: string(STRINGS.sitm),
    extBooleans: ext.booleans,
    extStrings: ext.strings,
  };
}

/** The NUL-terminated string at `start` (ending at `limit` at the latest). */
function cString(buf: Buffer, start: number, limit: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString("latin1", start, end < 0 || end > limit ? limit : end);
}

const NO_EXTENDED = { booleans: new Set<string>(), strings: new Map<string, string>() };

/**
 * The extended capabilities after the standard part (term(5) "EXTENDED STORAGE FORMAT"): a
 * header of five counts, the boolean and number values, the offsets of the string values and of
 * every capability's name, then the string table, values first, names after them. Anything
 * inconsistent gives none.
 */
function parseExtended(
  buf: Buffer,
  end: number,
  numSize: number,
): { booleans: ReadonlySet<string>; strings: ReadonlyMap<string, string> } {
  let at = end + (end % 2);
  if (at + 10 > buf.length) return NO_EXTENDED;
  const boolCount = buf.readUInt16LE(at);
  const numCount = buf.readUInt16LE(at + 2);
  const strCount = buf.readUInt16LE(at + 4);
  const tableSize = buf.readUInt16LE(at + 8);
  at += 10;
  const boolsAt = at;
  at += boolCount;
  at += at % 2;
  at += numCount * numSize;
  const valueOffsetsAt = at;
  const nameOffsetsAt = valueOffsetsAt + strCount * 2;
  const names = boolCount + numCount + strCount;
  const tableAt = nameOffsetsAt + names * 2;
  if (tableAt + tableSize > buf.length) return NO_EXTENDED;
  const limit = tableAt + tableSize;
  // The names follow the last string value.
  const values: string[] = [];
  let namesAt = tableAt;
  for (let i = 0; i < strCount; i++) {
    const off = buf.readInt16LE(valueOffsetsAt + i * 2);
    if (off < 0 || off >= tableSize) {
      values.push("");
      continue;
    }
    const v = cString(buf, tableAt + off, limit);
    values.push(v);
    namesAt = Math.max(namesAt, tableAt + off + Buffer.byteLength(v, "latin1") + 1);
  }
  const name = (i: number): string => {
    const off = buf.readInt16LE(nameOffsetsAt + i * 2);
    return off < 0 || namesAt + off >= limit ? "" : cString(buf, namesAt + off, limit);
  };
  const booleans = new Set<string>();
  for (let i = 0; i < boolCount; i++) if (buf[boolsAt + i] === 1) booleans.add(name(i));
  const strings = new Map<string, string>();
  for (let i = 0; i < strCount; i++) {
    const off = buf.readInt16LE(valueOffsetsAt + i * 2);
    if (off >= 0) strings.set(name(boolCount + numCount + i), stripPadding(values[i]));
  }
  booleans.delete("");
  strings.delete("");
  return { booleans, strings };
}

/** Looks TERM's entry up as ncurses does; null when the terminal is unknown or the entry unreadable. */
export function readTerminfo(env: NodeJS.ProcessEnv = process.env): TerminfoEntry | null {
  const buf = findEntry(env.TERM ?? "", env);
  return buf ? parseTerminfo(buf) : null;
}
