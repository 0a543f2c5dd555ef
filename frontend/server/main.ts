// mosh-ts-server, the program: a drop-in for mosh-server (`mosh-ts-server new [-s] [-i IP] [-p PORT[:PORT2]] [-c COLORS] [-l NAME=VALUE]... [-v] [-- command...]`).
import { basename } from "node:path";
import { runServerCli } from "./server-cli.js";
import { DAEMON_FLAG, runServerDaemon } from "./server-daemon.js";
import { DIRECT_FLAG, runServerDirect } from "./server-direct.js";

const script = process.argv[1] ?? "mosh-ts-server";
const argv0 = basename(script).replace(/\.[cm]?js$/, "");

/**
 * Three ways in: the program's sh preamble starts one process in a new session (`--session-direct`,
 * the usual way); `node mosh-ts-server.js ARGS` is the first process of two, which starts the
 * detached session process (`--session-daemon`) and prints what it reports.
 */
export async function runMoshServer(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === DIRECT_FLAG) return runServerDirect(args.slice(1), argv0);
  if (args[0] === DAEMON_FLAG) return runServerDaemon(argv0);
  return runServerCli(args, argv0, script);
}
