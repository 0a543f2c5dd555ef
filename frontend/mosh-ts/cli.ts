// The `mosh-ts [options] [user@]host [command...]` program: mosh's options and texts, progress lines, specific errors, then the terminal client.
import { execFileSync, spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import type { ReadStream, WriteStream } from "node:tty";
import { BootstrapError } from "../../sdk/bootstrap/errors.js";
import { startLocalServer } from "../../sdk/bootstrap/local-server.js";
import type { ProgressEvent } from "../../sdk/bootstrap/progress.js";
import { type PromptFn, ttyPrompt } from "../../sdk/bootstrap/prompt.js";
import { colorsFromTerm, parseBindServer, parsePortRange } from "../../sdk/bootstrap/remote-command.js";
import { parseTarget } from "../../sdk/bootstrap/ssh-config.js";
import type { AddressFamilyPolicy } from "../../sdk/bootstrap/ssh-transport.js";
import { type BootstrapOptions, type BootstrapResult, bootstrap } from "../../sdk/bootstrap/start-server.js";
import { clientCharset, ctypeLocale } from "../../sdk/terminal/locale.js";
import { readTerminfo } from "../../sdk/terminal/terminfo.js";
import { versionBlock } from "../../sdk/version.js";
import {
  runTerminalClient,
  type TerminalClientOptions,
  terminalWindowSize,
} from "../client/terminal-client.js";
import { runFakeProxy } from "./fake-proxy.js";
import { getoptLong, type LongOption } from "./getopt-long.js";
import { PROGRESS_DELAY_MS, SlowProgress } from "./slow-progress.js";
import { parseSshCommand, type SshCommandSettings } from "./ssh-command.js";
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
  /** How long the bootstrap may take before progress lines appear (default {@link PROGRESS_DELAY_MS}). */
  progressDelayMs?: number;
}

const PREDICT_MODES = ["adaptive", "always", "never", "experimental"];
const FAMILIES = ["inet", "inet6", "auto", "all", "prefer-inet", "prefer-inet6"];
const REMOTE_IP = ["local", "remote", "proxy"];

/** How long the CLI's client waits for the first UDP reply before saying UDP may be blocked. */
export const UDP_CONNECT_TIMEOUT_MS = 5000;

/** Exit status for failures before the session, bad command lines included (as mosh's `die`, and ssh: 255). */
export const BOOTSTRAP_FAILURE = 255;

/** The mosh wrapper's options (mosh 1.4's `GetOptions` call), then mosh-ts's own. */
const OPTIONS: readonly LongOption[] = [
  { names: ["client"], type: "string" },
  { names: ["server"], type: "string" },
  { names: ["predict"], type: "string" },
  { names: ["predict-overwrite", "o"], type: "negatable" },
  { names: ["port"], type: "string" },
  { names: ["a"], type: "flag" },
  { names: ["n"], type: "flag" },
  { names: ["family"], type: "string" },
  { names: ["4"], type: "flag" },
  { names: ["6"], type: "flag" },
  { names: ["p"], type: "string" },
  { names: ["ssh"], type: "string" },
  { names: ["ssh-pty"], type: "negatable" },
  { names: ["init"], type: "negatable" },
  { names: ["local"], type: "flag" },
  { names: ["help"], type: "flag" },
  { names: ["version"], type: "flag" },
  { names: ["fake-proxy"], type: "negatable" },
  { names: ["bind-server"], type: "string" },
  { names: ["experimental-remote-ip"], type: "string" },
  // mosh-ts's own.
  { names: ["ssh-option"], type: "string" },
  { names: ["ssh-port"], type: "string" },
  { names: ["identity", "i"], type: "string" },
  { names: ["quiet", "q"], type: "flag" },
];

/** A command line's settings under mosh's rules: the last option wins (`-a`/`-n` set the prediction mode, `-4`/`-6` the family). */
export interface CliSettings {
  client?: string;
  server: string;
  predict?: string;
  predictOverwrite: boolean;
  port?: string;
  family: string;
  ssh?: string;
  sshPty: boolean;
  init: boolean;
  local: boolean;
  help: boolean;
  version: boolean;
  fakeProxy: boolean;
  bindServer: string;
  remoteIp: string;
  sshOptions: string[];
  sshPort?: string;
  identities: string[];
  quiet: boolean;
  /** `[user@]host` and the command (with `fakeProxy`: HOST PORT). */
  operands: string[];
}

