// Watching a started server command until MOSH CONNECT: showing other output, classifying failures, bounding the wait.
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { BootstrapError } from "./errors.js";
import { ServerOutputParser } from "./server-output.js";

/** A running server command: an SSH exec channel or a local child process. */
export interface LaunchedServer {
  /** stdout (with a pty: everything). */
  stdout: Readable;
  /** stderr, when separate. */
  stderr?: Readable | null;
  /** Registers the exit-status listener (null when killed by a signal or unknown). */
  onExit(listener: (code: number | null) => void): void;
  /** Registers the listener for "no more output will come" (channel or pipes closed). */
  onClose(listener: () => void): void;
  /** Stops the command / closes the channel. */
  stop(): void;
}

/** What the server reported. */
export interface ServerReport {
  port: number;
  key: string;
  /** From `MOSH IP`, if printed. */
  ip: string | null;
  /** The server address from `MOSH SSH_CONNECTION`, if printed. */
  sshConnectionIp: string | null;
}

/** How to watch the server. */
export interface LaunchOptions {
  /** The server command as the user wrote it (for messages). */
  server: string;
  /** Where it runs (for messages). */
  host: string;
  /** Lines the server printed other than the MOSH lines (motd, errors). */
  onOutput?: (line: string) => void;
  /** Give up without MOSH CONNECT after this long (default 30 s). */
  timeoutMs?: number;
  /** After MOSH CONNECT, wait this long at most for the command to finish (default 5 s). */
  exitGraceMs?: number;
  signal?: AbortSignal;
}

const NOT_FOUND = /command not found|: not found|No such file or directory/;

/**
 * Reads the server's output until `MOSH CONNECT`, then waits (briefly) for the command to end,
 * as the mosh wrapper waits for ssh. Rejects with `server-not-found` (exit 127 or "command not
 * found"), `no-connect-line` (mosh's "Did not find mosh server startup message"),
 * `bad-connect-line`, `server-failed` (timeout) or `aborted`. No message contains the key.
 */
export function watchServer(proc: LaunchedServer, o: LaunchOptions): Promise<ServerReport> {
  return new Promise<ServerReport>((resolve, reject) => {
    const parser = new ServerOutputParser();
    const texts: string[] = [];
    let report: ServerReport | null = null;
    let ip: string | null = null;
    let sshIp: string | null = null;
    let exitCode: number | null = null;
    let settled = false;
    let graceTimer: NodeJS.Timeout | null = null;

    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      o.signal?.removeEventListener("abort", onAbort);
      if (err || !report) proc.stop();
      if (err) reject(err);
      else resolve(report!);
    };
    const onAbort = () => finish(new BootstrapError("aborted", "connection aborted"));
    o.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => {
      if (report) return;
      finish(
        new BootstrapError(
          "server-failed",
          `${o.server} on ${o.host} printed no MOSH CONNECT line within ${Math.round((o.timeoutMs ?? 30000) / 1000)} s.`,
        ),
      );
    }, o.timeoutMs ?? 30000);

    const take = (items: ReturnType<ServerOutputParser["feed"]>) => {
      for (const item of items) {
        switch (item.kind) {
          case "text":
            texts.push(item.text);
            o.onOutput?.(item.text);
            break;
          case "ip":
            if (ip !== null)
              return finish(new BootstrapError("bad-connect-line", "detected attempt to redefine MOSH IP"));
            ip = item.ip;
            break;
          case "ssh-connection":
            sshIp = item.ip;
            break;
          case "bad-connect":
            return finish(new BootstrapError("bad-connect-line", "Bad MOSH CONNECT string"));
          case "connect":
            report = { port: item.port, key: item.key, ip, sshConnectionIp: sshIp };
            graceTimer = setTimeout(() => finish(null), o.exitGraceMs ?? 5000);
            break;
        }
      }
    };
    const attach = (stream: Readable) => {
      const decoder = new StringDecoder("utf8");
      stream.on("data", (chunk: Buffer | string) => {
        if (!report) take(parser.feed(typeof chunk === "string" ? chunk : decoder.write(chunk)));
      });
      stream.on("error", () => undefined);
    };
    attach(proc.stdout);
    if (proc.stderr) attach(proc.stderr);
    proc.onExit((code) => {
      exitCode = code;
    });
    proc.onClose(() => {
      if (!report) take(parser.end());
      if (settled) return;
      if (report) return finish(null);
      if (exitCode === 127 || texts.some((t) => NOT_FOUND.test(t))) {
        return finish(
          new BootstrapError(
            "server-not-found",
            `could not start the mosh server on ${o.host}: "${o.server}" was not found there` +
              ` (command not found${exitCode !== null ? `, exit status ${exitCode}` : ""}).\n` +
              "Is mosh installed on the server? If mosh-server is not on the remote PATH, give its path with --server=PATH.",
            { exitCode: exitCode ?? -1 },
          ),
        );
      }
      finish(
        new BootstrapError(
          "no-connect-line",
          "Did not find mosh server startup message. (Have you installed mosh on your server?)" +
            (exitCode !== null && exitCode !== 0
              ? ` [the server command exited with status ${exitCode}]`
              : ""),
          { exitCode: exitCode ?? -1 },
        ),
      );
    });
  });
}
