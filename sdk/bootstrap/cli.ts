// The `mosh-ts [options] [user@]host [-- command...]` program: options, progress lines, specific errors, then the terminal client.
import { execFileSync } from "node:child_process";
import type { ReadStream, WriteStream } from "node:tty";
import { Command, CommanderError, Option } from "commander";
import { runTerminalClient, type TerminalClientOptions } from "../session/terminal-client.js";
import { versionBlock } from "../version.js";
import { BootstrapError } from "./errors.js";
import { startLocalServer } from "./local-server.js";
import type { ProgressEvent } from "./progress.js";
import { type PromptFn, ttyPrompt } from "./prompt.js";
import { colorsFromTerm, parseBindServer, parsePortRange } from "./remote-command.js";
import { parseTarget } from "./ssh-config.js";
import type { AddressFamilyPolicy } from "./ssh-transport.js";
import { type BootstrapOptions, type BootstrapResult, bootstrap } from "./start-server.js";
import { probeUdpPort } from "./udp-probe.js";

/** The program's surroundings; everything but the streams and env has a default (tests inject them). */
export interface CliIo {
  stdin: ReadStream;
  stdout: WriteStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Program name in messages (default `mosh-ts`). */
  argv0?: string;
  /** Default: prompts on /dev/tty. */
  prompt?: PromptFn;
  /** Default: {@link runTerminalClient}. When injected, stdin/stdout need not be terminals. */
  runClient?: (o: TerminalClientOptions) => Promise<number>;
  /** Extra bootstrap options (tests: `home`, `systemConfigFile`, timeouts). */
  defaults?: Partial<BootstrapOptions>;
}

const PREDICT_MODES = ["adaptive", "always", "never", "experimental"];
const FAMILIES = ["inet", "inet6", "auto", "all", "prefer-inet", "prefer-inet6"];

/** How long the CLI's client waits for the first UDP reply before saying UDP may be blocked. */
export const UDP_CONNECT_TIMEOUT_MS = 5000;

/** Exit status for failures before the session (as mosh and ssh: 255). */
export const BOOTSTRAP_FAILURE = 255;

interface Parsed {
  target: string | undefined;
  command: string[];
  opts: {
    server: string;
    predict?: string;
    a?: boolean;
    n?: boolean;
    predictOverwrite?: boolean;
    port?: string;
    family?: string;
    4?: boolean;
    6?: boolean;
    bindServer: string;
    init: boolean;
    local?: boolean;
    sshPty: boolean;
    sshPort?: string;
    identity: string[];
    option: string[];
    version?: boolean;
  };
}

function program(argv0: string, io: CliIo): Command {
  const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];
  return new Command()
    .name(argv0)
    .usage("[options] [user@]host [-- command...]")
    .description("Connect to a host over SSH, start mosh-server there, and run a mosh session to it.")
    .argument("[host]", "[user@]host, or a Host alias from ~/.ssh/config")
    .argument("[command...]", "command to run instead of the login shell (after --)")
    .addOption(new Option("--server <command>", "mosh server on the remote machine").default("mosh-server"))
    .addOption(new Option("--predict <when>", "local echo: adaptive|always|never|experimental"))
    .addOption(new Option("-a", "synonym for --predict=always"))
    .addOption(new Option("-n", "synonym for --predict=never"))
    .addOption(new Option("--predict-overwrite", "prediction overwrites instead of inserting"))
    .addOption(new Option("--no-predict-overwrite", "prediction inserts (default)").hideHelp())
    .addOption(new Option("-p, --port <PORT[:PORT2]>", "server-side UDP port or range"))
    .addOption(new Option("--family <family>", "inet|inet6|auto|all|prefer-inet|prefer-inet6"))
    .addOption(new Option("-4", "synonym for --family=inet"))
    .addOption(new Option("-6", "synonym for --family=inet6"))
    .addOption(new Option("--bind-server <ssh|any|IP>", "what the server binds to").default("ssh"))
    .addOption(new Option("--no-init", "do not send terminal initialization string"))
    .addOption(new Option("--local", "run mosh-server locally without ssh (host must be a numeric IP)"))
    .addOption(new Option("--no-ssh-pty", "do not allocate a pseudo-terminal on the ssh connection"))
    .addOption(new Option("--ssh-port <port>", "SSH port (like ssh -p)"))
    .addOption(new Option("-i <identity>", "identity file (like ssh -i; repeatable)").argParser(collect))
    .addOption(new Option("-o <Key=Value>", "ssh_config option (like ssh -o; repeatable)").argParser(collect))
    .addOption(new Option("--version", "print the version and exit"))
    .helpOption("--help", "display this help and exit")
    .passThroughOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
}

