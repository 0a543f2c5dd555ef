// mosh-ts-client, the program: a drop-in for mosh-client (`mosh-ts-client [-# 'ARGS'] IP PORT`, key in MOSH_KEY).
import { spawnSync } from "node:child_process";
import { basename } from "node:path";
import { clientCharset } from "../../sdk/terminal/locale.js";
import { readTerminfo } from "../../sdk/terminal/terminfo.js";
import { clientUsage, parseClientArgs } from "./client-cli.js";
import { removeFromEnvironment } from "./scrub-environment.js";

const argv0 = basename(process.argv[1] ?? "mosh-ts-client").replace(/\.[cm]?js$/, "");

function fail(message: string): never {
  process.stderr.write(message + clientUsage(argv0));
  process.exit(1);
}

/** The terminal's colour count from terminfo (`-c`), printed as mosh-client prints it; its exit status. */
function printColours(): number {
  const term = process.env.TERM;
  if (!term) {
    process.stderr.write("TERM environment variable not set.\n");
    return 1;
  }
  const entry = readTerminfo(process.env);
  if (!entry) {
    process.stderr.write(`'${term}': unknown terminal type.\n`);
    return 1;
  }
  process.stdout.write(`${entry.colors}\n`);
  return 0;
}

/** Whether the environment names a UTF-8 locale (LC_ALL, then LC_CTYPE, then LANG): the quick check. */
function utf8ByName(): boolean {
  return clientCharset(process.env) === "UTF-8";
}

/** Runs mosh-ts-client on this process's arguments, environment and terminal; exits the process with mosh-client's status. */
export async function runMoshClient(): Promise<void> {
  const command = parseClientArgs(argv0, process.argv.slice(2));
  if (command.kind === "exit") {
    process.stdout.write(command.stdout);
    process.stderr.write(command.stderr);
    process.exit(command.code);
  }
  if (command.kind === "colors") process.exit(printColours());
  const { ip, port: portText } = command;
  // mosh-client only checks for digits, then sends to port 0 or to the port modulo 65536 until it gives up.
  if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
    fail(`${argv0}: Bad UDP port (${portText})\n\n`);
  // From here on mosh-client's order: the key's presence, the prediction mode, the locale, the terminal;
  // the key's form and the IP address are checked when the session starts.
  const key = process.env.MOSH_KEY;
  if (key === undefined) {
    process.stderr.write("MOSH_KEY environment variable not found.\n");
    process.exit(1);
  }
  // Gone from process.env, and from what `ps e` and /proc/PID/environ show (mosh-client leaves it there).
  removeFromEnvironment("MOSH_KEY");
  // The session modules load only now: `-c` (which the mosh wrapper runs first), --help and bad
  // command lines answer without them.
  const { predictionFromEnv, runTerminalClient } = await import("./terminal-client.js");
  const prediction = predictionFromEnv(process.env);
  if ("error" in prediction) {
    process.stderr.write(`${prediction.error}\n`);
    process.exit(1);
  }
  if (!utf8ByName()) {
    // mosh-client's text (asking the C library, as it does), then its `locale` listing.
    const { clientLocaleRefusal } = await import("./locale-refusal.js");
    const refusal = clientLocaleRefusal(process.env, argv0);
    if (refusal !== null) {
      process.stderr.write(refusal);
      spawnSync("locale", [], { stdio: ["ignore", "inherit", "inherit"] });
      process.exit(1);
    }
  }
  // As mosh-client: the keyboard must be a terminal (tcgetattr on stdin); the output may go anywhere.
  if (!process.stdin.isTTY) {
    process.stderr.write("tcgetattr: Inappropriate ioctl for device\n");
    process.exit(1);
  }
  const status = await runTerminalClient({
    ip,
    port: Number(portText),
    key,
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  process.exit(status);
}
