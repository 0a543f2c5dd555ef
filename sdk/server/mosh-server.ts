// MoshServer: the server end of a mosh session, in-process (a command in a pty, its screen synchronised to one client).
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { EventEmitter } from "eventemitter3";
import { SessionKey } from "../crypto/session-key.js";
import { MoshError } from "../errors.js";
import { EchoAckTracker } from "../state/echo-ack.js";
import { type HostState, LiveHostState } from "../state/host-state.js";
import { UserStream } from "../state/user-stream.js";
import { Emulator } from "../terminal/emulator.js";
import { blankFrame, type Frame } from "../terminal/frame.js";
import { DEFAULT_COLS, DEFAULT_ROWS, validScreenSize } from "../terminal/window-size.js";
import type { Clock, DatagramNetwork, Endpoint, Family } from "../transport/ports.js";
import { systemClock } from "../transport/ports.js";
import { SHUTDOWN_NUM, Transport } from "../transport/transport.js";
import { udpNetwork } from "../transport/udp.js";
import type { UserEvent } from "../wire/messages.js";
import {
  type CommandLine,
  findExecutable,
  loginShell,
  type PtyProcess,
  type PtySpawner,
  spawnableCommand,
  spawnNodePty,
} from "./pty-host.js";
import { UserInputTranslator } from "./user-input.js";

/** How to start a {@link MoshServer}. */
export interface MoshServerOptions {
  /** The program and its arguments (default: the user's login shell, as mosh-server). */
  command?: string[];
  /** Environment of the command (default `process.env`); TERM, NCURSES_NO_UTF8_ACS and PWD are set, STY removed. */
  env?: Record<string, string | undefined>;
  /** Working directory of the command (default: `HOME`, as mosh-server). */
  cwd?: string;
  /** The session key (default: a fresh random one). */
  key?: SessionKey | string;
  /** UDP port: one port, 0 (the OS chooses) or an inclusive range (default 60001..60999, the first free one). */
  port?: number | readonly [number, number];
  /** Local address to bind (tried first, then any interface). */
  bindAddress?: string;
  /** Socket family (default: from `bindAddress`, else IPv4). */
  family?: Family;
  /** Initial screen width before the client says its size (default 80). */
  cols?: number;
  /** Initial screen height (default 24). */
  rows?: number;
  /** TERM for the command (default "xterm-256color"; mosh-server uses "xterm" unless `-c 256`). */
  term?: string;
  /** End if no client state arrives within this many ms of the start (default 60000, mosh's; 0 = wait forever). */
  connectTimeoutMs?: number;
  /** End when no new client state arrived for this many ms (MOSH_SERVER_NETWORK_TMOUT; default 0 = never). */
  networkTimeoutMs?: number;
  /** Start the session with mosh 1.4's empty first line (the echo of the release newline; default true). */
  startupNewline?: boolean;
  /** Injected clock (tests use a fake one). */
  clock?: Clock;
  /** Injected datagram network (tests use a simulated one). */
  network?: DatagramNetwork;
  /** Injected pty spawner (default node-pty). */
  spawn?: PtySpawner;
  /** Receives mosh-server's diagnostic lines (`Server now attached to client at …`, timeouts); never the key. */
  log?: (line: string) => void;
  /** Told when binding to `bindAddress` failed and any interface is tried instead. */
  onBindError?: (address: string, err: Error) => void;
}

/** Why a server session ended. */
export type ServerExitReason =
  /** The command exited (the shutdown handshake followed). */
  | "command-exit"
  /** The client ended the session (its shutdown was acknowledged). */
  | "client-shutdown"
  /** `MOSH_SERVER_NETWORK_TMOUT` passed without a new client state. */
  | "network-timeout"
  /** No client connected within `connectTimeoutMs`. */
  | "no-connection"
  /** {@link MoshServer.close} was called. */
  | "closed";

