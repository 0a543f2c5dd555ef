// mosh-server's command line and texts: `new` + getopt `@:i:p:c:svl:`, `--help`, `--version`, the legacy `[IP [PORT]]` forms, port ranges, the timeout variables, the detach banner (docs/mosh-protocol.md §7.3–7.5, §10).
import type { PortRange, PortRangeParse } from "../../sdk/transport/port-range.js";
import { versionBlock } from "../../sdk/version.js";

/** What mosh-server's command line sets (no secrets). */
export interface ServerOptions {
  /** The command (argv), or null for the login shell. */
  command: string[] | null;
  /** Address to bind first (`-i` / `-s`), or null for any interface. */
  bindAddress: string | null;
  /** Port range (inclusive); `[0, 0]` = the OS chooses; null = the default 60001..60999. */
  port: PortRange | null;
  /** `-c`: TERM is xterm-256color for 256, else xterm. */
  colors: number;
  /** Number of `-v`. */
  verbose: number;
}

/** The outcome of parsing the command line: run with a config, or exit with a status. */
export type ParsedCommandLine =
  | {
      kind: "run";
      config: ServerOptions;
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
export function parsePortRange(text: string): PortRangeParse {
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
  let range: PortRange | null = null;
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

/** The banner printed on stderr once MOSH CONNECT is out (mosh-server's, with our name). */
export function detachBanner(argv0: string, pid: number): string {
  return `\n${versionBlock(argv0)}\n[${argv0} detached, pid = ${pid}]\n`;
}
