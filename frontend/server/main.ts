// mosh-ts-server, the program: a drop-in for mosh-server (`mosh-ts-server new [-s] [-i IP] [-p PORT[:PORT2]] [-c COLORS] [-l NAME=VALUE]... [-v] [-- command...]`).
import { basename } from "node:path";
import { DAEMON_FLAG, DIRECT_FLAG } from "./entry-flags.js";

const script = process.argv[1] ?? "mosh-ts-server";
const argv0 = basename(script).replace(/\.[cm]?js$/, "");

/**
 * Three ways in: the program's sh preamble starts one process in a new session (`--session-direct`,
 * the usual way); `node mosh-ts-server.js ARGS` is the first process of two, which starts the
 * detached session process (`--session-daemon`) and prints what it reports. Each way loads only
 * its own modules (the bundle keeps them lazy), so the one-process start loads no child_process.
 */
export async function runMoshServer(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === DIRECT_FLAG) {
    const { runServerDirect } = await import("./server-direct.js");
    return runServerDirect(args.slice(1), argv0);
  }
  if (args[0] === DAEMON_FLAG) {
    const { runServerDaemon } = await import("./server-daemon.js");
    return runServerDaemon(argv0);
  }
  const { runServerCli } = await import("./server-cli.js");
  return runServerCli(args, argv0, script);
}
