// mosh-ts-server's command line and first process: mosh-server's options, texts and locale check, and starting the detached session process (§7.3–7.5, §10).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { isatty } from "node:tty";
import { versionBlock } from "../version.js";
import { SERVER_NODE_FLAGS } from "./server-node-flags.js";

/** The argument that makes the program run as the detached session process (set by the program itself). */
export const DAEMON_FLAG = "--session-daemon";

/**
 * The locale variables, in mosh's order: mosh-server clears them before applying the client's
 * `-l` assignments, and the wrapper forwards those that are set with `-l NAME=VALUE`.
 */
export const LOCALE_VARS = [
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

/** Everything the session process needs, as parsed and checked by the first process (no secrets). */
export interface ServerConfig {
  /** The command (argv), or null for the login shell. */
  command: string[] | null;
  /** Address to bind first (`-i` / `-s`), or null for any interface. */
  bindAddress: string | null;
  /** Port range (inclusive); `[0, 0]` = the OS chooses; null = the default 60001..60999. */
  port: [number, number] | null;
  /** `-c`: TERM is xterm-256color for 256, else xterm. */
  colors: number;
  /** Number of `-v`. */
  verbose: number;
  /** MOSH_SERVER_NETWORK_TMOUT in seconds (0 = none). */
  networkTimeout: number;
  /** MOSH_SERVER_SIGNAL_TMOUT in seconds (0 = none). */
  signalTimeout: number;
  /** Initial window width (the stdin tty's, else 80). */
  cols: number;
  /** Initial window height (the stdin tty's, else 24). */
  rows: number;
  /** The environment of the session (locale adjusted). */
  env: Record<string, string>;
}

/** The outcome of parsing the command line: run with a config, or exit with a status. */
export type ParsedCommandLine =
  | {
      kind: "run";
      config: Omit<ServerConfig, "networkTimeout" | "signalTimeout" | "cols" | "rows" | "env">;
      stderr: string;
      localeVars: string[];
    }
  | { kind: "exit"; code: number; stdout: string; stderr: string };

/** mosh-server's usage line. */
export function usageLine(argv0: string): string {
  return `Usage: ${argv0} new [-s] [-v] [-i LOCALADDR] [-p PORT[:PORT2]] [-c COLORS] [-l NAME=VALUE] [-- COMMAND...]\n`;
}

/** C's strtol over the whole string: the value and whether anything follows the number. */
function strtol(s: string): { value: number; rest: string; overflow: boolean } {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s) as RegExpExecArray;
  if (m[2] === "") return { value: 0, rest: s, overflow: false };
  const n = Number(m[1] + m[2]);
  const overflow = !Number.isSafeInteger(n) || n > 2 ** 63 - 1 || n < -(2 ** 63);
  return { value: n, rest: s.slice(m[0].length), overflow };
}

/**
 * Parses `PORT` or `LOW:HIGH` as mosh does (`Connection::parse_portrange`).
 * @returns the range, or the error line mosh prints.
 */
export function parsePortRange(text: string): { range: [number, number] } | { error: string } {
  const low = strtol(text);
  if (low.overflow || (low.rest !== "" && !low.rest.startsWith(":"))) {
    return { error: `Invalid (low) port number (${text})` };
  }
  if (low.value < 0 || low.value > 65535)
    return { error: `(Low) port number ${low.value} outside valid range [0..65535]` };
  if (low.rest === "") return { range: [low.value, low.value] };
  const cp = low.rest.slice(1);
  const high = strtol(cp);
  if (high.overflow || high.rest !== "") return { error: `Invalid high port number (${cp})` };
  if (high.value < 0 || high.value > 65535) {
    return { error: `High port number ${high.value} outside valid range [0..65535]` };
  }
  if (low.value > high.value) return { error: `Low port ${low.value} greater than high port ${high.value}` };
  if (low.value === 0) return { error: "Low port 0 incompatible with port ranges" };
  return { range: [low.value, high.value] };
}

/**
 * Reads MOSH_SERVER_NETWORK_TMOUT / MOSH_SERVER_SIGNAL_TMOUT (seconds) as mosh-server does.
 * @returns the value (0 = unset or ignored) and the warning mosh prints, if any.
 */
export function parseTimeoutVariable(
  name: string,
  value: string | undefined,
): { seconds: number; warning: string } {
  if (value === undefined || value === "") return { seconds: 0, warning: "" };
  const r = strtol(value);
  if (r.rest !== "" || r.overflow) return { seconds: 0, warning: `${name} not a valid integer, ignoring\n` };
  if (r.value < 0) return { seconds: 0, warning: `${name} is negative, ignoring\n` };
  return { seconds: r.value, warning: "" };
}