function parse(argv0: string, args: string[], io: CliIo): Parsed | number {
  const cmd = program(argv0, io);
  try {
    cmd.parse(args, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  const raw = cmd.opts();
  const [target, rest] = cmd.processedArgs as [string | undefined, string[]];
  const command = rest[0] === "--" ? rest.slice(1) : rest;
  return {
    target,
    command,
    opts: {
      ...(raw as Parsed["opts"]),
      identity: (raw.i as string[] | undefined) ?? [],
      option: (raw.o as string[] | undefined) ?? [],
    },
  };
}

/** The terminal's colour count, as `mosh-client -c` prints it (terminfo `colors`). */
function terminalColors(env: NodeJS.ProcessEnv): number {
  try {
    const out = execFileSync("tput", ["colors"], {
      encoding: "utf8",
      env,
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 2000,
    }).trim();
    const n = Number(out);
    return /^-?\d+$/.test(out) && n >= 0 ? n : 0;
  } catch {
    return colorsFromTerm(env.TERM);
  }
}

function progressLine(e: ProgressEvent): string | null {
  switch (e.kind) {
    case "resolving":
      return null;
    case "connecting":
      return e.via
        ? `connecting to ${e.host} port ${e.port} via ${e.via}`
        : `connecting to ${e.host} port ${e.port}${e.address && e.address !== e.host ? ` (${e.address})` : ""}`;
    case "authenticating":
      return `authenticating as ${e.user} on ${e.host}`;
    case "starting-server":
      return `starting the mosh server on ${e.host}`;
    case "connected":
      return `mosh-server is listening on ${e.host} UDP port ${e.port}`;
  }
}

/**
 * Runs the program; resolves with its exit status: 0/1 from the session as mosh-client gives
 * them, 255 when the bootstrap failed, 1 for usage errors.
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const argv0 = io.argv0 ?? "mosh-ts";
  const err = (s: string) => io.stderr.write(s.endsWith("\n") ? s : s + "\n");
  const parsed = parse(argv0, args, io);
  if (typeof parsed === "number") return parsed;
  const { opts, command } = parsed;
  if (opts.version) {
    io.stdout.write(versionBlock(argv0));
    return 0;
  }
  const usage = () =>
    err(`Usage: ${argv0} [options] [user@]host [-- command...]\nTry '${argv0} --help' for more information.`);
  if (!parsed.target) {
    usage();
    return 1;
  }

  const envPredict = io.env.MOSH_PREDICTION_DISPLAY;
  const predict = opts.a ? "always" : opts.n ? "never" : (opts.predict ?? envPredict ?? "adaptive");
  if (!PREDICT_MODES.includes(predict)) {
    const why =
      opts.predict === undefined && !opts.a && !opts.n ? " (MOSH_PREDICTION_DISPLAY in environment)" : "";
    err(`${argv0}: Unknown mode "${predict}"${why}.\n`);
    usage();
    return 1;
  }
  const family = opts[4] ? "inet" : opts[6] ? "inet6" : (opts.family ?? "prefer-inet");
  if (!FAMILIES.includes(family)) {
    err(`${argv0}: Unknown address family "${family}".`);
    return 1;
  }
  let sshPort: number | undefined;
  try {
    if (opts.port !== undefined) parsePortRange(opts.port, argv0);
    parseBindServer(opts.bindServer, argv0);
    parseTarget(parsed.target);
    if (opts.sshPort !== undefined) {
      if (!/^\d+$/.test(opts.sshPort) || Number(opts.sshPort) < 1 || Number(opts.sshPort) > 65535) {
        throw new BootstrapError("bad-argument", `${argv0}: Bad SSH port (${opts.sshPort})`);
      }
      sshPort = Number(opts.sshPort);
    }
  } catch (e) {
    if (!(e instanceof BootstrapError)) throw e;
    err(e.message);
    return 1;
  }

  const runClient = io.runClient ?? runTerminalClient;
  if (!io.runClient) {
    if (!io.stdin.isTTY || !io.stdout.isTTY) {
      err(`${argv0}: standard input and output must be a terminal for the mosh session.`);
      return 1;
    }
    const ctype = io.env.LC_ALL || io.env.LC_CTYPE || io.env.LANG || "C";
    if (!/utf-?8/i.test(ctype)) {
      // mosh-client's check and text (mosh-protocol.md §11.1), made before any server is started.
      const charset = ctype === "C" || ctype === "POSIX" ? "ANSI_X3.4-1968" : ctype;
      err(
        `${argv0} needs a UTF-8 native locale to run.\n\nUnfortunately, the client's environment (${ctype}) specifies\n` +
          `the character set "${charset}".\n`,
      );
      return 1;
    }
  }

  const options: BootstrapOptions = {
    env: io.env,
    prompt: io.prompt ?? ttyPrompt(),
    onMessage: (m) => err(m),
    onServerOutput: (line) => io.stdout.write(`${line}\n`),
    onProgress: (e) => {
      const line = progressLine(e);
      if (line) err(`${argv0}: ${line}`);
    },
    family: family as AddressFamilyPolicy,
    server: opts.server,
    colors: terminalColors(io.env),
    bindServer: opts.bindServer,
    serverPort: opts.port,
    command,
    pty: opts.sshPty,
    cols: io.stdout.columns || 80,
    rows: io.stdout.rows || 24,
    sshPort,
    identityFiles: opts.identity,
    sshOptions: opts.option,
    ...io.defaults,
  };

  let started: BootstrapResult;
  try {
    started = opts.local
      ? await startLocalServer(parseTarget(parsed.target).host, options)
      : await bootstrap(parsed.target, options);
    if ((await probeUdpPort(started.host, started.port)) === "refused") {
      throw new BootstrapError(
        "udp-timeout",
        `no UDP reply from ${started.host} port ${started.port} (the port is unreachable). ` +
          `mosh-server printed that port, but nothing answers there: UDP to port ${started.port} may be blocked, ` +
          "or the server exited.",
      );
    }
  } catch (e) {
    if (!(e instanceof BootstrapError)) throw e;
    err(e.message.startsWith("@") ? e.message : `${argv0}: ${e.message}`);
    return BOOTSTRAP_FAILURE;
  }

  const env: NodeJS.ProcessEnv = { ...io.env, MOSH_PREDICTION_DISPLAY: predict };
  delete env.MOSH_KEY;
  if (opts.predictOverwrite) env.MOSH_PREDICTION_OVERWRITE = "yes";
  else if (opts.predictOverwrite === false) delete env.MOSH_PREDICTION_OVERWRITE;
  if (!opts.init) env.MOSH_NO_TERM_INIT = "1";
  return runClient({
    ip: started.host,
    port: started.port,
    key: started.key,
    env,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    // SSH already worked, so silence on UDP means UDP is blocked: say so within a few seconds.
    connectTimeoutMs: UDP_CONNECT_TIMEOUT_MS,
  });
}
