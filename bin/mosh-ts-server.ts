// mosh-ts-server: a drop-in for mosh-server (`mosh-ts-server new [-s] [-i IP] [-p PORT[:PORT2]] [-c COLORS] [-l NAME=VALUE]... [-v] [-- command...]`).
import { basename } from "node:path";
import { DAEMON_FLAG, runServerCli, runServerDaemon } from "../sdk/session/server-cli.js";

const script = process.argv[1] ?? "mosh-ts-server";
const argv0 = basename(script).replace(/\.[cm]?js$/, "");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const status =
    args[0] === DAEMON_FLAG ? await runServerDaemon(argv0) : await runServerCli(args, argv0, script);
  process.exit(status);
}

void main();
