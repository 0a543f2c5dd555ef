// mosh-client's command line (`[-# 'ARGS'] [-v] IP PORT`, `-c`, `--help`, `--version`): glibc getopt's rules and mosh-client's texts.
import { versionBlock } from "../../sdk/version.js";

/** What the command line asks for. */
export type ClientCommand =
  /** Print and exit (help, version, usage errors). */
  | { kind: "exit"; code: number; stdout: string; stderr: string }
  /** `-c`: print the terminal's colour count. */
  | { kind: "colors" }
  /** Run a session to `ip` `port` (the port is all digits; the rest is checked later, as mosh-client does). */
  | { kind: "run"; ip: string; port: string; verbose: number };

/** mosh-client's usage block (its version block, then the two usage lines). */
export function clientUsage(argv0: string): string {
  return `${versionBlock(argv0)}\nUsage: ${argv0} [-# 'ARGS'] IP PORT\n       ${argv0} -c\n`;
}

/**
 * Parses the arguments as mosh-client does: `--help` or `--version` anywhere win; then glibc
 * `getopt(argc, argv, "#:cv")` (arguments permuted unless `POSIXLY_CORRECT` is set, `--` ends the
 * options, `-` is an operand), acting on each option in turn (`-c` at once); then exactly two
 * operands, the second all digits. Errors give getopt's and mosh-client's texts and status 1.
 */
export function parseClientArgs(
  argv0: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ClientCommand {
  if (args.includes("--help")) return { kind: "exit", code: 0, stdout: clientUsage(argv0), stderr: "" };
  if (args.includes("--version")) return { kind: "exit", code: 0, stdout: versionBlock(argv0), stderr: "" };
  const usage = (before = ""): ClientCommand => ({
    kind: "exit",
    code: 1,
    stdout: "",
    stderr: before + clientUsage(argv0),
  });
  const operands: string[] = [];
  let verbose = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.length < 2 || a[0] !== "-") {
      if (env.POSIXLY_CORRECT !== undefined) {
        operands.push(...args.slice(i));
        break;
      }
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (c === "#") {
        // Takes the rest of this word, else the next word (mosh's wrapper passes its command line here).
        if (j + 1 < a.length) break;
        if (i + 1 >= args.length) return usage(`${argv0}: option requires an argument -- '#'\n`);
        i++;
        break;
      }
      if (c === "c") return { kind: "colors" };
      if (c === "v") verbose++;
      else return usage(`${argv0}: invalid option -- '${c}'\n`);
    }
  }
  if (operands.length !== 2) return usage();
  const [ip, port] = operands;
  if (!/^\d*$/.test(port)) return usage(`${argv0}: Bad UDP port (${port})\n\n`);
  return { kind: "run", ip, port, verbose };
}
