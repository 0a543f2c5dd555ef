// mosh-ts-server as one process (run by the program's sh preamble, from the V8 code cache): mosh-server's start-up texts straight to the terminal, then the session.
import { closeSync, openSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { detachBanner } from "./command-line.js";
import { serveSession } from "./serve-session.js";
import { prepareServerConfig } from "./server-config.js";

/**
 * The argument (after the program's path) that runs mosh-ts-server as one process. The program's
 * sh preamble passes it after starting Node in a new session (`setsid`), and reads the exit status
 * from fd 3, which this process closes once MOSH CONNECT and the banner are out.
 */
export const DIRECT_FLAG = "--session-direct";

/**
 * Where the program's sh preamble keeps NODE_EXTRA_CA_CERTS while Node starts (reading a CA bundle
 * costs Node tens of ms at start-up, and the server makes no TLS connections); the session's
 * command gets it back.
 */
export const SAVED_CA_CERTS_VAR = "MOSH_TS_NODE_EXTRA_CA_CERTS";

/** Gives the environment back the NODE_EXTRA_CA_CERTS the preamble set aside. */
export function restoreCaCertsVariable(env: NodeJS.ProcessEnv): void {
  const saved = env[SAVED_CA_CERTS_VAR];
  if (saved === undefined) return;
  delete env[SAVED_CA_CERTS_VAR];
  env.NODE_EXTRA_CA_CERTS = saved;
}

/** Where the sh preamble reads the exit status. */
const STATUS_FD = 3;

function write(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off);
  } catch {
    // the terminal is gone
  }
}

function reportStatus(status: number): void {
  write(STATUS_FD, `${status}\n`);
  try {
    closeSync(STATUS_FD);
  } catch {
    // not open (not started by the preamble)
  }
}

/** Points `fd` at /dev/null (close, then open: the lowest free descriptor is `fd`). */
function toDevNull(fd: number, flags: "r" | "w"): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
  try {
    const got = openSync("/dev/null", flags);
    if (got !== fd) closeSync(got);
  } catch {
    // leave it closed
  }
}

/**
 * Runs `mosh-ts-server` as a single process: parses the command line and checks the locale (with
 * mosh-server's texts and exit status), binds, prints `MOSH CONNECT <port> <key>` and the banner
 * (with its own pid), then detaches from the terminal (stdin, stdout, stderr to /dev/null unless
 * `-v`), reports the exit status on fd 3, and serves the session. Writes to the terminal with
 * plain `write(2)`s only, so that no stream keeps it open. Resolves with the process's exit status.
 */
export async function runServerDirect(args: readonly string[], argv0: string): Promise<number> {
  const env = process.env;
  restoreCaCertsVariable(env);
  const prepared = prepareServerConfig(args, argv0, env, {
    stdout: (text) => write(1, text),
    stderr: (text) => write(2, text),
  });
  if ("status" in prepared) {
    reportStatus(prepared.status);
    return prepared.status;
  }
  const { config } = prepared;
  let status = 1;
  return serveSession(config, argv0, {
    stderr: (text) => write(2, text),
    fail: (text) => write(2, text),
    ready(port, key) {
      if (isatty(0)) write(1, "\r\n\n");
      write(1, `MOSH CONNECT ${port} ${key}\n`);
      write(2, detachBanner(argv0, process.pid));
      status = 0;
      return Promise.resolve();
    },
    done() {
      if (config.verbose === 0) {
        toDevNull(0, "r");
        toDevNull(1, "w");
        toDevNull(2, "w");
      }
      reportStatus(status);
    },
  });
}