/** How a server session ended. */
export interface ServerExitInfo {
  /** Why it ended. */
  reason: ServerExitReason;
  /** Whether a shutdown handshake completed (ours acknowledged, or the client's acknowledged by us). */
  clean: boolean;
  /** The command's exit status, if it exited by itself. */
  exitCode: number | null;
  /** The signal that ended the command, if any. */
  signal: number | null;
}

/** Typed events of a {@link MoshServer}. */
export interface MoshServerEvents {
  /** The first client state arrived (the command starts now). */
  "client-connect": (endpoint: Endpoint) => void;
  /** The client's address changed (also on first contact): later datagrams go there. */
  roam: (endpoint: Endpoint) => void;
  /** The session is over; the command has been hung up and the socket closed. */
  exit: (info: ServerExitInfo) => void;
  /** A non-fatal problem (a bad datagram, a socket error). */
  error: (err: Error) => void;
}

/** Output characters queued for the emulator above which the pty is no longer read. */
const HIGH_WATER = 128 * 1024;
/** Reading resumes once the queue is below this. */
const LOW_WATER = 16 * 1024;
/** How long a failed exec shows its error before the session ends (mosh's `sleep(3)`). */
const EXEC_FAILURE_DELAY = 3000;

type Op =
  | { kind: "data"; text: string }
  | { kind: "resize"; cols: number; rows: number }
  | { kind: "barrier"; fn: () => void };

type ServerTransport = Transport<HostState, UserStream>;

function formatEndpoint(ep: Endpoint): string {
  return `${ep.address}:${ep.port}`;
}

/**
 * The server end of one mosh session, in-process: it binds a UDP port, waits for a client, then
 * runs the command in a pty at the client's window size, keeps the screen with a terminal
 * emulator and synchronises it (plus the echo ack) to the client, which may be Debian's real
 * mosh-client, mosh-ts, or any other mosh 1.4-compatible client.
 *
 * ```ts
 * const server = await MoshServer.start({ command: ["/bin/bash"], bindAddress: "127.0.0.1" });
 * console.log(`MOSH CONNECT ${server.port} ${server.key.reveal()}`);
 * server.on("exit", (info) => console.log("session over:", info.reason));
 * ```
 */
export class MoshServer extends EventEmitter<MoshServerEvents> {
  readonly #key: SessionKey;
  readonly #clock: Clock;
  readonly #opts: MoshServerOptions;
  readonly #command: CommandLine | null;
  readonly #emulator: Emulator;
  readonly #live: LiveHostState;
  readonly #echo = new EchoAckTracker();
  readonly #translator = new UserInputTranslator();
  readonly #ops: Op[] = [];
  readonly #startTime: number;
  readonly #exited: Promise<ServerExitInfo>;
  #resolveExit: (info: ServerExitInfo) => void = () => undefined;
  #transport: ServerTransport | null = null;
  #local: Endpoint | null = null;
  #pty: PtyProcess | null = null;
  #ptyStarted = false;
  #cols: number;
  #rows: number;
  #inputPos = 0;
  #connected = false;
  #lastRemote: number;
  #queued = 0;
  #paused = false;
  #pumping = false;
  #commandExit: { exitCode: number; signal: number | null } | null = null;
  #shutdownReason: ServerExitReason = "closed";
  #finished = false;
  #exitInfo: ServerExitInfo | null = null;
  #lastFrame: Frame;
  #cancelEcho: (() => void) | null = null;
  #cancelIdle: (() => void) | null = null;
  #cancelConnect: (() => void) | null = null;