/** Reads the command line as the mosh wrapper does; `errors` holds Getopt::Long's warnings. */
export function parseCliArgs(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { settings: CliSettings; errors: string[] } {
  const parsed = getoptLong(args, OPTIONS, env);
  const s: CliSettings = {
    server: "mosh-server",
    predictOverwrite: false,
    family: "prefer-inet",
    sshPty: true,
    init: true,
    local: false,
    help: false,
    version: false,
    fakeProxy: false,
    bindServer: "ssh",
    remoteIp: "proxy",
    sshOptions: [],
    identities: [],
    quiet: false,
    operands: parsed.operands,
  };
  for (const { name, value } of parsed.options) {
    const v = String(value);
    const on = value === true;
    switch (name) {
      case "client":
        s.client = v;
        break;
      case "server":
        s.server = v;
        break;
      case "predict":
        s.predict = v;
        break;
      case "a":
        s.predict = "always";
        break;
      case "n":
        s.predict = "never";
        break;
      case "predict-overwrite":
        s.predictOverwrite = on;
        break;
      case "port":
      case "p":
        s.port = v;
        break;
      case "family":
        s.family = v.toLowerCase();
        break;
      case "4":
        s.family = "inet";
        break;
      case "6":
        s.family = "inet6";
        break;
      case "ssh":
        s.ssh = v;
        break;
      case "ssh-pty":
        s.sshPty = on;
        break;
      case "init":
        s.init = on;
        break;
      case "local":
        s.local = true;
        break;
      case "help":
        s.help = true;
        break;
      case "version":
        s.version = true;
        break;
      case "fake-proxy":
        s.fakeProxy = on;
        break;
      case "bind-server":
        s.bindServer = v;
        break;
      case "experimental-remote-ip":
        s.remoteIp = v;
        break;
      case "ssh-option":
        s.sshOptions.push(v);
        break;
      case "ssh-port":
        s.sshPort = v;
        break;
      case "identity":
        s.identities.push(v);
        break;
      case "quiet":
        s.quiet = true;
        break;
    }
  }
  return { settings: s, errors: parsed.errors };
}

/** The `--help` text: mosh 1.4's, then mosh-ts's own options. */
export function usageText(argv0: string): string {
  return `Usage: ${argv0} [options] [--] [user@]host [command...]
        --client=PATH        mosh client on local machine
                                (default: ${argv0}'s own, in this process)
        --server=COMMAND     mosh server on remote machine
                                (default: "mosh-server")

        --predict=adaptive      local echo for slower links [default]
-a      --predict=always        use local echo even on fast links
-n      --predict=never         never use local echo
        --predict=experimental  aggressively echo even when incorrect

-o      --predict-overwrite     prediction overwrites instead of inserting

-4      --family=inet        use IPv4 only
-6      --family=inet6       use IPv6 only
        --family=auto        autodetect network type for single-family hosts only
        --family=all         try all network types
        --family=prefer-inet use all network types, but try IPv4 first [default]
        --family=prefer-inet6 use all network types, but try IPv6 first
-p PORT[:PORT2]
        --port=PORT[:PORT2]  server-side UDP port or range
                                (No effect on server-side SSH port)
        --bind-server={ssh|any|IP}  ask the server to reply from an IP address
                                       (default: "ssh")

        --ssh=COMMAND        ssh command to run when setting up session
                                (example: "ssh -p 2222")
                                (default: "ssh")

        --no-ssh-pty         do not allocate a pseudo tty on ssh connection

        --no-init            do not send terminal initialization string

        --local              run mosh-server locally without using ssh

        --experimental-remote-ip=(local|remote|proxy)  select the method for
                             discovering the remote IP address to use for mosh
                             (default: "proxy")

        --help               this message
        --version            version and copyright information

${argv0} does SSH itself (~/.ssh/config, agent, known_hosts); --ssh takes ssh's
-p, -i, -o, -l, -J, -F, -4 and -6 (e.g. --ssh="ssh -p 2222 -o User=me"). Also:
        --ssh-option=KEY=VALUE  ssh_config option, like ssh -o (repeatable)
        --ssh-port=PORT      SSH port, like ssh -p
-i FILE --identity=FILE      identity file, like ssh -i (repeatable)
-q      --quiet              no progress lines (on a terminal they appear
                                when a step takes more than 300 ms)

mosh-ts home page: https://github.com/mosh-ts/mosh-ts
`;
}

/** The terminal's colour count, as `mosh-client -c` prints it (terminfo `colors`). */
function terminalColors(env: NodeJS.ProcessEnv): number {
  const n = readTerminfo(env)?.colors;
  return n === undefined ? colorsFromTerm(env.TERM) : Math.max(n, 0);
}

/** The colour count an external client (`--client`) prints for `-c`, as mosh asks it. */
function clientColors(client: string, env: NodeJS.ProcessEnv): number {
  const out = execFileSync(client, ["-c"], {
    encoding: "utf8",
    env,
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return /^\d+$/.test(out) ? Number(out) : 0;
}

/**
 * `--client=PATH`: runs that program as mosh runs mosh-client (`-# 'ARGS |' IP PORT`, the key in
 * `MOSH_KEY`) on this terminal, forwarding termination signals; resolves with its exit status.
 */
function externalClient(
  client: string,
  cmdline: readonly string[],
  argv0: string,
): (o: TerminalClientOptions) => Promise<number> {
  return (o) =>
    new Promise((resolve) => {
      const child = spawn(client, ["-#", `${cmdline.join(" ")} |`, o.ip, String(o.port)], {
        stdio: "inherit",
        env: { ...o.env, MOSH_KEY: o.key, MOSH_CLIENT_PID: String(process.pid) },
      });
      const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      for (const sig of signals) process.on(sig, forward);
      const done = (status: number) => {
        for (const sig of signals) process.off(sig, forward);
        resolve(status);
      };
      child.once("error", (e) => {
        o.stderr.write(`${argv0}: cannot run ${client}: ${e.message}\n`);
        done(BOOTSTRAP_FAILURE);
      });
      child.once("exit", (code, signal) => done(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
    });
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
 * them, 255 for a bad command line or a failed bootstrap (as mosh).
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const argv0 = io.argv0 ?? "mosh-ts";
  const err = (s: string) => io.stderr.write(s.endsWith("\n") ? s : s + "\n");
  /** mosh's `die $usage`: the usage on stderr, status 255. */
  const dieUsage = (before = ""): number => {
    io.stderr.write(before + usageText(argv0));
    return BOOTSTRAP_FAILURE;
  };
  const { settings: o, errors } = parseCliArgs(args, io.env);
  if (errors.length > 0) return dieUsage(errors.map((e) => `${e}\n`).join(""));
  if (o.help) {
    io.stdout.write(usageText(argv0));
    return 0;
  }
  if (o.version) {
    io.stdout.write(versionBlock(argv0));
    return 0;
  }
  const predict = o.predict ?? io.env.MOSH_PREDICTION_DISPLAY ?? "adaptive";
  if (!PREDICT_MODES.includes(predict)) {
    const why = o.predict === undefined ? " (MOSH_PREDICTION_DISPLAY in environment)" : "";
    return dieUsage(`${argv0}: Unknown mode "${predict}"${why}.\n\n`);
  }
  if (!REMOTE_IP.includes(o.remoteIp)) {
    err(`${argv0}: Unknown parameter ${o.remoteIp}`);
    return BOOTSTRAP_FAILURE;
  }
  if (!FAMILIES.includes(o.family)) {
    err(`${argv0}: Unknown address family "${o.family}".`);
    return BOOTSTRAP_FAILURE;
  }
  const family = o.family as AddressFamilyPolicy;
  if (o.fakeProxy) {
    const [host, port] = o.operands;
    if (host === undefined || port === undefined) return dieUsage();
    return runFakeProxy(host, port, family, { ...io, argv0 });
  }
  const [target, ...command] = o.operands;
  if (target === undefined) return dieUsage();
  let sshPort: number | undefined;
  let ssh: SshCommandSettings = { sshOptions: [], identityFiles: [] };
  try {
    if (o.port !== undefined) {
      const range = parsePortRange(o.port, argv0);
      if ("error" in range) throw new BootstrapError("bad-argument", range.error);
    }
    parseBindServer(o.bindServer, argv0);
    parseTarget(target);
    if (o.sshPort !== undefined) {
      if (!/^\d+$/.test(o.sshPort) || Number(o.sshPort) < 1 || Number(o.sshPort) > 65535) {
        throw new BootstrapError("bad-argument", `${argv0}: Bad SSH port (${o.sshPort})`);
      }
      sshPort = Number(o.sshPort);
    }
    if (o.ssh !== undefined) ssh = parseSshCommand(o.ssh, argv0);
  } catch (e) {
    if (!(e instanceof BootstrapError)) throw e;
    err(e.message);
    return BOOTSTRAP_FAILURE;
  }

  const runClient =
    o.client !== undefined ? externalClient(o.client, args, argv0) : (io.runClient ?? runTerminalClient);
  if (!io.runClient && o.client === undefined) {
    if (!io.stdin.isTTY || !io.stdout.isTTY) {
      err(`${argv0}: standard input and output must be a terminal for the mosh session.`);
      return 1;
    }
    const charset = clientCharset(io.env);
    if (charset !== "UTF-8") {
      // mosh-client's check and text (docs/mosh-protocol.md §11.1), made before any server is started.
      err(
        `${argv0} needs a UTF-8 native locale to run.\n\nUnfortunately, the client's environment (${ctypeLocale(io.env)}) specifies\n` +
          `the character set "${charset}".\n`,
      );
      return 1;
    }
  }
  let colors: number;
  try {
    colors = o.client !== undefined ? clientColors(o.client, io.env) : terminalColors(io.env);
  } catch (e) {
    err(`${argv0}: Can't count colors: ${(e as Error).message}`);
    return BOOTSTRAP_FAILURE;
  }

  // Progress lines only when they help: on a terminal, once the bootstrap has taken 300 ms, never
  // over a question, and not with -q.
  const progress = new SlowProgress((line) => err(`${argv0}: ${line}`), {
    enabled: !o.quiet && (io.stderr as Partial<WriteStream>).isTTY === true,
    delayMs: io.progressDelayMs,
  });
  const prompt = io.prompt ?? ttyPrompt();
  const options: BootstrapOptions = {
    env: io.env,
    prompt: async (question, how) => {
      progress.pause();
      try {
        return await prompt(question, how);
      } finally {
        progress.resume();
      }
    },
    onMessage: (m) => err(m),
    onServerOutput: (line) => io.stdout.write(`${line}\n`),
    onProgress: (e) => {
      const line = progressLine(e);
      if (line) progress.step(line);
    },
    family,
    server: o.server,
    colors,
    bindServer: o.bindServer,
    serverPort: o.port,
    command,
    pty: o.sshPty,
    // The remote pty's size: the same terminal and rule as the client's window.
    ...terminalWindowSize(io.stdout, io.stderr),
    sshPort,
    identityFiles: [...ssh.identityFiles, ...o.identities],
    sshOptions: [...ssh.sshOptions, ...o.sshOptions],
    remoteIp: o.remoteIp as BootstrapOptions["remoteIp"],
    ...io.defaults,
  };
  // ssh -F: that file instead of ~/.ssh/config and the system's.
  if (ssh.configFile !== undefined)
    Object.assign(options, { configFile: ssh.configFile, systemConfigFile: null });

  let started: BootstrapResult;
  progress.start();
  try {
    started = o.local
      ? await startLocalServer(parseTarget(target).host, options)
      : await bootstrap(target, options);
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
  } finally {
    progress.stop();
  }

  const env: NodeJS.ProcessEnv = { ...io.env, MOSH_PREDICTION_DISPLAY: predict };
  delete env.MOSH_KEY;
  if (o.predictOverwrite) env.MOSH_PREDICTION_OVERWRITE = "yes";
  if (!o.init) env.MOSH_NO_TERM_INIT = "1";
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
