// MuxClient and MuxPane: the SDK face of a mosh-mux background process (list panes, follow one pane's screen, type, open and close panes).
import { EventEmitter } from "eventemitter3";
import { blankFrame, type Frame } from "../terminal/frame.js";
import { screenMatches } from "../terminal/screen-match.js";
import { DEFAULT_COLS, DEFAULT_ROWS } from "../terminal/window-size.js";
import { MuxConnection } from "./connection.js";
import { MuxError } from "./errors.js";
import {
  FrameDecoder,
  type MuxPaneInfo,
  type MuxPaneSource,
  type MuxQuestion,
  type ServerMessage,
} from "./protocol.js";
import { DEFAULT_SOCKET_NAME, muxSocketPath } from "./socket-path.js";

/** Where to find the background process. */
export interface MuxClientOptions {
  /** Socket name, as `mosh-mux -L NAME` (default "default"). */
  name?: string;
  /** Full socket path (overrides `name`). */
  socketPath?: string;
  /** Environment to resolve the socket directory from (default `process.env`: `XDG_RUNTIME_DIR`). */
  env?: NodeJS.ProcessEnv;
}

/** Typed events of a {@link MuxClient}. */
export interface MuxClientEvents {
  /** The questions SSH panes wait to have answered changed (the list in order; empty when none). */
  questions: (list: readonly MuxQuestion[]) => void;
  /** The server is going away: it was killed, or its last pane closed. */
  exit: (reason: "killed" | "empty") => void;
  /** The connection closed (after `exit`, {@link MuxClient.close}, or a lost server). */
  close: () => void;
}

/** Typed events of a {@link MuxPane}. */
export interface MuxPaneEvents {
  /** The pane's screen changed. */
  screen: (frame: Frame) => void;
  /** The pane's state, RTT, size or label changed. */
  info: (info: MuxPaneInfo) => void;
  /** The pane was closed (or the connection ended); nothing more comes. */
  close: () => void;
}

/**
 * A connection to the mosh-mux background process of this user (the one `mosh-mux` starts and
 * `mosh-mux attach` attaches to): a script can list its panes, follow one pane's screen and type
 * into it, open panes for a person to attach to later, and answer SSH panes' questions.
 *
 * ```ts
 * const mux = await MuxClient.connect();           // or { name: "work" } for `mosh-mux -L work`
 * const [first] = await mux.list();
 * const pane = await mux.attachPane(first.id);
 * pane.write("uptime\r");
 * console.log((await pane.waitFor(/load average/)).lines().join("\n"));
 * pane.detach();
 * mux.close();                                      // the sessions go on in the background
 * ```
 *
 * Everything it does goes through the same socket as `mosh-mux attach`; a person attached at the
 * same time sees what the script types, and the reverse.
 */
export class MuxClient extends EventEmitter<MuxClientEvents> {
  readonly #conn: MuxConnection;
  readonly #panes = new Map<number, MuxPane>();
  #questions: MuxQuestion[] = [];
  #exitReason: "killed" | "empty" | null = null;

