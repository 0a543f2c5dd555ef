// mosh-ts-server's command line: mosh-server's options, texts, locale check, detaching, signals and timeouts (§7.3–7.5, §10).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { isIP } from "node:net";
import { versionBlock } from "../version.js";
import type { MoshServer, ServerExitInfo } from "./server-session.js";

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

/** The banner the first process prints on stderr after detaching (mosh-server's, with our name). */
export function detachBanner(argv0: string, pid: number): string {
  return `\n${versionBlock(argv0)}\n[${argv0} detached, pid = ${pid}]\n`;
}

/** The window size of the stdin tty (mosh-server's initial pty size), else 80x24. */
function stdinWindowSize(): { cols: number; rows: number } {
  if (process.stdin.isTTY) {
    const r = spawnSync("stty", ["size"], { stdio: ["inherit", "pipe", "ignore"], encoding: "utf8" });
    const m = /^(\d+) (\d+)/.exec(r.stdout ?? "");
    if (m && Number(m[1]) > 0 && Number(m[2]) > 0) return { rows: Number(m[1]), cols: Number(m[2]) };
  }
  return { cols: 80, rows: 24 };
}

/** Messages between the first process and the session process (over the inherited IPC channel; the key never touches argv or env). */
type DaemonMessage =
  | { type: "stderr"; text: string }
  | { type: "ready"; port: number; key: string }
  | { type: "fail"; text: string };

/** How long the first process waits for the session process to bind. */
const DAEMON_START_TIMEOUT = 30000;

/**
 * Runs `mosh-ts-server` as the first process: parses the command line, checks the locale, starts
 * the session process (detached, in its own session), and prints `MOSH CONNECT <port> <key>` and
 * the banner once it has bound its port. Resolves with the exit status.
 */
export async function runServerCli(args: readonly string[], argv0: string, script: string): Promise<number> {
  const env = process.env;
  const parsed = parseServerCommandLine(args, argv0, env);
  if (parsed.kind === "exit") {
    process.stdout.write(parsed.stdout);
    process.stderr.write(parsed.stderr);
    return parsed.code;
  }
  process.stderr.write(parsed.stderr);
  const locale = checkLocale(env, parsed.localeVars);
  process.stderr.write(locale.stderr);
  if (!locale.ok) {
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
  const verbose = config.verbose > 0;
  const child = spawn(process.execPath, [...process.execArgv, script, DAEMON_FLAG], {
    detached: true,
    env: locale.env,
    stdio: verbose ? ["ignore", "inherit", "inherit", "ipc"] : ["ignore", "ignore", "ignore", "ipc"],
  });
  const outcome = await new Promise<DaemonMessage | null>((resolve) => {
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
    child.send(config);
  });
  if (outcome === null || outcome.type !== "ready") {
    if (outcome?.type === "fail") process.stderr.write(outcome.text);
    else process.stderr.write(`${argv0}: the session process did not start\n`);
    killQuietly(child);
    return 1;
  }
  if (process.stdin.isTTY) process.stdout.write("\r\n\n");
  process.stdout.write(`MOSH CONNECT ${outcome.port} ${outcome.key}\n`);
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

/** strerror-like text for a bind error (mosh prints `bind: <strerror>`). */
function bindErrorText(err: Error): string {
  const texts: Record<string, string> = {
    EADDRINUSE: "Address already in use",
    EADDRNOTAVAIL: "Cannot assign requested address",
    EACCES: "Permission denied",
    EINVAL: "Invalid argument",
    EAFNOSUPPORT: "Address family not supported by protocol",
  };
  const code = (err as { code?: unknown }).code;
  return `bind: ${typeof code === "string" && texts[code] ? texts[code] : err.message}`;
}

/**
 * Runs the detached session process: receives its configuration from the first process, binds,
 * reports the port and key back over the IPC channel, then serves the session until it ends.
 * Resolves with the exit status.
 */
export async function runServerDaemon(argv0: string): Promise<number> {
  // The session modules (xterm, node-pty, ...) load only here, and while the config is on its way;
  // the first process never loads them, so it prints MOSH CONNECT sooner.
  const sessionModule = import("./server-session.js");
  sessionModule.catch(() => undefined);
  const config = await new Promise<ServerConfig | null>((resolve) => {
    if (!process.send) {
      resolve(null);
      return;
    }
    process.once("message", (m) => resolve(m as ServerConfig));
    process.once("disconnect", () => resolve(null));
  });
  if (config === null) return 1;
  // mosh-server ignores SIGHUP and SIGPIPE once detached.
  process.on("SIGHUP", () => undefined);
  process.on("SIGPIPE", () => undefined);
  const send = (m: DaemonMessage): void => {
    if (process.connected) process.send?.(m);
  };
  const stderr = (text: string): void => {
    if (process.connected) send({ type: "stderr", text });
    else if (config.verbose > 0) process.stderr.write(text);
  };
  const log = (line: string): void => {
    if (config.verbose > 0) process.stderr.write(`${line}\n`);
  };
  let bindAddress = config.bindAddress ?? undefined;
  if (bindAddress !== undefined && !isIP(bindAddress)) {
    stderr(
      `Error binding to IP ${bindAddress}: Bad IP address (${bindAddress}): Name or service not known\n`,
    );
    bindAddress = undefined;
  }
  const range = config.port ?? [60001, 60999];
  let server: MoshServer;
  try {
    const { MoshServer } = await sessionModule;
    server = await MoshServer.start({
      command: config.command ?? undefined,
      env: config.env,
      bindAddress,
      port: range[0] === range[1] ? range[0] : range,
      cols: config.cols,
      rows: config.rows,
      term: config.colors === 256 ? "xterm-256color" : "xterm",
      networkTimeoutMs: config.networkTimeout * 1000,
      log,
      onBindError: (address, err) =>
        stderr(
          `Failed binding to ${address}:${range[1]}\nError binding to IP ${address}: ${bindErrorText(err)}\n`,
        ),
    });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const any = bindAddress?.includes(":") ? "::" : "0.0.0.0";
    send({
      type: "fail",
      text:
        `Failed binding to ${any}:${range[1]}\n` +
        `Error binding to any interface: ${bindErrorText(e)}\n` +
        `Network exception: ${bindErrorText(e)}\n`,
    });
    return 1;
  }
  if (config.verbose > 1) server.on("error", (err) => process.stderr.write(`${err.message}\n`));
  const exited = new Promise<ServerExitInfo>((resolve) => server.once("exit", resolve));
  // The key travels back over the IPC channel only; then the channel is closed.
  await new Promise<void>((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send({ type: "ready", port: server.port, key: server.key.reveal() } satisfies DaemonMessage, () =>
      resolve(),
    );
  });
  if (process.connected) process.disconnect();
  const shutdown = (): void => void server.close();
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  process.on("SIGUSR1", () => {
    const idle = server.idleMs;
    const limit = config.signalTimeout * 1000;
    if (!limit || limit <= idle) {
      log(`Network idle for ${Math.floor(idle / 1000)} seconds when SIGUSR1 received`);
      void server.close();
    }
  });
  await exited;
  await new Promise<void>((resolve) => process.stdout.write(`\n[${argv0} is exiting.]\n`, () => resolve()));
  return 0;
}