  private constructor(opts: MoshServerOptions, key: SessionKey) {
    super();
    this.#key = key;
    this.#opts = { ...opts, key: undefined };
    this.#clock = opts.clock ?? systemClock;
    this.#cols = opts.cols ?? DEFAULT_COLS;
    this.#rows = opts.rows ?? DEFAULT_ROWS;
    if (!validScreenSize(this.#cols, this.#rows))
      throw new MoshError("bad-argument", `bad window size ${this.#cols}x${this.#rows}`);
    const cmd = opts.command;
    if (cmd !== undefined && cmd.length === 0)
      throw new MoshError("bad-argument", "command must not be empty");
    this.#command = cmd === undefined ? null : { file: cmd[0], args: cmd.slice(1), argv0: cmd[0] };
    this.#emulator = new Emulator(this.#cols, this.#rows);
    this.#emulator.onReply((reply) => this.#pty?.write(reply));
    this.#lastFrame = blankFrame(this.#cols, this.#rows);
    this.#live = new LiveHostState(this.#emulator, this.#lastFrame);
    this.#startTime = this.#clock.now();
    this.#lastRemote = this.#startTime;
    this.#exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
  }

  /**
   * Binds the UDP port and starts waiting for a client. The command starts when the first client
   * state arrives (as mosh-server does), at the client's window size.
   * @throws MoshError: `bad-key` (a `CryptoError`) or `bad-argument` on bad options;
   *   `bind-failed` (the socket's error as `cause`) if no port could be bound.
   */
  static async start(options: MoshServerOptions = {}): Promise<MoshServer> {
    const key =
      options.key === undefined
        ? SessionKey.generate()
        : typeof options.key === "string"
          ? SessionKey.parse(options.key)
          : options.key;
    const server = new MoshServer(options, key);
    try {
      await server.#open();
    } catch (err) {
      server.#emulator.dispose();
      if (err instanceof MoshError) throw err;
      if (err instanceof RangeError) throw new MoshError("bad-argument", err.message, { cause: err });
      throw new MoshError("bind-failed", err instanceof Error ? err.message : String(err), { cause: err });
    }
    return server;
  }

  async #open(): Promise<void> {
    const o = this.#opts;
    const t: ServerTransport = await Transport.open<HostState, UserStream>({
      role: "server",
      key: this.#key,
      clock: this.#clock,
      network: o.network ?? udpNetwork,
      initialLocal: this.#live,
      initialRemote: new UserStream(),
      bindAddress: o.bindAddress,
      family: o.family,
      port: o.port,
      onBindError: o.onBindError,
    });
    this.#transport = t;
    this.#local = t.localEndpoint;
    t.on("remote-state", (num, state) => this.#onClientState(num, state));
    t.on("roam", (ep) => {
      this.#log(`Server now attached to client at ${formatEndpoint(ep)}`);
      this.emit("roam", ep);
    });
    t.on("detach", () => this.#log("Server now detached from client."));
    t.on("error", (err) => this.emit("error", err));
    t.on("shutdown", (outcome) => {
      if (outcome === "counterparty-acknowledged") this.#finish("client-shutdown", true);
      else this.#finish(this.#shutdownReason, outcome === "acknowledged");
    });
    const connectTimeout = o.connectTimeoutMs ?? 60000;
    if (connectTimeout > 0) {
      this.#cancelConnect = this.#clock.setTimer(connectTimeout, () => {
        this.#cancelConnect = null;
        if (this.#connected) return;
        this.#log(`No connection within ${Math.floor(connectTimeout / 1000)} seconds.`);
        this.#finish("no-connection", false);
      });
    }
    this.#scheduleIdleCheck();
  }

  /** The session key (print it with `key.reveal()`; it never shows in logs or `inspect`). */
  get key(): SessionKey {
    return this.#key;
  }

  /** The UDP port the server listens on. */
  get port(): number {
    return this.#local?.port ?? 0;
  }

  /** The local endpoint of the UDP socket. */
  get localEndpoint(): Endpoint | null {
    return this.#local;
  }

  /** The client's current address (null before the first datagram, or after 40 s of silence). */
  get clientEndpoint(): Endpoint | null {
    return this.#transport?.remoteEndpoint ?? null;
  }

  /** Whether a client state has arrived. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Process id of the command (null before a client connected or if it could not start). */
  get commandPid(): number | null {
    return this.#pty?.pid ?? null;
  }

  /** ms since the last new client state (since the start, before any). */
  get idleMs(): number {
    return this.#clock.now() - this.#lastRemote;
  }

  /** Whether the shutdown handshake has started. */
  get shuttingDown(): boolean {
    return this.#transport?.shutdownInProgress ?? false;
  }

  /** The echo ack currently in the screen state (docs/mosh-protocol.md §8.3). */
  get echoAck(): bigint {
    return this.#live.echoAck;
  }

  /** Smoothed round-trip time to the client in ms (1000 before the first sample). */
  get srtt(): number {
    return this.#transport?.srtt ?? 1000;
  }

  /** The server's current screen (what the command's terminal shows). */
  screen(): Frame {
    if (!this.#finished) this.#lastFrame = this.#live.frame;
    return this.#lastFrame;
  }

  /** How the session ended, once it has. */
  get exitInfo(): ServerExitInfo | null {
    return this.#exitInfo;
  }

  /** Resolves when the session is over. */
  waitForExit(): Promise<ServerExitInfo> {
    return this.#exited;
  }

  /**
   * Resolves once every chunk of output received so far has been through the emulator (and the
   * screen state marked as changed). For tests and tools that need a settled screen.
   */
  settled(): Promise<void> {
    if (this.#finished) return Promise.resolve();
    return new Promise((resolve) => this.#enqueue({ kind: "barrier", fn: resolve }));
  }

  /**
   * Ends the session as mosh-server does on SIGTERM: if a client is attached and no shutdown is
   * running, the shutdown handshake starts (the command is hung up when it finishes); otherwise
   * the session ends at once. Resolves with the exit information.
   */
  close(): Promise<ServerExitInfo> {
    const t = this.#transport;
    if (this.#finished || !t) return this.#exited;
    if (t.hasRemoteAddress && !t.shutdownInProgress) this.#beginShutdown("closed");
    else this.#finish(t.shutdownInProgress ? this.#shutdownReason : "closed", false);
    return this.#exited;
  }

  /** Hides the session key from `util.inspect`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    const state = this.#finished ? "ended" : this.#connected ? "connected" : "waiting for a client";
    return `MoshServer { port ${this.port}, ${this.#cols}x${this.#rows}, ${state} }`;
  }

  #log(line: string): void {
    this.#opts.log?.(line);
  }

  #onClientState(num: bigint, state: UserStream): void {
    if (this.#finished) return;
    const now = this.#clock.now();
    this.#lastRemote = now;
    this.#scheduleIdleCheck();
    let events: UserEvent[];
    try {
      events = state.eventsSince(this.#inputPos);
    } catch {
      events = [];
    }
    this.#inputPos = state.length;
    const first = !this.#connected;
    if (first) {
      this.#connected = true;
      this.#cancelConnect?.();
      this.#cancelConnect = null;
    }
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      if (ev.kind === "resize") {
        // Only the last of a run of resizes matters (mosh 1.4).
        if (i + 1 < events.length && events[i + 1].kind === "resize") continue;
        this.#applyResize(ev.cols, ev.rows);
      } else {
        this.#startCommand();
        this.#pty?.write(this.#translator.translate(ev.keys, this.#applicationCursorKeys()));
      }
    }
    this.#startCommand();
    if (first) this.emit("client-connect", this.#transport?.remoteEndpoint ?? { address: "", port: 0 });
    if (events.length > 0 && num !== SHUTDOWN_NUM) {
      this.#echo.registerInputFrame(num, now);
      this.#scheduleEcho();
    }
  }

  #applicationCursorKeys(): boolean {
    try {
      return this.#emulator.terminal.modes.applicationCursorKeysMode;
    } catch {
      return false;
    }
  }

  #applyResize(cols: number, rows: number): void {
    if (!validScreenSize(cols, rows)) {
      this.#log(`Ignoring bad window size ${cols}x${rows} from the client.`);
      return;
    }
    if (cols === this.#cols && rows === this.#rows) return;
    this.#cols = cols;
    this.#rows = rows;
    try {
      this.#pty?.resize(cols, rows);
    } catch (err) {
      this.emit("error", err instanceof Error ? err : new Error(String(err)));
    }
    this.#enqueue({ kind: "resize", cols, rows });
  }

  /** Starts the command once (at the current size), as mosh-server releases its child on the first client state. */
  #startCommand(): void {
    if (this.#ptyStarted || this.#finished) return;
    this.#ptyStarted = true;
    const o = this.#opts;
    const base = o.env ?? process.env;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
    delete env.STY;
    env.TERM = o.term ?? "xterm-256color";
    env.NCURSES_NO_UTF8_ACS = "1";
    let cwd = o.cwd ?? env.HOME ?? homedir();
    if (!isDirectory(cwd)) cwd = "/";
    env.PWD = cwd;
    const cmd = this.#command ?? loginShell(env);
    if (o.startupNewline ?? true) this.#enqueue({ kind: "data", text: "\r\n" });
    if (findExecutable(cmd.file, env.PATH) === null) {
      this.#execFailed(cmd.file, "No such file or directory");
      return;
    }
    const { file, args } = spawnableCommand(cmd);
    let pty: PtyProcess;
    try {
      pty = (o.spawn ?? spawnNodePty)(file, args, { cols: this.#cols, rows: this.#rows, cwd, env });
    } catch (err) {
      this.#execFailed(cmd.file, err instanceof Error ? err.message : String(err));
      return;
    }
    this.#pty = pty;
    pty.onData((data) => this.#onOutput(data));
    pty.onExit((e) => this.#onCommandExit(e));
  }

  #execFailed(file: string, why: string): void {
    this.#enqueue({ kind: "data", text: `execvp: ${file}: ${why}\r\n` });
    this.#clock.setTimer(EXEC_FAILURE_DELAY, () => this.#onCommandExit({ exitCode: 1, signal: null }));
  }

  #onOutput(data: string): void {
    // mosh-server stops reading the pty once its shutdown has started.
    if (this.#finished || this.#transport?.shutdownInProgress) return;
    this.#enqueue({ kind: "data", text: data });
  }

  #onCommandExit(e: { exitCode: number; signal: number | null }): void {
    if (this.#commandExit) return;
    this.#commandExit = e;
    // Let the last output reach the screen, then freeze it as the final state.
    this.#enqueue({ kind: "barrier", fn: () => this.#beginShutdown("command-exit") });
  }

  #beginShutdown(reason: ServerExitReason): void {
    const t = this.#transport;
    if (this.#finished || !t || t.shutdownInProgress) return;
    this.#shutdownReason = reason;
    t.startShutdown();
  }

  // --- the emulator queue: output, resizes and barriers in order; one xterm write at a time ---

  #enqueue(op: Op): void {
    if (this.#finished) {
      if (op.kind === "barrier") op.fn();
      return;
    }
    // The fast path: nothing queued before it, so output is parsed now (no queue entry, no promise).
    if (op.kind === "data" && !this.#pumping && this.#ops.length === 0 && this.#writeNow(op.text)) return;
    this.#ops.push(op);
    if (op.kind === "data") {
      this.#queued += op.text.length;
      if (!this.#paused && this.#queued > HIGH_WATER && this.#pty) {
        this.#paused = true;
        this.#pty.pause();
      }
    }
    void this.#pump();
  }

  /** Parses `text` at once if the emulator can (then marks the state changed); false if it cannot. */
  #writeNow(text: string): boolean {
    try {
      if (!this.#emulator.writeNow(text)) return false;
    } catch (err) {
      this.emit("error", err instanceof Error ? err : new Error(String(err)));
      return true;
    }
    this.#changed();
    return true;
  }

  /**
   * Runs the queued operations in order. Output is parsed at once when the emulator can (no
   * promise or microtask per pty read); only an xterm build without a synchronous parser makes
   * this wait for each write.
   */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      const ops = this.#ops;
      while (ops.length > 0 && !this.#finished) {
        const op = ops[0];
        if (op.kind === "data") {
          let text = "";
          while (ops.length > 0 && ops[0].kind === "data") text += (ops.shift() as { text: string }).text;
          if (!this.#emulator.writeNow(text)) await this.#emulator.write(text);
          this.#queued -= text.length;
          if (this.#paused && this.#queued < LOW_WATER) {
            this.#paused = false;
            this.#pty?.resume();
          }
          this.#changed();
        } else if (op.kind === "resize") {
          ops.shift();
          this.#emulator.resize(op.cols, op.rows);
          this.#changed();
        } else {
          ops.shift();
          op.fn();
        }
      }
    } catch (err) {
      if (!this.#finished) this.emit("error", err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#pumping = false;
    }
    // Barriers queued after the session finished still run.
    if (this.#finished) for (const op of this.#ops.splice(0)) if (op.kind === "barrier") op.fn();
  }

  /** The emulator changed: mark the live state stale and, if it was fresh, tell the transport (no snapshot yet). */
  #changed(): void {
    if (this.#live.invalidate()) this.#transport?.setCurrentState(this.#live);
  }

  // --- timers ---

  #scheduleEcho(): void {
    this.#cancelEcho?.();
    this.#cancelEcho = null;
    const wait = this.#echo.waitTime(this.#clock.now());
    if (!Number.isFinite(wait)) return;
    this.#cancelEcho = this.#clock.setTimer(wait, () => {
      this.#cancelEcho = null;
      if (this.#finished) return;
      if (this.#echo.setEchoAck(this.#clock.now())) {
        const ack = this.#echo.echoAck;
        // The ack says the echo is in the screen: publish it after the output received so far.
        this.#enqueue({
          kind: "barrier",
          fn: () => {
            if (this.#live.setEchoAck(ack)) this.#transport?.setCurrentState(this.#live);
          },
        });
      }
      this.#scheduleEcho();
    });
  }

  #scheduleIdleCheck(): void {
    const timeout = this.#opts.networkTimeoutMs ?? 0;
    if (timeout <= 0 || this.#finished) return;
    this.#cancelIdle?.();
    const wait = Math.max(0, this.#lastRemote + timeout - this.#clock.now());
    this.#cancelIdle = this.#clock.setTimer(wait, () => {
      this.#cancelIdle = null;
      this.#idleCheck(timeout);
    });
  }

  /** mosh-server's idle rule: say so, start the shutdown; if it is already running (or no client), end. */
  #idleCheck(timeout: number): void {
    const t = this.#transport;
    if (this.#finished || !t) return;
    const idle = this.#clock.now() - this.#lastRemote;
    if (idle < timeout) {
      this.#scheduleIdleCheck();
      return;
    }
    this.#log(`Network idle for ${Math.floor(idle / 1000)} seconds.`);
    if (t.hasRemoteAddress && !t.shutdownInProgress) {
      this.#beginShutdown("network-timeout");
      // mosh's next loop pass (at most a frame interval later) finds the shutdown running and exits.
      this.#cancelIdle = this.#clock.setTimer(t.sendInterval, () => {
        this.#cancelIdle = null;
        this.#idleCheck(timeout);
      });
    } else {
      this.#finish(t.shutdownInProgress ? this.#shutdownReason : "network-timeout", false);
    }
  }

  /** Ends the session: hangs up the command, closes the socket (after the last datagram left), reports. */
  #finish(reason: ServerExitReason, clean: boolean): void {
    if (this.#finished) return;
    try {
      this.#lastFrame = this.#live.frame;
    } catch {
      // keep the previous frame
    }
    this.#finished = true;
    for (const cancel of [this.#cancelEcho, this.#cancelIdle, this.#cancelConnect]) cancel?.();
    this.#cancelEcho = this.#cancelIdle = this.#cancelConnect = null;
    const pty = this.#pty;
    if (pty && !this.#commandExit) pty.close();
    const t = this.#transport;
    if (t) this.#clock.setTimer(0, () => t.close());
    this.#emulator.dispose();
    for (const op of this.#ops.splice(0)) if (op.kind === "barrier") op.fn();
    const info: ServerExitInfo = {
      reason,
      clean,
      exitCode: this.#commandExit?.exitCode ?? null,
      signal: this.#commandExit?.signal ?? null,
    };
    this.#exitInfo = info;
    this.#resolveExit(info);
    this.emit("exit", info);
  }
}

function isDirectory(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}
