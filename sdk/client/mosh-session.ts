// MoshSession: the public client end of a mosh session (connect, type, read the screen, typed events).

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { EventEmitter } from "eventemitter3";
import { CryptoError } from "../crypto/crypto-error.js";
import { SessionKey } from "../crypto/session-key.js";
import { MoshError } from "../errors.js";
import { type MessageOptions, NotificationEngine } from "../predict/notification-engine.js";
import { type CellPosition, type DisplayPreference, PredictionEngine } from "../predict/prediction-engine.js";
import { HostView } from "../state/host-view.js";
import { ScreenReplica } from "../state/screen-replica.js";
import { UserStream } from "../state/user-stream.js";
import { blankFrame, type Frame, frameEquals } from "../terminal/frame.js";
import { screenMatches } from "../terminal/screen-match.js";
import { DEFAULT_COLS, DEFAULT_ROWS, validScreenSize } from "../terminal/window-size.js";
import type { Clock, DatagramNetwork, Endpoint, Family } from "../transport/ports.js";
import { systemClock } from "../transport/ports.js";
import { Transport } from "../transport/transport.js";
import { TransportError } from "../transport/transport-error.js";
import { udpNetwork } from "../transport/udp.js";
import { SHUTDOWN_NUM } from "../wire/instruction.js";

/** How to reach a mosh server and what the session looks like. */
export interface MoshSessionOptions {
  /** The server's host name or numeric address. */
  host: string;
  /** The server's UDP port (printed in `MOSH CONNECT`). */
  port: number;
  /** The 22-character session key (from `MOSH CONNECT`), or a parsed key. */
  key: string | SessionKey;
  /** Window width in columns (default 80). */
  cols?: number;
  /** Window height in rows (default 24). */
  rows?: number;
  /** Address family when `host` is a name (default: whatever the resolver returns first). */
  family?: Family;
  /** Give up connecting after this many ms without any server state (default 15000, as mosh-client). */
  connectTimeoutMs?: number;
  /**
   * After this many ms without a new server state, the notification bar shows "Last contact"
   * and `stall` is emitted (default 6500, mosh's threshold).
   */
  stallAfterMs?: number;
  /**
   * When keystroke echoes are predicted and shown (mosh's `MOSH_PREDICTION_DISPLAY`): `adaptive`
   * (default: on a slow or glitchy link), `always`, `never`, `experimental`.
   */
  predict?: DisplayPreference;
  /** Predicted characters overwrite instead of inserting (mosh's `MOSH_PREDICTION_OVERWRITE=yes`; default false). */
  predictOverwrite?: boolean;
  /**
   * Show the first keystrokes after Enter at once when the screen shows a shell prompt (`$ `,
   * `# `, ...; never a password prompt), where mosh waits one round trip for the first echo
   * (default true; `MOSH_TS_PREDICTION_PROMPT=no` for mosh-ts-client). False gives mosh's exact
   * behaviour.
   */
  predictAtPrompt?: boolean;
  /** Appended to notification-bar texts, e.g. ` [To quit: Ctrl-^ .]` (default none). */
  quitHint?: string;
  /** Injected clock (tests use a fake one). */
  clock?: Clock;
  /** Injected datagram network (tests use a simulated one). */
  network?: DatagramNetwork;
}

/** How a session ended. */
export interface ExitInfo {
  /** Who started the end: the server (the command exited), the client (`close()`), or a timeout. */
  reason: "server" | "client" | "timeout";
  /** Whether the shutdown handshake completed (mosh-client's exit status 0). */
  clean: boolean;
}

/**
 * What the local echo prediction shows and has done (the `predict` event). Emitted when what is
 * shown changes, or when predictions were confirmed or repaired.
 */
export interface PredictInfo {
  /** Predicted cells drawn over the server's screen now (0: the user sees the server's screen). */
  shown: number;
  /** Where the predicted cursor is drawn, when it differs from the server's; else null. */
  cursor: CellPosition | null;
  /** Whether shown predictions are underlined (the link is slow, or glitched). */
  flagged: boolean;
  /** Predicted cells the server's echo confirmed since the previous event. */
  confirmed: number;
  /** Shown mispredictions since the previous event: each time the display snapped back to the server's screen. */
  repaired: number;
}

