// The mosh wrapper's remote command line (docs/mosh-protocol.md §12.2): quoting, server arguments, locale, port checks.
import { isIP } from "node:net";
import { LOCALE_VARS } from "../terminal/locale.js";
import type { PortRangeParse } from "../transport/port-range.js";
import { BootstrapError } from "./errors.js";

/**
 * The prefix of mosh's `remote` mode: prints the server's own address from `SSH_CONNECTION`
 * (used when SSH went through a jump host or a proxy command, so the TCP peer is not the server).
 */
export const SSH_CONNECTION_PREFIX = `sh -c '[ -n "$SSH_CONNECTION" ] && printf "\\nMOSH SSH_CONNECTION %s\\n" "$SSH_CONNECTION"' ; `;

/** Single-quotes one argument for a POSIX shell (an embedded `'` becomes `'\''`). */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** What goes on the server's command line. */
export interface ServerCommandOptions {
  /** The server command, inserted unquoted (default `mosh-server`; `env X=1 mosh-server` works). */
  server?: string;
  /** Colour count for `-c` (the terminal's terminfo `colors`; negative becomes 0 as in mosh). */
  colors: number;
  /** `--bind-server`: `ssh` (default: `-s`), `any` (nothing) or an IP address (`-i IP`). */
  bind?: string;
  /** With `--local`, `ssh` binding means `-i <this address>`. */
  localAddress?: string;
  /** `-p PORT[:PORT2]` (already validated with {@link parsePortRange}). */
  port?: string;
  /** `NAME=VALUE` entries for `-l`, in order (see {@link localeArgs}). */
  locale: readonly string[];
  /** The command to run instead of the login shell (after `--`). */
  command?: readonly string[];
}

/** `NAME=VALUE` for each locale variable (in mosh's order) defined in `env`: what the wrapper forwards with `-l`. */
export function localeArgs(env: NodeJS.ProcessEnv): string[] {
  return LOCALE_VARS.filter((n) => env[n] !== undefined).map((n) => `${n}=${env[n]}`);
}

/** The server's arguments in mosh's order: `new`, `-c N`, bind, `-p`, `-l`..., then `--` and the command. */
export function serverArgs(o: ServerCommandOptions): string[] {
  const args = ["new", "-c", String(Number.isInteger(o.colors) && o.colors >= 0 ? o.colors : 0)];
  const bind = o.bind ?? "ssh";
  if (bind === "ssh") args.push(...(o.localAddress !== undefined ? ["-i", o.localAddress] : ["-s"]));
  else if (bind !== "any") args.push("-i", bind);
  if (o.port !== undefined) args.push("-p", o.port);
  for (const l of o.locale) args.push("-l", l);
  if (o.command && o.command.length > 0) args.push("--", ...o.command);
  return args;
}

/** The one remote command string: the server command unquoted, then each argument single-quoted. */
export function remoteCommandLine(o: ServerCommandOptions, reportSshConnection = false): string {
  const line = [o.server ?? "mosh-server", ...serverArgs(o).map(shellQuote)].join(" ");
  return reportSshConnection ? SSH_CONNECTION_PREFIX + line : line;
}

/**
 * Parses `-p PORT[:PORT2]` with the wrapper's rules and messages (`argv0` prefixes them); the same
 * contract as mosh-server's parser (frontend/server), whose rules and messages differ.
 * @returns the range, or the error line the wrapper prints (then it exits with status 255).
 */
export function parsePortRange(text: string, argv0 = "mosh-ts"): PortRangeParse {
  const m = /^(\d+)(:(\d+))?$/.exec(text);
  if (!m) return { error: `${argv0}: Server-side port or range (${text}) is not valid.` };
  const low = Number(m[1]);
  if (low < 0 || low > 65535)
    return { error: `${argv0}: Server-side (low) port (${m[1]}) must be within valid range [0..65535].` };
  if (m[3] === undefined) return { range: [low, low] };
  const high = Number(m[3]);
  if (high <= 0 || high > 65535)
    return { error: `${argv0}: Server-side high port (${m[3]}) must be within valid range [1..65535].` };
  if (low === 0)
    return { error: `${argv0}: Server-side port ranges may not be used with starting port 0 (${text}).` };
  if (low > high)
    return { error: `${argv0}: Server-side port range (${text}): low port greater than high port.` };
  return { range: [low, high] };
}

/** Validates `--bind-server`: `ssh`, `any` or a numeric IP address. */
export function parseBindServer(text: string, argv0 = "mosh-ts"): string {
  if (text === "ssh" || text === "any" || isIP(text) !== 0) return text;
  throw new BootstrapError("bad-argument", `${argv0}: Unknown server binding option: ${text}`);
}

/** The colour count `mosh-client -c` would print, guessed from TERM when terminfo is not consulted. */
export function colorsFromTerm(term: string | undefined): number {
  if (!term || term === "dumb") return 0;
  if (/256col/.test(term)) return 256;
  if (/direct|truecolor|24bit/.test(term)) return 16777216;
  return 8;
}