/** The bind address `-s` asks for: the third word of SSH_CONNECTION without `::ffff:`. */
function sshIp(env: Record<string, string | undefined>): { ip: string | null; warning: string } {
  const conn = env.SSH_CONNECTION;
  if (conn === undefined)
    return { ip: null, warning: "Warning: SSH_CONNECTION not found; binding to any interface.\n" };
  const words = conn.trim().split(/\s+/);
  if (words.length < 3 || words[2] === "") {
    return { ip: null, warning: "Warning: Could not parse SSH_CONNECTION; binding to any interface.\n" };
  }
  const ip = words[2];
  const prefix = "::ffff:";
  if (ip.length > prefix.length && ip.slice(0, prefix.length).toLowerCase() === prefix) {
    return { ip: ip.slice(prefix.length), warning: "" };
  }
  return { ip, warning: "" };
}

/**
 * Parses mosh-server's command line (`new` + getopt `@:i:p:c:svl:`, `--help`, `--version`, the
 * legacy `[IP [PORT]]` forms), with mosh-server's messages. Unknown options print the usage
 * line and are otherwise ignored, as in mosh.
 */
export function parseServerCommandLine(
  args: readonly string[],
  argv0: string,
  env: Record<string, string | undefined>,
): ParsedCommandLine {
  let command: string[] | null = null;
  let opts = [...args];
  for (let i = 0; i < opts.length; i++) {
    const a = opts[i];
    if (a === "--help" || a === "-h") return { kind: "exit", code: 0, stdout: usageLine(argv0), stderr: "" };
    if (a === "--version") return { kind: "exit", code: 0, stdout: versionBlock(argv0), stderr: "" };
    if (a === "--") {
      if (i !== opts.length - 1) command = opts.slice(i + 1);
      opts = opts.slice(0, i);
      break;
    }
  }
  let stderr = "";
  let bindAddress: string | null = null;
  let port: string | null = null;
  let colors = 0;
  let verbose = 0;
  const localeVars: string[] = [];
  if (opts.length >= 1 && opts[0] === "new") {
    // GNU getopt over argv+1: its messages name "new" as the program.
    const needsArg = new Set(["@", "i", "p", "c", "l"]);
    for (let i = 1; i < opts.length; i++) {
      const a = opts[i];
      if (a.length < 2 || a[0] !== "-") continue; // non-options are permuted away
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        let arg: string | null = null;
        if (needsArg.has(c)) {
          if (j + 1 < a.length) arg = a.slice(j + 1);
          else if (i + 1 < opts.length) arg = opts[++i];
          else {
            stderr += `new: option requires an argument -- '${c}'\n` + usageLine(argv0);
            break;
          }
        }
        switch (c) {
          case "@":
            break;
          case "i":
            bindAddress = arg;
            break;
          case "p":
            port = arg;
            break;
          case "s": {
            const r = sshIp(env);
            stderr += r.warning;
            bindAddress = r.ip;
            break;
          }
          case "c": {
            const r = strtol(arg as string);
            if (r.rest !== "" || r.overflow) {
              return {
                kind: "exit",
                code: 1,
                stdout: "",
                stderr: `${stderr}${argv0}: Bad number of colors (${arg})\n${usageLine(argv0)}`,
              };
            }
            colors = r.value;
            break;
          }
          case "v":
            verbose++;
            break;
          case "l":
            localeVars.push(arg as string);
            break;
          default:
            stderr += `new: invalid option -- '${c}'\n` + usageLine(argv0);
        }
        if (arg !== null) break;
      }
    }
  } else if (opts.length === 0) {
    // legacy: no arguments
  } else if (opts.length === 1) {
    bindAddress = opts[0];
  } else if (opts.length === 2) {
    bindAddress = opts[0];
    port = opts[1];
  } else {
    return { kind: "exit", code: 1, stdout: "", stderr: stderr + usageLine(argv0) };
  }
  let range: [number, number] | null = null;
  if (port !== null) {
    const r = parsePortRange(port);
    if ("error" in r) {
      return {
        kind: "exit",
        code: 1,
        stdout: "",
        stderr: `${stderr}${r.error}\n${argv0}: Bad UDP port range (${port})\n${usageLine(argv0)}`,
      };
    }
    range = r.range;
  }
  return { kind: "run", config: { command, bindAddress, port: range, colors, verbose }, stderr, localeVars };
}

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

/**
 * mosh-client's refusal of a locale that is not UTF-8 (§11.1), or null if `env`'s locale is UTF-8: the
 * unavailable-locale hint if the C library lacks it, then `ARGV0 needs a UTF-8 native locale to run.` with the
 * variable and character set. mosh-client then runs `locale` and exits 1.
 */
export function clientLocaleRefusal(env: Record<string, string | undefined>, argv0: string): string | null {
  const v = localeView(env);
  if (v.charset.toUpperCase() === "UTF-8") return null;
  return (
    (v.available ? "" : unavailableMessage(v)) +
    `${argv0} needs a UTF-8 native locale to run.\n\n` +
    `Unfortunately, the client's environment (${v.ctype}) specifies\nthe character set "${v.charset}".\n\n`
  );
}

/** The banner the first process prints on stderr after detaching (mosh-server's, with our name). */
export function detachBanner(argv0: string, pid: number): string {
  return `\n${versionBlock(argv0)}\n[${argv0} detached, pid = ${pid}]\n`;
}

