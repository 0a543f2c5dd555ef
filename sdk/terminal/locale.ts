// The locale as mosh reads it: the variables that choose it (in mosh's order), the character set an environment names, and the C library's verdict on it (`locale charmap`).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * The locale variables, in mosh's order: mosh-server clears them before applying the client's
 * `-l` assignments, and the wrapper forwards those that are set with `-l NAME=VALUE`.
 */
export const LOCALE_VARS: readonly string[] = [
  "LANG",
  "LANGUAGE",
  "LC_CTYPE",
  "LC_NUMERIC",
  "LC_TIME",
  "LC_COLLATE",
  "LC_MONETARY",
  "LC_MESSAGES",
  "LC_PAPER",
  "LC_NAME",
  "LC_ADDRESS",
  "LC_TELEPHONE",
  "LC_MEASUREMENT",
  "LC_IDENTIFICATION",
  "LC_ALL",
];

/** The locale that sets the character type, as the C library picks it: LC_ALL, then LC_CTYPE, then LANG; `C` when none is set. */
export function ctypeLocale(env: Record<string, string | undefined>): string {
  return env.LC_ALL || env.LC_CTYPE || env.LANG || "C";
}

/**
 * The character set of the client's locale as mosh-client judges it from the environment alone:
 * `UTF-8` when the locale's name says so, `ANSI_X3.4-1968` for `C` and `POSIX`, else the name.
 * mosh-client (and the mosh wrapper, before starting any server) refuses anything but UTF-8.
 */
export function clientCharset(env: Record<string, string | undefined>): string {
  const ctype = ctypeLocale(env);
  return /utf-?8/i.test(ctype) ? "UTF-8" : ctype === "C" || ctype === "POSIX" ? "ANSI_X3.4-1968" : ctype;
}

/** The C library's view of one environment's locale: the variable that sets LC_CTYPE, the charset, and whether it exists. */
export interface LocaleView {
  /** `NAME=value` of LC_ALL, LC_CTYPE or LANG (the first set), or `[no charset variables]`. */
  ctype: string;
  /** The variable's value (for the locale-gen hint), or null. */
  value: string | null;
  /** The character set (`US-ASCII` for ANSI_X3.4-1968, as mosh names it). */
  charset: string;
  /** Whether the C library could load the locale. */
  available: boolean;
}

/** C.UTF-8 as the C library spells it in locale variables (`C.UTF-8`, `C.utf8`, ...). */
const C_UTF8 = /^C\.[Uu][Tt][Ff]-?8$/;
/** Where glibc keeps C.UTF-8 (Debian, Ubuntu, Fedora; built in from glibc 2.35). */
const C_UTF8_CTYPE = "/usr/lib/locale/C.utf8/LC_CTYPE";

/**
 * Whether every locale category variable that is set names C.UTF-8 and the C library has it: then
 * `locale charmap` would say UTF-8 without complaint, and need not be run (it costs a process
 * start on the way to MOSH CONNECT).
 */
function onlyCUtf8(env: Record<string, string | undefined>): boolean {
  let any = false;
  for (const name of LOCALE_VARS) {
    const v = env[name];
    if (name === "LANGUAGE" || v === undefined) continue;
    if (!C_UTF8.test(v)) return false;
    any = true;
  }
  return any && existsSync(C_UTF8_CTYPE);
}

/** What the C library makes of `env`'s locale (`locale charmap` in that environment; C.UTF-8 alone is known without asking). */
export function localeView(env: Record<string, string | undefined>): LocaleView {
  let ctype = "[no charset variables]";
  let value: string | null = null;
  for (const name of ["LC_ALL", "LC_CTYPE", "LANG"]) {
    const v = env[name];
    if (v !== undefined) {
      ctype = `${name}=${v}`;
      value = v;
      break;
    }
  }
  const localeEnv: Record<string, string> = { PATH: env.PATH ?? "/usr/bin:/bin" };
  for (const name of LOCALE_VARS) {
    const v = env[name];
    if (v !== undefined) localeEnv[name] = v;
  }
  if (onlyCUtf8(env)) return { ctype, value, charset: "UTF-8", available: true };
  const r = spawnSync("locale", ["charmap"], { env: localeEnv, encoding: "utf8" });
  let charset: string;
  let available = true;
  if (r.error || r.status !== 0) {
    // No locale(1): judge by the name.
    charset = value !== null && /utf-?8/i.test(value) ? "UTF-8" : "ANSI_X3.4-1968";
  } else {
    available = !/Cannot set/.test(r.stderr);
    charset = available ? r.stdout.trim() : "ANSI_X3.4-1968";
  }
  if (charset === "ANSI_X3.4-1968") charset = "US-ASCII";
  return { ctype, value, charset, available };
}

/** mosh's hint for a locale the C library cannot load (then `locale-gen` may help). */
export function unavailableMessage(v: LocaleView): string {
  let s = `The locale requested by ${v.ctype} isn't available here.\n`;
  if (v.value !== null) s += `Running \`locale-gen ${v.value}' may be necessary.\n\n`;
  return s;
}