/** Where and how a keystroke's predicted echo will be drawn (see {@link MoshSession.echoPreview}). */
export interface EchoPreview {
  /** The cell (the shown cursor; the cursor then moves one column right). */
  row: number;
  col: number;
  /** The character. */
  text: string;
  /** Attribute bits ({@link Attr}), underline included while predictions are flagged. */
  attrs: number;
  /** Colours (see {@link Color}). */
  fg: number;
  bg: number;
}

/** Options of {@link MoshSession.screen}. */
export interface ScreenOptions {
  /**
   * The screen as the user should see it: the shown predictions and the notification bar drawn
   * over the server's screen (default false: the server's screen alone).
   */
  overlay?: boolean;
}

/** Typed events of a {@link MoshSession}. */
export interface MoshSessionEvents {
  /** The first state arrived from the server. */
  connect: () => void;
  /** The screen changed; `frame` is the new server screen. */
  screen: (frame: Frame) => void;
  /**
   * The screen as the user should see it changed (predictions, the notification bar, or the
   * server's screen); `frame` equals `screen({ overlay: true })`. Draw this one in a terminal UI.
   */
  view: (frame: Frame) => void;
  /** Local echo prediction showed, confirmed or repaired something (see {@link PredictInfo}). */
  predict: (info: PredictInfo) => void;
  /** The window title changed. */
  title: (title: string) => void;
  /** The terminal bell rang. */
  bell: () => void;
  /** The smoothed round-trip time changed (ms). */
  rtt: (srttMs: number) => void;
  /** The client moved to a new local UDP port (port hop after silence). */
  roam: (local: Endpoint) => void;
  /**
   * The notification bar started counting: no new server state for `stallAfterMs` (`contact`),
   * or our input unacknowledged for 10 s (`reply`); `sinceMs` is how long. Once per stall.
   */
  stall: (sinceMs: number, kind: "contact" | "reply") => void;
  /** The stall ended (the bar's count-up cleared). */
  resume: () => void;
  /** The session is over; nothing more will be sent or received. */
  exit: (info: ExitInfo) => void;
  /**
   * A non-fatal problem; the session carries on. mosh-ts's own problems are {@link MoshError}s:
   * `integrity` (a `CryptoError`: a forged or corrupted datagram), `malformed-input`,
   * `illegal-input`, `version-mismatch`, `socket`. An exception thrown by one of your own
   * listeners is reported here as it was thrown.
   */
  error: (err: Error) => void;
}

type SessionTransport = Transport<UserStream, HostView>;

/**
 * A client session with a mosh server (Debian's `mosh-server` or mosh-ts-server).
 *
 * ```ts
 * const s = new MoshSession({ host: "127.0.0.1", port: 60001, key: process.env.MOSH_KEY! });
 * await s.connect();
 * s.write("ls\r");
 * await s.waitFor("$ ");
 * console.log(s.screen().lines().join("\n"));
 * await s.close();
 * ```
 */
export class MoshSession extends EventEmitter<MoshSessionEvents> {
  readonly host: string;
  readonly port: number;
  #key: SessionKey;
  #cols: number;
  #rows: number;
  #opts: MoshSessionOptions;
  #clock: Clock;
  #transport: SessionTransport | null = null;
  #input = new UserStream();
  #replica: ScreenReplica;
  #frame: Frame;
  #connected = false;
  #ended = false;
  #stalled = false;
  #startTime: number;
  readonly #predictions: PredictionEngine;
  readonly #notes: NotificationEngine;
  #lastPredict: PredictInfo = { shown: 0, cursor: null, flagged: false, confirmed: 0, repaired: 0 };
  #predictStats = { confirmed: 0, repaired: 0 };
  #lastView: Frame | null = null;
  #socketError = false;
  #lastRtt = -1;
  #rendering = false;
  #renderAgain = false;
  #renderIntervalMs = 0;
  #sendQueued = false;
  #lastRenderAt = Number.NEGATIVE_INFINITY;
  #cancelRender: (() => void) | null = null;
  #cancelTick: (() => void) | null = null;
  /** When the pending tick fires (clock ms); +Infinity when none is pending. */
  #tickAt = Number.POSITIVE_INFINITY;
  #exitInfo: ExitInfo | null = null;

