// The locale as mosh reads it: the variables that choose it (in mosh's order), and the character set a client's environment names.

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
