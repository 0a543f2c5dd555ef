// mosh-ts-server's first process when it runs as two (`node mosh-ts-server.js ARGS`): mosh-server's start-up checks, then the detached session process, then MOSH CONNECT and the banner once it has bound (docs/mosh-protocol.md §7.3–7.5, §10).
import { type ChildProcess, spawn } from "node:child_process";
import { detachBanner } from "./command-line.js";
import { prepareServerConfig, type ServerConfig } from "./server-config.js";
import { DAEMON_FLAG, type DaemonMessage } from "./server-daemon.js";
import { SERVER_NODE_FLAGS } from "./server-node-flags.js";

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
 * Runs `mosh-ts-server` as the first process: mosh-server's start-up checks
 * ({@link prepareServerConfig}), with the session process (detached, in its own session) started
 * as soon as the command line is good so that its start-up overlaps the locale check; sends it
 * the configuration, and prints `MOSH CONNECT <port> <key>` and the banner once it has bound its
 * port. Resolves with the exit status.
 */
export async function runServerCli(args: readonly string[], argv0: string, script: string): Promise<number> {
  const started: { daemon?: DaemonHandle } = {};
  const prepared = prepareServerConfig(
    args,
    argv0,
    process.env,
    { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
    (verbose) => {
      started.daemon = startDaemon(
        [...process.execArgv, ...SERVER_NODE_FLAGS, script, DAEMON_FLAG],
        verbose > 0,
        argv0,
      );
    },
  );
  const { daemon } = started;
  if ("status" in prepared) {
    if (daemon) killQuietly(daemon.child);
    return prepared.status;
  }
  // (Started once the command line was good, which it is when a configuration comes back.)
  if (!daemon) return 1;
  const config: ServerConfig = prepared.config;
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