  private constructor(conn: MuxConnection) {
    super();
    this.#conn = conn;
    conn.on("message", (m) => this.#onMessage(m));
    conn.on("close", () => {
      for (const p of [...this.#panes.values()]) p._end();
      this.#panes.clear();
      this.emit("close");
    });
  }

  /** The socket path a name resolves to (`$XDG_RUNTIME_DIR/mosh-mux/NAME` or `/tmp/mosh-mux-UID/NAME`). */
  static socketPath(options: MuxClientOptions = {}): string {
    return options.socketPath ?? muxSocketPath(options.name ?? DEFAULT_SOCKET_NAME, options.env);
  }

  /**
   * Connects to the background process. Rejects with a {@link MuxError}: `no-server` when none
   * runs, `unsafe-socket` when the socket or its directory belongs to another user or is open to
   * others, `version` when the server is another mosh-ts version.
   */
  static async connect(options: MuxClientOptions = {}): Promise<MuxClient> {
    const conn = await MuxConnection.open(MuxClient.socketPath(options));
    return new MuxClient(conn);
  }

  /** The server's process id. */
  get serverPid(): number {
    return this.#conn.welcome.pid;
  }

  /** The server's socket name. */
  get name(): string {
    return this.#conn.welcome.name;
  }

  /** The mosh-ts version of the server. */
  get serverVersion(): string {
    return this.#conn.welcome.version;
  }

  /** When the server started (ms since the epoch). */
  get created(): number {
    return this.#conn.welcome.created;
  }

  /** The questions SSH panes wait to have answered, in the order they were asked. */
  get questions(): readonly MuxQuestion[] {
    return this.#questions;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#conn.closed;
  }

  /** The panes, in layout order. */
  async list(): Promise<MuxPaneInfo[]> {
    return (await this.#conn.request({ t: "list" })).panes ?? [];
  }

  /** How many TUI clients are attached. */
  async attachedClients(): Promise<number> {
    return (await this.#conn.request({ t: "list" })).clients ?? 0;
  }

  /**
   * Follows pane `id`: its screen (the server's screen, or with `overlay` what a person sees:
   * predictions and mosh's notification bar) and its state, and lets you type into it.
   * Rejects with `refused` if there is no such pane.
   */
  async attachPane(id: number, options: { overlay?: boolean } = {}): Promise<MuxPane> {
    const existing = this.#panes.get(id);
    if (existing) return existing;
    const pane = new MuxPane(this.#conn, id, () => this.#panes.delete(id));
    this.#panes.set(id, pane);
    try {
      const reply = await this.#conn.request({ t: "watch", pane: id, overlay: options.overlay === true });
      const info = reply.panes?.[0];
      if (info) pane._info(info);
      await pane._firstFrame();
    } catch (err) {
      this.#panes.delete(id);
      throw err;
    }
    return pane;
  }

  /**
   * Opens a pane in the background process (next to the focused one, side by side unless
   * `split: "v"`) and resolves with its id; it connects in the background (follow it with
   * {@link MuxClient.attachPane}). A person who attaches later finds it there.
   */
  async openPane(source: MuxPaneSource, options: { split?: "h" | "v" } = {}): Promise<number> {
    const reply = await this.#conn.request({ t: "open", sources: [source], split: options.split });
    const id = reply.ids?.[0];
    if (id === undefined) throw new MuxError("refused", "the server opened no pane");
    return id;
  }

  /** Closes pane `id`, ending its session. */
  async closePane(id: number): Promise<void> {
    await this.#conn.request({ t: "close", pane: id });
  }

  /** The text of pane `id`'s scrollback (oldest first; trailing spaces removed). */
  async scrollback(id: number): Promise<string[]> {
    return (await this.#conn.request({ t: "scrollback", pane: id })).lines ?? [];
  }

  /** Answers question `id` (see {@link MuxClient.questions}); the first answer from any client wins. */
  answer(id: number, text: string): void {
    this.#conn.send({ t: "answer", q: id, text });
  }

  /** Refuses question `id`: the pane's connection fails, as with Escape in the TUI. */
  cancelQuestion(id: number): void {
    this.#conn.send({ t: "cancel", q: id });
  }

  /** Ends every session and the background process (`mosh-mux kill-server`). */
  async killServer(): Promise<void> {
    try {
      await this.#conn.request({ t: "kill-server" });
    } catch (err) {
      // The server may close the socket before the reply is read.
      if (!(err instanceof MuxError && err.code === "closed")) throw err;
    }
  }

  /** Disconnects; the background process and its sessions go on. */
  close(): void {
    this.#conn.close();
  }

  /** Why the server went away, once it said so. */
  get exitReason(): "killed" | "empty" | null {
    return this.#exitReason;
  }

  #onMessage(m: ServerMessage): void {
    switch (m.t) {
      case "pane":
        this.#panes.get(m.info.id)?._info(m.info);
        return;
      case "frame":
        this.#panes.get(m.pane)?._frame(m);
        return;
      case "gone": {
        const p = this.#panes.get(m.pane);
        this.#panes.delete(m.pane);
        p?._end();
        return;
      }
      case "questions":
        this.#questions = m.list;
        this.emit("questions", m.list);
        return;
      case "exit":
        this.#exitReason = m.reason;
        this.emit("exit", m.reason);
        return;
    }
  }
}

/**
 * One pane of the background process followed by a {@link MuxClient}: its screen as it changes,
 * its state, and its input. Typing here is typing in that pane, for anyone attached.
 */
export class MuxPane extends EventEmitter<MuxPaneEvents> {
  /** The pane's id. */
  readonly id: number;
  readonly #conn: MuxConnection;
  readonly #decoder = new FrameDecoder();
  readonly #forget: () => void;
  #info: MuxPaneInfo | null = null;
  #closed = false;
  #firstFrame: Promise<void>;
  #gotFrame: (() => void) | null = null;

  /** @internal Made by {@link MuxClient.attachPane}. */
  constructor(conn: MuxConnection, id: number, forget: () => void) {
    super();
    this.#conn = conn;
    this.id = id;
    this.#forget = forget;
    this.#firstFrame = new Promise<void>((resolve) => {
      this.#gotFrame = resolve;
    });
  }

  /** The pane's state, RTT, size and label, as last reported. */
  get info(): MuxPaneInfo {
    if (!this.#info) throw new MuxError("closed", "no information about the pane yet");
    return this.#info;
  }

  /** Whether the pane closed or was detached. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The pane's screen now. */
  screen(): Frame {
    return (
      this.#decoder.frame ?? blankFrame(this.#info?.cols ?? DEFAULT_COLS, this.#info?.rows ?? DEFAULT_ROWS)
    );
  }

  /** Types into the pane (keys as a terminal sends them: "\r" for Enter, "\x03" for Ctrl-C). */
  write(data: string): void {
    if (this.#closed) throw new MuxError("closed", `pane ${this.id} is closed`);
    this.#conn.send({ t: "input", pane: this.id, data });
  }

  /**
   * Resolves with the screen once its text matches `pattern` (a substring or a RegExp over the
   * rows joined by newlines); rejects on timeout (default 10 s) or when the pane closes first.
   */
  waitFor(pattern: string | RegExp, options: { timeout?: number } = {}): Promise<Frame> {
    const now = this.screen();
    if (screenMatches(now, pattern)) return Promise.resolve(now);
    return new Promise<Frame>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off("screen", onScreen);
        this.off("close", onClose);
      };
      const onScreen = (f: Frame): void => {
        if (!screenMatches(f, pattern)) return;
        cleanup();
        resolve(f);
      };
      const onClose = (): void => {
        cleanup();
        reject(new MuxError("closed", `pane ${this.id} closed before the screen matched ${String(pattern)}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new MuxError("timeout", `timed out waiting for ${String(pattern)} in pane ${this.id}`));
      }, options.timeout ?? 10_000);
      this.on("screen", onScreen);
      this.once("close", onClose);
    });
  }

  /** Stops following the pane (the pane and its session go on). */
  detach(): void {
    if (this.#closed) return;
    this.#conn.request({ t: "unwatch", pane: this.id }).catch(() => undefined);
    this._end();
  }

  /** @internal */
  _info(info: MuxPaneInfo): void {
    this.#info = info;
    this.emit("info", info);
  }

  /** @internal */
  _frame(m: Extract<ServerMessage, { t: "frame" }>): void {
    const f = this.#decoder.apply(m);
    this.#gotFrame?.();
    this.#gotFrame = null;
    this.emit("screen", f);
  }

  /** @internal Resolves once the first screen arrived (the server sends it right after the watch reply). */
  _firstFrame(): Promise<void> {
    return this.#firstFrame;
  }

  /** @internal */
  _end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#gotFrame?.();
    this.#forget();
    this.emit("close");
  }
}
