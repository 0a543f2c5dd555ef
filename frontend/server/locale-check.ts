// mosh-server's locale check (docs/mosh-protocol.md §10.3): the native locale if it is UTF-8, else the client's `-l` settings, with the C library's verdict (`locale charmap`) and mosh-server's texts.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { LOCALE_VARS } from "../../sdk/terminal/locale.js";

/** The C library's view of one environment's locale: the variable that sets LC_CTYPE, the charset, and whether it exists. */
interface LocaleView {
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

function localeView(env: Record<string, string | undefined>): LocaleView {
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

function unavailableMessage(v: LocaleView): string {
  let s = `The locale requested by ${v.ctype} isn't available here.\n`;
  if (v.value !== null) s += `Running \`locale-gen ${v.value}' may be necessary.\n\n`;
  return s;
}

/**
 * mosh-server's locale check (§10.3): keep the native locale if it is UTF-8; otherwise clear the
 * locale variables, apply the client's `-l NAME=VALUE` assignments and check again.
 * @returns whether it is UTF-8, the session's environment (on failure: the one `locale` is then
 *   run with, before exiting 1), and what to print on stderr.
 */
export function checkLocale(
  env: Record<string, string | undefined>,
  localeVars: readonly string[],
): { ok: boolean; env: Record<string, string>; stderr: string } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  let stderr = "";
  const native = localeView(out);
  if (!native.available) stderr += unavailableMessage(native);
  if (native.charset.toUpperCase() === "UTF-8") return { ok: true, env: out, stderr };
  for (const name of LOCALE_VARS) delete out[name];
  for (const assignment of localeVars) {
    const eq = assignment.indexOf("=");
    if (eq > 0) out[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    else if (eq < 0) delete out[assignment];
  }
  const client = localeView(out);
  if (!client.available) stderr += unavailableMessage(client);
  if (client.charset.toUpperCase() === "UTF-8") return { ok: true, env: out, stderr };
  stderr +=
    "mosh-server needs a UTF-8 native locale to run.\n\n" +
    `Unfortunately, the local environment (${native.ctype}) specifies\nthe character set "${native.charset}",\n\n` +
    `The client-supplied environment (${client.ctype}) specifies\nthe character set "${client.charset}".\n\n`;
  return { ok: false, env: out, stderr };
}
