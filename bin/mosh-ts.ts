// mosh-ts: the `mosh` wrapper (`mosh-ts [options] [user@]host [-- command...]`): SSH bootstrap, then the mosh client.
import { basename } from "node:path";
import { runCli } from "../sdk/bootstrap/cli.js";

const argv0 = basename(process.argv[1] ?? "mosh-ts").replace(/\.[cm]?js$/, "");

runCli(process.argv.slice(2), {
  argv0,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (status) => process.exit(status),
  (err: unknown) => {
    process.stderr.write(`${argv0}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(255);
  },
);
