// mosh-ts-client, the program: a drop-in for mosh-client (`mosh-ts-client [-# 'ARGS'] IP PORT`, key in MOSH_KEY).
import { isIP } from "node:net";
import { basename } from "node:path";
import { clientCharset, ctypeLocale } from "../../sdk/terminal/locale.js";
import { readTerminfo } from "../../sdk/terminal/terminfo.js";
import { clientUsage, parseClientArgs } from "./client-cli.js";

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
  if (portText === "" || Number(portText) > 65535) fail(`${argv0}: Bad UDP port (${portText})\n\n`);
  if (!isIP(ip)) fail(`${argv0}: Bad IP address (${ip})\n\n`);
  const key = process.env.MOSH_KEY;
  if (key === undefined) {
    process.stderr.write("MOSH_KEY environment variable not found.\n");
    process.exit(1);
  }
  delete process.env.MOSH_KEY;
  // mosh-client needs a UTF-8 locale; the environment decides it (LC_ALL, then LC_CTYPE, then LANG).
  const charset = clientCharset(process.env);
  if (charset !== "UTF-8") {
    process.stderr.write(
      `${argv0} needs a UTF-8 native locale to run.\n\nUnfortunately, the client's environment (${ctypeLocale(process.env)}) specifies\nthe character set "${charset}".\n\n`,
    );
    process.exit(1);
  }
  // The session modules load only now: `-c` (which the mosh wrapper runs first), --help and bad
  // command lines answer without them.
  const { predictionFromEnv, runTerminalClient } = await import("./terminal-client.js");
  const prediction = predictionFromEnv(process.env);
  if ("error" in prediction) {
    process.stderr.write(`${prediction.error}\n`);
    process.exit(1);
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
