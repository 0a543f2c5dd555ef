// mosh-ts-server's session: binds as mosh-server does, reports MOSH CONNECT through a reporter (to the terminal, or to the first process of two), then serves the session until it ends (docs/mosh-protocol.md §10.4, §10.5).
import { isIP } from "node:net";
import { SessionKey } from "../../sdk/crypto/session-key.js";
import type { MoshServer, ServerExitInfo } from "../../sdk/server/mosh-server.js";
import { type PreboundSocket, prebindServerSocket } from "../../sdk/server/prebound-socket.js";
import { PORT_RANGE_HIGH, PORT_RANGE_LOW } from "../../sdk/transport/connection.js";
import { udpNetwork } from "../../sdk/transport/udp.js";
import type { ServerConfig } from "./server-config.js";

/** strerror-like text for a bind error (mosh prints `bind: <strerror>`). */
function bindErrorText(err: Error): string {
  const texts: Record<string, string> = {
    EADDRINUSE: "Address already in use",
    EADDRNOTAVAIL: "Cannot assign requested address",
    EACCES: "Permission denied",
    EINVAL: "Invalid argument",
    EAFNOSUPPORT: "Address family not supported by protocol",
  };
  const code = (err as { code?: unknown }).code;
  return `bind: ${typeof code === "string" && texts[code] ? texts[code] : err.message}`;
}

/** Where the session process's start-up texts go: to the first process, or straight to the terminal. */
export interface StartReporter {
  /** A warning for stderr (bind fallbacks). */
  stderr(text: string): void;
  /** The session cannot start: the error text; the exit status follows. */
  fail(text: string): void;
  /** The port is bound: print MOSH CONNECT (the key is never logged). Resolves once it is out. */
  ready(port: number, key: string): Promise<void>;
  /** The start is over (ready or failed): close what carried the texts. */
  done(): void;
}

/**
 * The session process's work: binds as mosh-server does, reports the port and key, then loads
 * the session modules (while the client's first datagram is on its way; datagrams are held until
 * the session takes them) and serves the session until it ends. Resolves with the exit status.
 */
export async function serveSession(
  config: ServerConfig,
  argv0: string,
  report: StartReporter,
): Promise<number> {
  // mosh-server ignores SIGHUP and SIGPIPE once detached.
  process.on("SIGHUP", () => undefined);
  process.on("SIGPIPE", () => undefined);
  const log = (line: string): void => {
    if (config.verbose > 0) process.stderr.write(`${line}\n`);
  };
  let bindAddress = config.bindAddress ?? undefined;
  if (bindAddress !== undefined && !isIP(bindAddress)) {
    report.stderr(
      `Error binding to IP ${bindAddress}: Bad IP address (${bindAddress}): Name or service not known: Success\n`,
    );
    bindAddress = undefined;
  }
  const range = config.port ?? [PORT_RANGE_LOW, PORT_RANGE_HIGH];
  let socket: PreboundSocket;
  try {
    socket = await prebindServerSocket({
      network: udpNetwork,
      bindAddress,
      port: range,
      onBindError: (address, err) =>
        report.stderr(
          `Failed binding to ${address}:${range[1]}\nError binding to IP ${address}: ${bindErrorText(err)}\n`,
        ),
    });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const any = bindAddress?.includes(":") ? "::" : "0.0.0.0";
    report.fail(
      `Failed binding to ${any}:${range[1]}\n` +
        `Error binding to any interface: ${bindErrorText(e)}\n` +
        `Network exception: ${bindErrorText(e)}\n`,
    );
    report.done();
    return 1;
  }
  const key = SessionKey.generate();
  await report.ready(socket.local.port, key.reveal());
  // As mosh-server, which forks once MOSH CONNECT is out: the start is over for whoever ran us
  // (its exit status is 0 from here on). The session modules (xterm, node-pty) load only now,
  // while the client starts; its first datagram waits in the socket.
  report.done();
  let server: MoshServer;
  try {
    const { MoshServer } = await import("../../sdk/server/mosh-server.js");
    server = await MoshServer.start({
      command: config.command ?? undefined,
      env: config.env,
      key,
      network: socket.network,
      bindAddress,
      port: socket.local.port,
      cols: config.cols,
      rows: config.rows,
      term: config.colors === 256 ? "xterm-256color" : "xterm",
      networkTimeoutMs: config.networkTimeout * 1000,
      log,
    });
  } catch (err) {
    socket.close();
    log(`${argv0}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  socket.release();
  if (config.verbose > 1) server.on("error", (err) => process.stderr.write(`${err.message}\n`));
  const exited = new Promise<ServerExitInfo>((resolve) => server.once("exit", resolve));
  const shutdown = (): void => void server.close();
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  process.on("SIGUSR1", () => {
    const idle = server.idleMs;
    const limit = config.signalTimeout * 1000;
    if (!limit || limit <= idle) {
      log(`Network idle for ${Math.floor(idle / 1000)} seconds when SIGUSR1 received`);
      void server.close();
    }
  });
  await exited;
  await new Promise<void>((resolve) => process.stdout.write(`\n[${argv0} is exiting.]\n`, () => resolve()));
  return 0;
}