/** The window size of the stdin tty (mosh-server's initial pty size), else 80x24. */
export function stdinWindowSize(): { cols: number; rows: number } {
  if (isatty(0)) {
    const r = spawnSync("stty", ["size"], { stdio: ["inherit", "pipe", "ignore"], encoding: "utf8" });
    const m = /^(\d+) (\d+)/.exec(r.stdout ?? "");
    if (m && Number(m[1]) > 0 && Number(m[2]) > 0) return { rows: Number(m[1]), cols: Number(m[2]) };
  }
  return { cols: 80, rows: 24 };
}

/** Messages between the first process and the session process (over the inherited IPC channel; the key never touches argv or env). */
export type DaemonMessage =
  | { type: "stderr"; text: string }
  | { type: "ready"; port: number; key: string }
  | { type: "fail"; text: string };

/** How long the first process waits for the session process to bind. */
const DAEMON_START_TIMEOUT = 30000;

/**
 * The session process's own environment: the first process's, without NODE_EXTRA_CA_CERTS (reading
 * a CA bundle costs Node tens of ms at start-up, and the session makes no TLS connections). The
 * session's command gets the full environment (from the configuration).
 */
function daemonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NODE_EXTRA_CA_CERTS === undefined) return env;
  const out = { ...env };
  delete out.NODE_EXTRA_CA_CERTS;
  return out;
}

/** A started session process and what it reports. */
interface DaemonHandle {
  child: ChildProcess;
  /** The `ready` or `fail` message; null if it exited (or timed out) without one. */
  outcome: Promise<DaemonMessage | null>;
}

function startDaemon(nodeArgs: string[], verbose: boolean, argv0: string): DaemonHandle {
  const child = spawn(process.execPath, nodeArgs, {
    detached: true,
    env: daemonEnv(process.env),
    stdio: verbose ? ["ignore", "inherit", "inherit", "ipc"] : ["ignore", "ignore", "ignore", "ipc"],
  });
  const outcome = new Promise<DaemonMessage | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), DAEMON_START_TIMEOUT);
    const done = (m: DaemonMessage | null): void => {
      clearTimeout(timer);
      resolve(m);
    };
    child.on("message", (raw) => {
      const m = raw as DaemonMessage;
      if (m.type === "stderr") process.stderr.write(m.text);
      else done(m);
    });
    child.once("error", (err) => done({ type: "fail", text: `${argv0}: ${err.message}\n` }));
    child.once("exit", () => done(null));
  });
  return { child, outcome };
}

/**
 * Runs `mosh-ts-server` as the first process: parses the command line, starts the session process
 * (detached, in its own session) at once so that its start-up overlaps the locale check, sends it
 * the configuration, and prints `MOSH CONNECT <port> <key>` and the banner once it has bound its
 * port. Resolves with the exit status.
 */
export async function runServerCli(args: readonly string[], argv0: string, script: string): Promise<number> {
  const env = process.env;
  const parsed = parseServerCommandLine(args, argv0, env);
  if (parsed.kind === "exit") {
    process.stdout.write(parsed.stdout);
    process.stderr.write(parsed.stderr);
    return parsed.code;
  }
  const verbose = parsed.config.verbose > 0;
  const daemon = startDaemon(
    [...process.execArgv, ...SERVER_NODE_FLAGS, script, DAEMON_FLAG],
    verbose,
    argv0,
  );
  process.stderr.write(parsed.stderr);
  const locale = checkLocale(env, parsed.localeVars);
  process.stderr.write(locale.stderr);
  if (!locale.ok) {
    killQuietly(daemon.child);
    spawnSync("locale", [], { stdio: ["ignore", "inherit", "inherit"], env: locale.env });
    return 1;
  }
  const net = parseTimeoutVariable("MOSH_SERVER_NETWORK_TMOUT", env.MOSH_SERVER_NETWORK_TMOUT);
  const sig = parseTimeoutVariable("MOSH_SERVER_SIGNAL_TMOUT", env.MOSH_SERVER_SIGNAL_TMOUT);
  process.stderr.write(net.warning + sig.warning);
  const config: ServerConfig = {
    ...parsed.config,
    networkTimeout: net.seconds,
    signalTimeout: sig.seconds,
    ...stdinWindowSize(),
    env: locale.env,
  };
  const { child } = daemon;
  if (child.connected) child.send(config, (err) => err && killQuietly(child));
  const result = await daemon.outcome;
  if (result === null || result.type !== "ready") {
    if (result?.type === "fail") process.stderr.write(result.text);
    else process.stderr.write(`${argv0}: the session process did not start\n`);
    killQuietly(child);
    return 1;
  }
  if (process.stdin.isTTY) process.stdout.write("\r\n\n");
  process.stdout.write(`MOSH CONNECT ${result.port} ${result.key}\n`);
  process.stderr.write(detachBanner(argv0, child.pid ?? 0));
  child.disconnect();
  child.unref();
  return 0;
}

function killQuietly(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
  }
}
