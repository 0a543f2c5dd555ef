// MoshSession: the public client end of a mosh session (connect, type, read the screen, typed events).

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { EventEmitter } from "eventemitter3";
import { SessionKey } from "../crypto/session-key.js";
import { HostView, validSize } from "../state/host-view.js";
import { ScreenReplica } from "../state/screen-replica.js";
import { UserStream } from "../state/user-stream.js";
import { blankFrame, type Frame } from "../terminal/frame.js";
import type { Clock, DatagramNetwork, Endpoint, Family } from "../transport/ports.js";
import { systemClock } from "../transport/ports.js";
import { Transport } from "../transport/transport.js";
import { udpNetwork } from "../transport/udp.js";
import { SHUTDOWN_NUM } from "../wire/instruction.js";
import { MoshError } from "./errors.js";
import { screenMatches } from "./wait-for.js";

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
  /** Emit `stall` after this many ms without a new server state (default 6500, mosh's "Last contact" threshold). */
  stallAfterMs?: number;
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

/** Typed events of a {@link MoshSession}. */
export interface MoshSessionEvents {
  /** The first state arrived from the server. */
  connect: () => void;
  /** The screen changed; `frame` is the new server screen. */
  screen: (frame: Frame) => void;
  /** The window title changed. */
  title: (title: string) => void;
  /** The terminal bell rang. */
  bell: () => void;
  /** The smoothed round-trip time changed (ms). */
  rtt: (srttMs: number) => void;
  /** The client moved to a new local UDP port (port hop after silence). */
  roam: (local: Endpoint) => void;
  /** No new server state for `sinceMs` ms (emitted once per stall). */
  stall: (sinceMs: number) => void;
  /** Contact came back after a stall. */
  resume: () => void;
  /** The session is over; nothing more will be sent or received. */
  exit: (info: ExitInfo) => void;
  /** A non-fatal problem (bad datagram, socket error). */
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
  #lastWord = 0;
  #stalled = false;
  #lastRtt = -1;
  #rendering = false;
  #renderAgain = false;
  #cancelTick: (() => void) | null = null;
  #exitInfo: ExitInfo | null = null;

  constructor(options: MoshSessionOptions) {
    super();
    this.host = options.host;
    this.port = options.port;
    this.#key = typeof options.key === "string" ? SessionKey.parse(options.key) : options.key;
    this.#cols = options.cols ?? 80;
    this.#rows = options.rows ?? 24;
    if (!validSize(this.#cols, this.#rows))
      throw new RangeError(`bad window size ${this.#cols}x${this.#rows}`);
    this.#opts = { ...options, key: "" };
    this.#clock = options.clock ?? systemClock;
    this.#replica = new ScreenReplica(this.#cols, this.#rows);
    this.#frame = blankFrame(this.#cols, this.#rows);
  }

  /** Whether the first server state has arrived and the session has not ended. */
  get connected(): boolean {
    return this.#connected && !this.#ended;
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
   * arrives (mosh-client's "connecting" phase). Rejects with a {@link MoshError} (`connect-timeout`)
   * if the server stays silent for `connectTimeoutMs`.
   */
  async connect(): Promise<void> {
    if (this.#transport) throw new MoshError("closed", "connect() was already called");
    const address = await this.#resolve();
    const initialRemote = new HostView(this.#cols, this.#rows, this.#frame);
    this.#input.pushResize(this.#cols, this.#rows);
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
    this.#lastWord = this.#clock.now();
    transport.on("remote-state", (num) => this.#onRemoteState(num));
    transport.on("roam", (ep) => this.emit("roam", ep));
    transport.on("error", (err) => this.emit("error", err));
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

  /** Sends keystrokes (raw bytes as a terminal would send them; strings are UTF-8 encoded). */
  write(data: string | Uint8Array): void {
    if (!this.#transport || this.#ended || this.#transport.shutdownInProgress) return;
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (bytes.length === 0) return;
    this.#input.pushKeys(bytes);
    this.#transport.setCurrentState(this.#input);
  }

  /** Tells the server the window size changed. */
  resize(cols: number, rows: number): void {
    if (!validSize(cols, rows)) throw new RangeError(`bad window size ${cols}x${rows}`);
    this.#cols = cols;
    this.#rows = rows;
    if (!this.#transport || this.#ended || this.#transport.shutdownInProgress) return;
    this.#input.pushResize(cols, rows);
    this.#transport.setCurrentState(this.#input);
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

  /** The newest server screen this client has (what the server's terminal shows, no local overlay). */
  screen(): Frame {
    return this.#frame;
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
    this.#lastWord = this.#clock.now();
    if (this.#stalled) {
      this.#stalled = false;
      this.emit("resume");
    }
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
    if (!t) return;
    this.#rendering = true;
    const view = t.remoteState();
    this.#replica
      .materialize(view)
      .then((frame) => this.#publish(frame))
      .catch((err: unknown) => this.emit("error", err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.#rendering = false;
        if (this.#renderAgain) {
          this.#renderAgain = false;
          this.#render();
        }
      });
  }

  #publish(frame: Frame): void {
    const old = this.#frame;
    const first = !this.#connected;
    this.#frame = frame;
    if (first) {
      this.#connected = true;
      this.emit("connect");
    }
    if (frame !== old) {
      if (frame.title !== old.title) this.emit("title", frame.title);
      if (frame.bellCount > old.bellCount) this.emit("bell");
      this.emit("screen", frame);
    }
  }

  /** Periodic housekeeping: stall detection. */
  #scheduleTick(): void {
    this.#cancelTick?.();
    if (this.#ended) return;
    this.#cancelTick = this.#clock.setTimer(250, () => {
      this.#cancelTick = null;
      this.#tick();
    });
  }

  #tick(): void {
    const t = this.#transport;
    if (!t || this.#ended) return;
    const now = this.#clock.now();
    const since = now - this.#lastWord;
    const stallAfter = this.#opts.stallAfterMs ?? 6500;
    if (this.#connected && !this.#stalled && since > stallAfter) {
      this.#stalled = true;
      this.emit("stall", since);
    }
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
    const t = this.#transport;
    if (t && this.#connected) {
      // Publish the final screen (state -1 equals it) before saying the session is over.
      try {
        this.#publish(await this.#replica.materialize(t.remoteState()));
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