  /**
   * Sets the session up; nothing is sent before {@link MoshSession.connect}.
   * @throws MoshError: `bad-key` (a `CryptoError` with mosh's text, e.g. `Key must be 22 letters
   *   long.`) or `bad-argument` (window size).
   */
  constructor(options: MoshSessionOptions) {
    super();
    this.host = options.host;
    this.port = options.port;
    this.#key = typeof options.key === "string" ? SessionKey.parse(options.key) : options.key;
    this.#cols = options.cols ?? DEFAULT_COLS;
    this.#rows = options.rows ?? DEFAULT_ROWS;
    if (!validScreenSize(this.#cols, this.#rows))
      throw new MoshError("bad-argument", `bad window size ${this.#cols}x${this.#rows}`);
    this.#opts = { ...options, key: "" };
    this.#clock = options.clock ?? systemClock;
    this.#replica = new ScreenReplica(this.#cols, this.#rows);
    this.#frame = blankFrame(this.#cols, this.#rows);
    // The window size is the stream's first event (as mosh-client's), ahead of any early keys.
    this.#input.pushResize(this.#cols, this.#rows);
    this.#startTime = this.#clock.now();
    this.#predictions = new PredictionEngine({
      display: options.predict ?? "adaptive",
      overwrite: options.predictOverwrite ?? false,
      confirmAtPrompt: options.predictAtPrompt ?? true,
    });
    this.#notes = new NotificationEngine(this.#startTime, {
      quitHint: options.quitHint ?? "",
      serverLateMs: options.stallAfterMs,
    });
  }

  /** Whether the first server state has arrived and the session has not ended. */
  get connected(): boolean {
    return this.#connected && !this.#ended;
  }

  /**
   * Least time in ms between two screens taken from the server's states (default 0: every
   * state is shown as it arrives). States arriving in between are applied together; the newest
   * is always shown. A multiplexer sets this for sessions the user is not looking at, to save
   * the work of building and drawing screens nobody watches.
   */
  get renderIntervalMs(): number {
    return this.#renderIntervalMs;
  }

  set renderIntervalMs(ms: number) {
    this.#renderIntervalMs = Math.max(0, ms);
    if (this.#cancelRender) {
      this.#cancelRender();
      this.#cancelRender = null;
      this.#render();
    }
  }

  /** Smoothed round-trip time in ms (1000 before the first sample, as mosh). */
  get srtt(): number {
    return this.#transport?.srtt ?? 1000;
  }

  /** The current frame interval in ms (mosh's send interval, SRTT/2 clamped to 20..250). */
  get sendInterval(): number {
    return this.#transport?.sendInterval ?? 250;
  }

  /** Local endpoint of the UDP socket in use. */
  get localEndpoint(): Endpoint | null {
    return this.#transport?.localEndpoint ?? null;
  }

  /** How the session ended, once it has. */
  get exitInfo(): ExitInfo | null {
    return this.#exitInfo;
  }

  /**
   * Opens the UDP connection, sends the window size, and resolves when the first server state
   * arrives (mosh-client's "connecting" phase). Rejects with a {@link MoshError}:
   * `connect-timeout` if the server stays silent for `connectTimeoutMs`, `bad-address` if `host`
   * does not resolve, `closed` if the session ended meanwhile or `connect()` was called before.
   */
  async connect(): Promise<void> {
    if (this.#transport) throw new MoshError("closed", "connect() was already called");
    if (this.#exitInfo) throw new MoshError("closed", "the session was closed");
    const address = await this.#resolve();
    const initialRemote = new HostView(this.#cols, this.#rows, this.#frame);
    const initialLocal = new UserStream();
    const transport: SessionTransport = await Transport.open<UserStream, HostView>({
      role: "client",
      key: this.#key,
      clock: this.#clock,
      network: this.#opts.network ?? udpNetwork,
      initialLocal,
      initialRemote,
      remote: { address, port: this.port },
      family: isIP(address) === 6 ? "IPv6" : "IPv4",
      sendMindelay: 1,
    });
    this.#transport = transport;
    this.#startTime = this.#clock.now();
    this.#notes.serverHeard(this.#startTime);
    this.#notes.serverAcked(this.#startTime);
    transport.on("remote-state", (num) => this.#onRemoteState(num));
    transport.on("roam", (ep) => this.emit("roam", ep));
    transport.on("error", (err) => this.#onError(err));
    transport.on("shutdown", (outcome) => {
      if (outcome === "counterparty-acknowledged") void this.#finish({ reason: "server", clean: true });
      else void this.#finish({ reason: this.#closeReason, clean: outcome === "acknowledged" });
    });
    transport.setCurrentState(this.#input);
    this.#scheduleTick();
    await new Promise<void>((resolve, reject) => {
      const timeout = this.#opts.connectTimeoutMs ?? 15000;
      const cancel = this.#clock.setTimer(timeout, () => {
        this.off("connect", onConnect);
        this.off("exit", onExit);
        this.#notes.setMessage("Timed out waiting for server...", this.#clock.now(), { permanent: true });
        reject(
          new MoshError(
            "connect-timeout",
            `mosh did not make a successful connection to ${address}:${this.port}.`,
          ),
        );
        this.#shutdown("timeout");
      });
      const onConnect = () => {
        cancel();
        this.off("exit", onExit);
        resolve();
      };
      const onExit = () => {
        cancel();
        this.off("connect", onConnect);
        reject(new MoshError("closed", "the session ended while connecting"));
      };
      this.once("connect", onConnect);
      this.once("exit", onExit);
    });
  }

  /**
   * Sends keystrokes (raw bytes as a terminal would send them; strings are UTF-8 encoded). Each
   * call counts as one read from the keyboard for local echo prediction: more than 100 bytes
   * is a paste, which is not predicted. Keys written before {@link MoshSession.connect} has opened
   * the connection are kept and sent first.
   */
  write(data: string | Uint8Array): void {
    if (this.#ended || this.#transport?.shutdownInProgress) return;
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (bytes.length === 0) return;
    const t = this.#transport;
    if (!t) {
      // Before the transport is open (during connect()): kept, and sent with the first state.
      this.#input.pushKeys(bytes);
      return;
    }
    const sentLast = t.sentStateLast;
    const now = this.#clock.now();
    this.#input.pushKeys(bytes);
    // Keystrokes leave right after this call (the transport's interactive fast path), not after
    // mosh's pacing: the prediction below is shown first, and writes made in the same tick go in
    // one datagram.
    if (!this.#sendQueued) {
      this.#sendQueued = true;
      queueMicrotask(() => this.#sendKeys());
    }
    const p = this.#predictions;
    p.setLocalFrameSent(sentLast);
    p.newUserBytes(bytes, this.#frame, now);
    this.#refresh();
    this.#scheduleTick();
  }

  /**
   * Where and how the echo of `byte`, written next, will be drawn, when that is certain before
   * the keystroke is processed: a printable ASCII character (not a space) predicted at the shown
   * cursor with nothing to its right. A terminal UI can draw it at once, then call
   * {@link MoshSession.write}, whose `view` then shows the same frame. Null otherwise.
   */
  echoPreview(byte: number): EchoPreview | null {
    if (byte < 0x21 || byte > 0x7e) return null;
    const t = this.#transport;
    const view = this.#lastView;
    if (!t || !view || !this.#connected || this.#ended || t.shutdownInProgress) return null;
    const now = this.#clock.now();
    if (this.#notes.text(now) !== null) return null;
    const p = this.#predictions.printPreview(this.#frame, now);
    if (!p || view.cursorRow !== p.row || view.cursorCol !== p.col) return null;
    const row = view.grid[p.row];
    for (let x = p.col; x < view.cols; x++) {
      if (!row.cellEmpty(x) || row.meta[x] !== 1 << 8 || row.fg[x] !== 0 || row.bg[x] !== 0) return null;
    }
    return { ...p, text: String.fromCharCode(byte) };
  }

  /** Sends what {@link MoshSession.write} collected (early, once the server has answered). */
  #sendKeys(): void {
    if (!this.#sendQueued) return;
    this.#sendQueued = false;
    const t = this.#transport;
    if (!t || this.#ended || t.shutdownInProgress) return;
    // Not before the first server state: until then the server may not have started its command.
    if (this.#connected) t.expedite();
    t.setCurrentState(this.#input);
  }

  /**
   * Tells the server the window size changed.
   * @throws MoshError `bad-argument` for a size mosh cannot carry.
   */
  resize(cols: number, rows: number): void {
    if (!validScreenSize(cols, rows)) throw new MoshError("bad-argument", `bad window size ${cols}x${rows}`);
    this.#cols = cols;
    this.#rows = rows;
    this.#predictions.reset();
    if (this.#ended || this.#transport?.shutdownInProgress) return;
    this.#input.pushResize(cols, rows);
    this.#transport?.setCurrentState(this.#input);
  }

  /**
   * Moves the session to a new local UDP port now (mosh does this by itself after 10 s without a
   * reply); resolves once the new socket is in use. Call it when the device's network changed.
   */
  async rebind(): Promise<Endpoint> {
    const t = this.#transport;
    if (!t || this.#ended) throw new MoshError("not-connected", "the session is not running");
    const moved = new Promise<Endpoint>((resolve) => t.once("roam", resolve));
    t.rebind();
    return moved;
  }

  /**
   * The newest server screen this client has (what the server's terminal shows), or with
   * `{ overlay: true }` the screen as the user should see it: shown predictions (underlined
   * while flagged, with the predicted cursor) and mosh's notification bar on row 0.
   */
  screen(options: ScreenOptions = {}): Frame {
    if (!options.overlay) return this.#frame;
    const predicted = this.#predictions.apply(this.#frame);
    return this.#ended ? predicted : this.#notes.apply(predicted, this.#clock.now());
  }

  /**
   * Shows `message` in the notification bar (mosh's `set_notification_string`): for 1 s, or
   * until replaced with `permanent`; "" clears it. `quitHint: false` leaves the quit hint out.
   */
  notify(message: string, options: MessageOptions = {}): void {
    this.#notes.setMessage(message, this.#clock.now(), options);
    this.#refresh();
    this.#scheduleTick();
  }

  /** The message the notification bar shows now ("" when none). */
  get notification(): string {
    return this.#notes.message(this.#clock.now());
  }

  /** The text of the notification bar now, or null when it is not shown. */
  get notificationBar(): string | null {
    return this.#ended ? null : this.#notes.text(this.#clock.now());
  }

  /** Cumulative prediction counters: cells confirmed, shown mispredictions repaired, tentative ones dropped. */
  get predictionStats(): { confirmed: number; repaired: number; killedTentative: number } {
    return this.#predictions.stats;
  }

  /**
   * Resolves with the screen once its text matches `pattern` (a substring or a RegExp over the
   * rows joined by newlines). Rejects on timeout (default 10 s) or if the session ends first.
   */
  waitFor(pattern: string | RegExp, options: { timeout?: number } = {}): Promise<Frame> {
    if (screenMatches(this.#frame, pattern)) return Promise.resolve(this.#frame);
    return new Promise<Frame>((resolve, reject) => {
      const cleanup = () => {
        cancel();
        this.off("screen", onScreen);
        this.off("exit", onExit);
      };
      const onScreen = (frame: Frame) => {
        if (screenMatches(frame, pattern)) {
          cleanup();
          resolve(frame);
        }
      };
      const onExit = () => {
        cleanup();
        reject(new MoshError("closed", `session ended before the screen matched ${String(pattern)}`));
      };
      const cancel = this.#clock.setTimer(options.timeout ?? 10000, () => {
        cleanup();
        reject(new MoshError("timeout", `timed out waiting for ${String(pattern)} on the screen`));
      });
      this.on("screen", onScreen);
      this.once("exit", onExit);
    });
  }

  /**
   * Ends the session from the client side (mosh's Ctrl-^ .): runs the shutdown handshake and
   * resolves once the server acknowledged it or the attempt timed out.
   */
  async close(): Promise<ExitInfo> {
    if (this.#exitInfo) return this.#exitInfo;
    if (!this.#transport) {
      await this.#finish({ reason: "client", clean: true });
      return this.#exitInfo!;
    }
    const done = new Promise<ExitInfo>((resolve) => this.once("exit", resolve));
    this.#sendKeys();
    this.#shutdown("client");
    return done;
  }

  /** Hides the session key from `util.inspect`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `MoshSession { ${this.host}:${this.port}, ${this.#cols}x${this.#rows}, ${this.#ended ? "ended" : this.#connected ? "connected" : "not connected"} }`;
  }

  async #resolve(): Promise<string> {
    if (isIP(this.host)) return this.host;
    try {
      const family = this.#opts.family === "IPv6" ? 6 : this.#opts.family === "IPv4" ? 4 : 0;
      const r = await lookup(this.host, { family });
      return r.address;
    } catch (err) {
      throw new MoshError("bad-address", `could not resolve ${this.host}: ${(err as Error).message}`);
    }
  }

  #onRemoteState(num: bigint): void {
    const t = this.#transport!;
    this.#heard();
    this.#updateStall();
    const srtt = t.srtt;
    if (Math.abs(srtt - this.#lastRtt) >= 1) {
      this.#lastRtt = srtt;
      this.emit("rtt", srtt);
    }
    if (num === SHUTDOWN_NUM) this.#closeReason = "server";
    this.#render();
  }

  /** Materialises the newest server state and publishes it; coalesces bursts. */
  #render(): void {
    if (this.#rendering) {
      this.#renderAgain = true;
      return;
    }
    const t = this.#transport;
    if (!t || this.#cancelRender) return;
    const now = this.#clock.now();
    const wait = this.#lastRenderAt + this.#renderIntervalMs - now;
    if (wait > 0 && !this.#ended) {
      this.#cancelRender = this.#clock.setTimer(wait, () => {
        this.#cancelRender = null;
        this.#render();
      });
      return;
    }
    this.#lastRenderAt = now;
    this.#rendering = true;
    const view = t.remoteState();
    const echoAck = view.echoAck;
    this.#replica
      .materialize(view)
      .then((frame) => this.#publish(frame, echoAck))
      .catch((err: unknown) => this.emit("error", err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.#rendering = false;
        if (this.#renderAgain) {
          this.#renderAgain = false;
          this.#render();
        }
      });
  }

  #publish(frame: Frame, echoAck: bigint): void {
    const old = this.#frame;
    const first = !this.#connected;
    this.#frame = frame;
    const p = this.#predictions;
    p.setLocalFrameLateAcked(echoAck);
    if (this.#transport) p.setSendInterval(this.#transport.sendInterval);
    p.cull(frame, this.#clock.now());
    if (first) {
      this.#connected = true;
      this.#updateConnecting(this.#clock.now());
      this.emit("connect");
    }
    if (frame !== old) {
      if (frame.title !== old.title) this.emit("title", frame.title);
      if (frame.bellCount > old.bellCount) this.emit("bell");
      this.emit("screen", frame);
    }
    this.#refresh();
    this.#scheduleTick();
  }

  /** Takes the liveness times the notification bar counts from off the transport. */
  #heard(): void {
    const t = this.#transport;
    if (!t) return;
    this.#notes.serverHeard(t.remoteStateTime);
    const acked = t.lastRoundTripSuccess;
    this.#notes.serverAcked(Number.isFinite(acked) ? acked : this.#startTime);
  }

  #onError(err: Error): void {
    const now = this.#clock.now();
    if (err instanceof CryptoError) {
      this.#notes.setMessage(`Crypto exception: ${err.message}`, now);
    } else if (err instanceof TransportError && err.code === "socket") {
      this.#notes.setNetworkError(err.message, now);
      this.#socketError = true;
    } else if (err instanceof TransportError && err.code === "version-mismatch") {
      this.#notes.setNetworkError(`${err.message}: Success`, now);
      this.#socketError = true;
    }
    this.emit("error", err);
  }

  /** mosh-client's "Nothing received from server" message while connecting (docs/mosh-protocol.md §11.5). */
  #updateConnecting(now: number): void {
    const t = this.#transport;
    const text = `Nothing received from server on UDP port ${this.port}.`;
    if (!this.#connected) {
      if (t && !t.shutdownInProgress && now - t.remoteStateTime > 250) this.#notes.setMessage(text, now);
    } else if (this.#notes.message(now) === text) {
      this.#notes.setMessage("", now);
    }
  }

  /** Emits `stall` / `resume` when the notification bar's count-up starts / stops. */
  #updateStall(): void {
    const now = this.#clock.now();
    const late = this.#connected && !this.#ended && this.#notes.needCountup(now);
    if (late && !this.#stalled) {
      this.#stalled = true;
      this.emit("stall", this.#notes.lateFor(now), this.#notes.lateKind(now));
    } else if (!late && this.#stalled) {
      this.#stalled = false;
      this.emit("resume");
    }
  }

  /** Emits `predict` and `view` when what the user sees changed (only computed for listeners). */
  #refresh(): void {
    if (this.listenerCount("predict") > 0) {
      const p = this.#predictions;
      const frame = this.#frame;
      const stats = p.stats;
      const shown = p.shownCells(frame);
      const info: PredictInfo = {
        shown,
        cursor: p.predictedCursor(frame),
        flagged: shown > 0 && p.flagging,
        confirmed: stats.confirmed - this.#predictStats.confirmed,
        repaired: stats.repaired - this.#predictStats.repaired,
      };
      const last = this.#lastPredict;
      if (
        info.confirmed > 0 ||
        info.repaired > 0 ||
        info.shown !== last.shown ||
        info.flagged !== last.flagged ||
        info.cursor?.row !== last.cursor?.row ||
        info.cursor?.col !== last.cursor?.col
      ) {
        this.#predictStats = { confirmed: stats.confirmed, repaired: stats.repaired };
        this.#lastPredict = info;
        this.emit("predict", info);
      }
    }
    if (this.listenerCount("view") > 0) {
      const view = this.screen({ overlay: true });
      if (!this.#lastView || !frameEquals(view, this.#lastView)) {
        this.#lastView = view;
        this.emit("view", view);
      }
    }
  }

  /**
   * Housekeeping on the session's clock, as often as the overlays need it: the notification
   * bar's timers and messages, the prediction engine's glitch triggers (every 50 ms while
   * predictions are pending), the connecting message (every 250 ms while connecting), stalls.
   */
  #scheduleTick(): void {
    if (this.#ended || !this.#transport) {
      this.#cancelTick?.();
      this.#cancelTick = null;
      this.#tickAt = Number.POSITIVE_INFINITY;
      return;
    }
    const now = this.#clock.now();
    let wait = Math.min(this.#notes.waitTime(now), this.#predictions.waitTime(), 1000);
    if (!this.#connected) {
      // mosh polls at least every 250 ms while connecting; the message is due 250 ms after the start.
      const due = this.#transport.remoteStateTime + 251 - now;
      wait = Math.min(wait, due > 0 ? due : 250);
    }
    const delay = Math.max(1, Math.ceil(wait));
    // A pending tick that comes no later is kept (a tick reschedules itself): typing then costs
    // no timer per keystroke.
    if (this.#cancelTick && this.#tickAt <= now + delay) return;
    this.#cancelTick?.();
    this.#tickAt = now + delay;
    this.#cancelTick = this.#clock.setTimer(delay, () => {
      this.#cancelTick = null;
      this.#tickAt = Number.POSITIVE_INFINITY;
      this.#tick();
    });
  }

  #tick(): void {
    const t = this.#transport;
    if (!t || this.#ended) return;
    const now = this.#clock.now();
    this.#heard();
    this.#updateConnecting(now);
    if (!this.#socketError) this.#notes.clearNetworkError(now);
    this.#socketError = false;
    const p = this.#predictions;
    p.setSendInterval(t.sendInterval);
    p.cull(this.#frame, now);
    this.#updateStall();
    this.#refresh();
    this.#scheduleTick();
  }

  #closeReason: ExitInfo["reason"] = "client";

  #shutdown(reason: ExitInfo["reason"]): void {
    const t = this.#transport;
    if (!t || this.#ended) return;
    if (!t.shutdownInProgress) {
      this.#closeReason = reason;
      t.startShutdown();
    }
  }

  async #finish(info: ExitInfo): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#exitInfo = info;
    this.#cancelTick?.();
    this.#cancelTick = null;
    this.#cancelRender?.();
    this.#cancelRender = null;
    const t = this.#transport;
    this.#notes.setMessage("", this.#clock.now());
    if (t && this.#connected) {
      // Publish the final screen (state -1 equals it) before saying the session is over.
      try {
        const view = t.remoteState();
        this.#publish(await this.#replica.materialize(view), view.echoAck);
      } catch {
        // nothing more to show
      }
    }
    // Let the final acknowledgement leave before the socket closes.
    if (t) this.#clock.setTimer(0, () => t.close());
    this.#replica.dispose();
    this.emit("exit", info);
  }
}
