// One client connection to a mosh-mux background process: socket checks, hello, JSON-lines messages, requests and their replies.
import { createConnection, type Socket } from "node:net";
import { dirname } from "node:path";
import { EventEmitter } from "eventemitter3";
import { VERSION } from "../version.js";
import { MuxError } from "./errors.js";
import {
  type ClientMessage,
  decodeMessage,
  encodeMessage,
  LineReader,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "./protocol.js";
import { checkSocketDir, checkSocketFile, isMissing, type SocketCheckDeps } from "./socket-path.js";

/** The server's `welcome`. */
export type Welcome = Extract<ServerMessage, { t: "welcome" }>;
/** A successful reply. */
export type OkReply = Extract<ServerMessage, { t: "ok" }>;

/** Client messages that are requests (they carry an id and get a reply). */
type RequestMessage = Extract<ClientMessage, { id: number }>;
/** A request as the caller gives it: the connection numbers it. */
export type Request = RequestMessage extends infer M
  ? M extends RequestMessage
    ? Omit<M, "id">
    : never
  : never;

/** Events of a {@link MuxConnection}. */
export interface MuxConnectionEvents {
  /** An event from the server (not a reply). */
  message: (msg: ServerMessage) => void;
  /** The connection closed; `err` says why when it was not asked for. */
  close: (err: MuxError | null) => void;
}

/** "no server running on PATH", as tmux says it. */
export function noServer(path: string): MuxError {
  return new MuxError("no-server", `no server running on ${path}`);
}

/**
 * A connection to the server at `path`, after its directory and the socket were checked
 * ({@link checkSocketDir}, {@link checkSocketFile}) and the hello was answered.
 */
export class MuxConnection extends EventEmitter<MuxConnectionEvents> {
  readonly #socket: Socket;
  readonly #reader = new LineReader();
  readonly #pending = new Map<number, { resolve: (m: OkReply) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #closed = false;
  #welcome: Welcome | null = null;

  private constructor(socket: Socket) {
    super();
    this.#socket = socket;
  }

  /** Connects to the server listening on `path`; rejects with a MuxError (`no-server`, `unsafe-socket`, `version`...). */
  static async open(path: string, deps: SocketCheckDeps = {}): Promise<MuxConnection> {
    try {
      checkSocketDir(dirname(path), deps);
      checkSocketFile(path, deps);
    } catch (err) {
      if (isMissing(err)) throw noServer(path);
      throw err;
    }
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(path);
      s.once("connect", () => {
        s.off("error", reject);
        resolve(s);
      });
      s.once("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT" || err.code === "ECONNREFUSED") reject(noServer(path));
        else reject(new MuxError("no-server", `cannot connect to ${path}: ${err.message}`));
      });
    });
    const conn = new MuxConnection(socket);
    conn.#listen();
    await conn.#hello();
    return conn;
  }

  /** The server's welcome (pid, name, version, start time). */
  get welcome(): Welcome {
    if (!this.#welcome) throw new MuxError("closed", "not connected");
    return this.#welcome;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  #listen(): void {
    const s = this.#socket;
    s.setEncoding("utf8");
    s.setNoDelay?.(true);
    s.on("data", (chunk: string) => {
      let lines: string[];
      try {
        lines = this.#reader.push(chunk);
      } catch (err) {
        this.#end(err as MuxError);
        return;
      }
      for (const line of lines) {
        if (this.#closed) return;
        if (line.length === 0) continue;
        let msg: ServerMessage;
        try {
          msg = decodeMessage<ServerMessage>(line);
        } catch (err) {
          this.#end(err as MuxError);
          return;
        }
        this.#dispatch(msg);
      }
    });
    s.on("error", () => undefined);
    s.on("close", () => this.#end(new MuxError("closed", "the server closed the connection")));
  }

  async #hello(): Promise<void> {
    const welcome = new Promise<Welcome>((resolve, reject) => {
      const onMsg = (m: ServerMessage): void => {
        if (m.t === "welcome") {
          cleanup();
          resolve(m);
        } else if (m.t === "error") {
          cleanup();
          reject(new MuxError(m.code === "version" ? "version" : "protocol", m.message));
        }
      };
      const onClose = (err: MuxError | null): void => {
        cleanup();
        reject(err ?? new MuxError("closed", "closed"));
      };
      const cleanup = (): void => {
        this.off("message", onMsg);
        this.off("close", onClose);
      };
      this.on("message", onMsg);
      this.on("close", onClose);
    });
    this.send({ t: "hello", v: PROTOCOL_VERSION, version: VERSION });
    try {
      this.#welcome = await welcome;
    } catch (err) {
      this.close();
      throw err;
    }
    if (this.#welcome.v !== PROTOCOL_VERSION) {
      this.close();
      throw new MuxError(
        "version",
        `the server runs mosh-ts ${this.#welcome.version} (protocol ${this.#welcome.v}); this is ${VERSION} (protocol ${PROTOCOL_VERSION}): kill-server and start again`,
      );
    }
  }

  #dispatch(msg: ServerMessage): void {
    if ((msg.t === "ok" || msg.t === "error") && typeof msg.id === "number") {
      const p = this.#pending.get(msg.id);
      if (p) {
        this.#pending.delete(msg.id);
        if (msg.t === "ok") p.resolve(msg);
        else p.reject(new MuxError(msg.code === "bad-argument" ? "bad-argument" : "refused", msg.message));
        return;
      }
    }
    this.emit("message", msg);
  }

  /** Sends a message (dropped once closed). */
  send(msg: ClientMessage): void {
    if (this.#closed) return;
    this.#socket.write(encodeMessage(msg));
  }

  /** Sends a request and resolves with its reply; rejects with the server's error or when the connection closes. */
  request(req: Request): Promise<OkReply> {
    if (this.#closed) return Promise.reject(new MuxError("closed", "not connected to the server"));
    const id = this.#nextId++;
    return new Promise<OkReply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.send({ ...req, id } as ClientMessage);
    });
  }

  /** Closes the connection (the server and its sessions go on). */
  close(): void {
    this.#end(null);
  }

  #end(err: MuxError | null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
    this.#socket.destroySoon?.();
    const failure = err ?? new MuxError("closed", "connection closed");
    for (const p of this.#pending.values()) p.reject(failure);
    this.#pending.clear();
    this.emit("close", err);
  }
}
