// mosh-ts-server: a drop-in for mosh-server (`mosh-ts-server new [-s] [-i IP] [-p PORT[:PORT2]] [-c COLORS] [-l NAME=VALUE]... [-v] [-- command...]`).
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DAEMON_FLAG, runServerCli, runServerDaemon, snapshotBlobName } from "../sdk/session/server-cli.js";

const script = process.argv[1] ?? "mosh-ts-server";
const argv0 = basename(script).replace(/\.[cm]?js$/, "");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // The build puts the session process's start-up snapshot beside this file (dist/bin/).
  const self = fileURLToPath(import.meta.url);
  const snapshot = { blob: join(dirname(self), snapshotBlobName()), script: self };
  const status =
    args[0] === DAEMON_FLAG
      ? await runServerDaemon(argv0)
      : await runServerCli(args, argv0, script, { snapshot });
  process.exit(status);
}

void main();
