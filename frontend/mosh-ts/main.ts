// mosh-ts, the program: the `mosh` wrapper (`mosh-ts [options] [user@]host [-- command...]`) on this process's arguments, terminal and environment.
import { basename } from "node:path";
import { runCli } from "./cli.js";

/** Runs mosh-ts: SSH bootstrap, then the mosh client; exits the process with mosh's status. */
export function runMoshTs(): void {
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
}
