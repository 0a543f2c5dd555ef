// Local panes' servers on one worker thread beside the TUI's (in-process when no worker bundle is built).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SessionKey } from "../sdk/crypto/session-key.js";
import { MoshServer } from "../sdk/session/server-session.js";

/** What a local pane asks for. */
export interface LocalServerRequest {
  /** Program and arguments (default: the login shell). */
  command?: string[];
  /** Initial size. */
  cols: number;
  /** Initial size. */
  rows: number;
}

/** A message to the server thread. */
export type ServerThreadCommand =
  | ({ type: "start" } & LocalServerRequest & { id: number })
  | { type: "close"; id: number }
  | { type: "stop" };

/** A message from the server thread. */
export type ServerThreadReply =
  | { type: "ready"; id: number; port: number; key: string }
  | { type: "failed"; id: number; message: string }
  | { type: "exit"; id: number };

/** A running local server, wherever it runs. */
export interface LocalServer {
  /** UDP port on 127.0.0.1. */
  readonly port: number;
  /** The session key. */
  readonly key: SessionKey;
  /** Ends the session (hangs up the command, closes the socket); resolves when it is over. */
  close(): Promise<void>;
}

interface Pending {
  ready: (r: ServerThreadReply) => void;
  exited: () => void;
}

/**
 * Starts loopback mosh servers for local panes. With the built worker entry
 * (`mosh-mux-server.js`) present, every server runs on one worker thread, so the servers'
 * output parsing and diffing use another core and do not delay the TUI's input and drawing;
 * otherwise they run in-process.
 */
export class LocalServers {
  readonly #file: URL | undefined;
  #worker: Worker | null = null;
  #next = 1;
  readonly #pending = new Map<number, Pending>();

  /** @param workerFile the built worker entry; when absent or missing on disk, servers run in-process */
  constructor(workerFile?: URL) {
    this.#file = workerFile && existsSync(fileURLToPath(workerFile)) ? workerFile : undefined;
  }

  /** Starts one server. */
  async start(req: LocalServerRequest): Promise<LocalServer> {
    if (!this.#file) return inProcess(req);
    const worker = this.#spawn(this.#file);
    const id = this.#next++;
    let exited: () => void = () => undefined;
    const gone = new Promise<void>((r) => {
      exited = r;
    });
    const reply = await new Promise<ServerThreadReply>((ready) => {
      this.#pending.set(id, { ready, exited });
      worker.postMessage({ type: "start", id, ...req } satisfies ServerThreadCommand);
    });
    if (reply.type !== "ready") {
      this.#pending.delete(id);
      throw new Error(reply.type === "failed" ? reply.message : "the local server ended before it was ready");
    }
    return {
      port: reply.port,
      key: SessionKey.parse(reply.key),
      close: async () => {
        if (this.#pending.has(id)) worker.postMessage({ type: "close", id } satisfies ServerThreadCommand);
        await gone;
      },
    };
  }

  /** Closes every server and ends the worker thread once their commands are gone (terminated after 3 s). */
  async stop(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    if (!w) return;
    const exited = new Promise<void>((r) => w.once("exit", () => r()));
    w.postMessage({ type: "stop" } satisfies ServerThreadCommand);
    const timer = setTimeout(() => void w.terminate(), 3000);
    await exited;
    clearTimeout(timer);
  }

  #spawn(file: URL): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(file);
    w.unref();
    w.on("message", (m: ServerThreadReply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      if (m.type === "exit") {
        this.#pending.delete(m.id);
        p.ready(m);
        p.exited();
      } else p.ready(m);
    });
    const fail = (why: string): void => {
      for (const [id, p] of this.#pending) {
        p.ready({ type: "failed", id, message: why });
        p.exited();
      }
      this.#pending.clear();
      if (this.#worker === w) this.#worker = null;
    };
    w.on("error", (err) => fail(`local server thread failed: ${err.message}`));
    w.on("exit", () => fail("local server thread ended"));
    this.#worker = w;
    return w;
  }
}

async function inProcess(req: LocalServerRequest): Promise<LocalServer> {
  const server = await MoshServer.start({
    command: req.command,
    bindAddress: "127.0.0.1",
    port: 0,
    cols: req.cols,
    rows: req.rows,
  });
  return {
    port: server.port,
    key: server.key,
    async close() {
      await server.close();
    },
  };
}
