// bootstrap(): resolve the target, log in over SSH, start mosh-server with a pty, and return { host, port, key }.
import { inspect } from "node:util";
import type { Client as SshClient } from "ssh2";
import { DEFAULT_COLS, DEFAULT_ROWS } from "../terminal/window-size.js";
import { BootstrapError } from "./errors.js";
import type { HostVerifier } from "./host-key-check.js";
import type { MessageListener, ProgressListener } from "./progress.js";
import type { PromptFn } from "./prompt.js";
import { colorsFromTerm, localeArgs, remoteCommandLine } from "./remote-command.js";
import { type LaunchedServer, watchServer } from "./server-launch.js";
import { resolveHost, type SshConfigOptions } from "./ssh-config.js";
import { type AddressFamilyPolicy, addressesFor, openSsh, plainAddress } from "./ssh-transport.js";

/** Everything `bootstrap()` can be told; all optional. */
export interface BootstrapOptions extends SshConfigOptions {
  /** Asks for passphrases, passwords and unknown host keys. Without it, nothing is asked. */
  prompt?: PromptFn;
  /** Warnings and notices (e.g. "Permanently added ... to the list of known hosts."). */
  onMessage?: MessageListener;
  /** Lines the remote side printed before `MOSH CONNECT` (motd, errors); default: `onMessage`. */
  onServerOutput?: MessageListener;
  onProgress?: ProgressListener;
  /** Replaces known_hosts checking (return true to accept a key). */
  hostVerifier?: HostVerifier;
  signal?: AbortSignal;
  /** mosh's `--family` (default `prefer-inet`). */
  family?: AddressFamilyPolicy;
  /** The server command, inserted unquoted (default `mosh-server`). */
  server?: string;
  /** `-c` for the server (default: from TERM, as `mosh-client -c` would say). */
  colors?: number;
  /** `--bind-server`: `ssh` (default), `any` or an IP address. */
  bindServer?: string;
  /** `-p PORT[:PORT2]` for the server (validate with `parsePortRange`). */
  serverPort?: string;
  /** Command to run instead of the login shell. */
  command?: readonly string[];
  /** Request a pty for the server command, like `ssh -tt` (default true, as mosh). */
  pty?: boolean;
  /** Size of that pty (default 80x24). */
  cols?: number;
  rows?: number;
  /** Give up when the server prints no `MOSH CONNECT` in this time (default 30 s). */
  serverTimeoutMs?: number;
  /**
   * Where the address for UDP comes from (mosh's `--experimental-remote-ip`): `proxy` (default:
   * the address SSH reached, or the server's `SSH_CONNECTION` when SSH went through a proxy or
   * jump host), `remote` (always the server's `SSH_CONNECTION`), `local` (the host name resolved
   * here, before SSH).
   */
  remoteIp?: "proxy" | "remote" | "local";
}

/** Where the mosh server listens and its session key. `util.inspect` hides the key. */
export interface BootstrapResult {
  /** The numeric address SSH actually reached (the address to send UDP to). */
  host: string;
  /** The server's UDP port. */
  port: number;
  /** The 22-character session key. Keep it out of argv and logs. */
  key: string;
}

/** A result object whose key is hidden from `util.inspect` / `console.log`. */
export function bootstrapResult(host: string, port: number, key: string): BootstrapResult {
  const r: BootstrapResult = { host, port, key };
  Object.defineProperty(r, inspect.custom, {
    value: () => `{ host: '${host}', port: ${port}, key: <redacted> }`,
    enumerable: false,
  });
  return r;
}

/** The SSH exec channel as a {@link LaunchedServer}. */
function execServer(client: SshClient, command: string, o: BootstrapOptions): Promise<LaunchedServer> {
  const env = o.env ?? process.env;
  const opts =
    o.pty === false
      ? {}
      : { pty: { term: env.TERM || "xterm", cols: o.cols ?? DEFAULT_COLS, rows: o.rows ?? DEFAULT_ROWS } };
  return new Promise((resolve, reject) => {
    client.exec(command, opts, (err, stream) => {
      if (err) {
        reject(new BootstrapError("server-failed", `could not run the server command: ${err.message}`));
        return;
      }
      resolve({
        stdout: stream,
        stderr: stream.stderr,
        onExit: (l) => stream.on("exit", (code: number | null) => l(typeof code === "number" ? code : null)),
        onClose: (l) => stream.on("close", l),
        stop: () => stream.close(),
      });
    });
  });
}

/**
 * Logs in to `target` (`[user@]host`, resolved through ~/.ssh/config), runs the mosh server with
 * mosh's remote command line and a pty, reads `MOSH CONNECT`, closes SSH, and returns where to
 * send UDP. Rejects with a {@link BootstrapError}.
 */
export async function bootstrap(target: string, o: BootstrapOptions = {}): Promise<BootstrapResult> {
  if (o.signal?.aborted) throw new BootstrapError("aborted", "connection aborted");
  const env = o.env ?? process.env;
  o.onProgress?.({ kind: "resolving", target });
  const resolved = resolveHost(target, o);
  const remoteIp = o.remoteIp ?? "proxy";
  const localIp = remoteIp === "local" ? (await addressesFor(resolved, o.family ?? "prefer-inet"))[0] : null;
  const conn = await openSsh(resolved, {
    prompt: o.prompt,
    onMessage: o.onMessage,
    onProgress: o.onProgress,
    hostVerifier: o.hostVerifier,
    signal: o.signal,
    family: o.family,
    config: o,
  });
  try {
    const server = o.server ?? "mosh-server";
    const command = remoteCommandLine(
      {
        server,
        colors: o.colors ?? colorsFromTerm(env.TERM),
        bind: o.bindServer,
        port: o.serverPort,
        locale: localeArgs(env),
        command: o.command,
      },
      remoteIp === "remote" || (remoteIp === "proxy" && conn.address === null),
    );
    o.onProgress?.({ kind: "starting-server", host: resolved.hostname, command });
    const launched = await execServer(conn.client, command, o);
    const report = await watchServer(launched, {
      server,
      host: resolved.hostname,
      onOutput: o.onServerOutput ?? o.onMessage,
      timeoutMs: o.serverTimeoutMs,
      signal: o.signal,
    });
    const fromServer = report.sshConnectionIp ? plainAddress(report.sshConnectionIp) : report.ip;
    const host =
      remoteIp === "local" ? localIp : remoteIp === "remote" ? fromServer : (conn.address ?? fromServer);
    if (!host) {
      throw new BootstrapError(
        "no-remote-ip",
        "Did not find remote IP address (is SSH ProxyCommand disabled?).",
      );
    }
    o.onProgress?.({ kind: "connected", host, port: report.port });
    return bootstrapResult(host, report.port, report.key);
  } finally {
    conn.close();
  }
}
