// mosh-ts-server's configuration: the one preparation both ways of starting share (command line, locale check, timeout variables, window size), with mosh-server's texts and exit statuses.
import { spawnSync } from "node:child_process";
import { isatty } from "node:tty";
import { type WindowSize, windowSize } from "../../sdk/terminal/window-size.js";
import { parseServerCommandLine, parseTimeoutVariable, type ServerOptions } from "./command-line.js";
import { checkLocale } from "./locale-check.js";

/** Everything the session needs, as checked at start-up (no secrets: it crosses to the session process over IPC). */
export interface ServerConfig extends ServerOptions {
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

/** The window size of the terminal on stdin (mosh-server's initial pty size), by the one window-size rule. */
export function stdinWindowSize(): WindowSize {
  if (isatty(0)) {
    const r = spawnSync("stty", ["size"], { stdio: ["inherit", "pipe", "ignore"], encoding: "utf8" });
    const m = /^(\d+) (\d+)/.exec(r.stdout ?? "");
    if (m) return windowSize(Number(m[2]), Number(m[1]));
  }
  return windowSize(undefined, undefined);
}

/** Where {@link prepareServerConfig} writes mosh-server's texts. */
export interface StartOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * mosh-server's start-up checks, as both ways of running mosh-ts-server do them: parses the
 * command line (help, version and bad command lines end here), checks the locale (on failure runs
 * `locale`, as mosh-server does, and ends with status 1), reads MOSH_SERVER_NETWORK_TMOUT and
 * MOSH_SERVER_SIGNAL_TMOUT, and takes the window size of the terminal on stdin. The texts go to
 * `out` as they arise. `onParsed` runs as soon as the command line is good, before the locale
 * check (the first process of two starts the session process there, so that its start-up
 * overlaps the check).
 * @returns the configuration, or the exit status.
 */
export function prepareServerConfig(
  args: readonly string[],
  argv0: string,
  env: NodeJS.ProcessEnv,
  out: StartOutput,
  onParsed?: (verbose: number) => void,
): { config: ServerConfig } | { status: number } {
  const parsed = parseServerCommandLine(args, argv0, env);
  if (parsed.kind === "exit") {
    out.stdout(parsed.stdout);
    out.stderr(parsed.stderr);
    return { status: parsed.code };
  }
  onParsed?.(parsed.config.verbose);
  out.stderr(parsed.stderr);
  const locale = checkLocale(env, parsed.localeVars);
  out.stderr(locale.stderr);
  if (!locale.ok) {
    spawnSync("locale", [], { stdio: ["ignore", "inherit", "inherit"], env: locale.env });
    return { status: 1 };
  }
  const net = parseTimeoutVariable("MOSH_SERVER_NETWORK_TMOUT", env.MOSH_SERVER_NETWORK_TMOUT);
  const sig = parseTimeoutVariable("MOSH_SERVER_SIGNAL_TMOUT", env.MOSH_SERVER_SIGNAL_TMOUT);
  out.stderr(net.warning + sig.warning);
  return {
    config: {
      ...parsed.config,
      networkTimeout: net.seconds,
      signalTimeout: sig.seconds,
      ...stdinWindowSize(),
      env: locale.env,
    },
  };
}
