// Transport<L, R>: one end of mosh's State Synchronization Protocol, self-scheduling on an injected clock.
import { EventEmitter } from "eventemitter3";
import type { SessionKey } from "../crypto/session-key.js";
import type { Instruction } from "../wire/instruction.js";
import { PROTOCOL_VERSION, SHUTDOWN_NUM } from "../wire/instruction.js";
import { Connection, type ConnectionStats } from "./connection.js";
import type { Clock, DatagramNetwork, Endpoint, Family } from "./ports.js";
import { TransportReceiver } from "./receiver.js";
import { SEND_INTERVAL_MIN } from "./rtt.js";
import {
  ACTIVE_RETRY_TIMEOUT,
  CLIENT_SEND_MINDELAY,
  SERVER_SEND_MINDELAY,
  START_FRAMES,
  TransportSender,
} from "./sender.js";
import type { SyncState } from "./sync-state.js";
import { TransportError } from "./transport-error.js";

/** How to open a {@link Transport}. */
export interface TransportOptions<L, R> {
  /** `client` (sends direction 0, hops ports) or `server` (waits for a client, follows it when it roams). */
  role: "client" | "server";
  /** The session key. */
  key: SessionKey;
  /** Time source (`systemClock` in programs, a `FakeClock` in tests). */
  clock: Clock;
  /** Socket factory (`udpNetwork` in programs, a `SimNetwork` in tests). */
  network: DatagramNetwork;
  /** Local state 0. Held by reference as the current state until `setCurrentState` replaces it. */
  initialLocal: L;
  /** The peer's state 0, as both ends know it without sending anything. Never mutated. */
  initialRemote: R;
  /** Client: the server's address (required). */
  remote?: Endpoint;
  /** Socket family (default: from `remote` / `bindAddress`, else IPv4). */
  family?: Family;
  /** Local address to bind. Server: tried first, then any interface. */
  bindAddress?: string;
  /** Server: one port, 0 (OS choice) or an inclusive range; default 60001..60999. */
  port?: number | readonly [number, number];
  /** SEND_MINDELAY in ms (default 8 for a server, 1 for a client, as mosh). */
  sendMindelay?: number;
  /**
   * Server: send the first frame after a client state with user input at once (the echo of a
   * keystroke), as {@link Transport.expedite} does, instead of after SEND_MINDELAY and the send
   * interval; and until the client has acknowledged a state, send up to {@link START_FRAMES}
   * frames as soon as their change is made (the new session's size change and the shell's
   * prompt go out as they come). Client: answer the server's first datagram at once with an
   * ack, so that the server has an RTT sample (and leaves mosh's 250 ms start-up frame
   * interval) one round trip after the first contact rather than at the client's next
   * datagram; and time its heartbeats so that the server's heartbeats carry its timestamp back
   * (see {@link TransportSender.alignHeartbeat}: the RTT stays current while the session is
   * idle). Default true; false gives mosh's timing exactly. The client asks for its own
   * early frames with {@link Transport.expedite}.
   */
  expediteEcho?: boolean;
  /** Server: told when binding to `bindAddress` failed and any interface is tried instead. */
  onBindError?: (address: string, err: Error) => void;
}

/** How a shutdown handshake ended (the argument of the `shutdown` event). */
export type ShutdownOutcome =
  /** We started it and the peer acknowledged it: a clean exit. */
  | "acknowledged"
  /** The peer started it and we have sent our acknowledgement. */
  | "counterparty-acknowledged"
  /** We started it and gave up (16 tries or 10 s) without an acknowledgement. */
  | "timed-out";

/** Events of a {@link Transport}. */
export interface TransportEvents<R> {
  /** A new newest remote state arrived (`num` = `SHUTDOWN_NUM` when the peer is shutting down). */
  "remote-state": (num: bigint, state: R) => void;
  /** Server: the client's address changed (also on first contact). Client: a port hop took effect. */
  roam: (endpoint: Endpoint) => void;
  /** Server: the client was silent for 40 s; nothing is sent until it is heard again. */
  detach: () => void;
  /** A shutdown handshake finished. After `acknowledged` / `timed-out` the transport sends nothing more. */
  shutdown: (outcome: ShutdownOutcome) => void;
  /** A non-fatal problem: an integrity failure, illegal input, a socket error. */
  error: (err: Error) => void;
}

/**
 * One end of a mosh session's state synchronisation: sends the local state `L` to the peer and
 * rebuilds the peer's state `R`, over encrypted UDP, exactly as mosh 1.4 does (docs/mosh-protocol.md §6, §7). It
 * schedules itself on the injected clock: every receive, state change and tick recomputes the
 * next deadline and sets one timer.
 *
 * Usage: mutate (or replace) the local state, then call {@link Transport.setCurrentState};
 * read the peer's newest state with {@link Transport.remoteState} when `remote-state` fires.
 * States handed to the transport are cloned before they are stored; the transport may call the
 * current state's optional `subtract` (§6.3 step 2).
 */
export class Transport<L extends SyncState<L>, R extends SyncState<R>> extends EventEmitter<
  TransportEvents<R>
> {
  readonly #clock: Clock;
  readonly #conn: Connection;
  readonly #sender: TransportSender<L>;
  readonly #receiver: TransportReceiver<R>;
  #cancelTimer: (() => void) | null = null;
  /** When the pending timer fires (ms of the transport clock, whole ms as `#now()`). */
  #timerDue = Number.NaN;
  #closed = false;
  #finished = false;
  #counterpartyReported = false;
  readonly #expediteEcho: boolean;
  /** Client: the server's first datagram is still to be answered with an early ack. */
  #answerFirstContact: boolean;
  /** Client: heartbeats timed for RTT samples while idle. */
  readonly #alignHeartbeats: boolean;
  /** Client: RTT samples taken when the server's last heartbeat arrived. */
  #samplesAtBeat = 0;

  private constructor(opts: TransportOptions<L, R>, conn: Connection) {
    super();
    this.#clock = opts.clock;
    this.#conn = conn;
    this.#expediteEcho = opts.role === "server" && (opts.expediteEcho ?? true);
    this.#answerFirstContact = opts.role === "client" && (opts.expediteEcho ?? true);
    this.#alignHeartbeats = this.#answerFirstContact;
    const now = this.#now();
    const mindelay =
      opts.sendMindelay ?? (opts.role === "client" ? CLIENT_SEND_MINDELAY : SERVER_SEND_MINDELAY);
    this.#sender = new TransportSender<L>(
      opts.initialLocal,
      {
        rto: () => conn.rtt.rto(),
        // A server sends its first frames (the new client's first screen) at the shortest
        // interval until it has an RTT sample, rather than at mosh's 250 ms; only the pace
        // differs, which the peer does not depend on.
        sendInterval:
          opts.role === "server"
            ? () => (conn.rtt.hasSample ? conn.rtt.sendInterval() : SEND_INTERVAL_MIN)
            : () => conn.rtt.sendInterval(),
        hasRemoteAddress: () => conn.hasRemoteAddress,
        send: (inst) => conn.sendInstruction(inst),
      },
      now,
      mindelay,
      this.#expediteEcho ? START_FRAMES : 0,
    );
    this.#receiver = new TransportReceiver<R>(opts.initialRemote, now);
  }

  /**
   * Binds the socket(s) and starts the protocol. A client sends its first instruction at once;
   * a server waits for a client.
   * @throws the bind error if no socket could be bound; a RangeError on bad options.
   */
  static async open<L extends SyncState<L>, R extends SyncState<R>>(
    opts: TransportOptions<L, R>,
  ): Promise<Transport<L, R>> {
    let self: Transport<L, R> | null = null;
    const conn = await Connection.open(opts, {
      instruction: (inst) => {
        if (self) self.#receive(inst);
      },
      roam: (ep) => {
        if (self) self.#guard(() => self?.emit("roam", ep));
      },
      detach: () => {
        if (self) self.#guard(() => self?.emit("detach"));
      },
      error: (err) => {
        if (self) self.#guard(() => self?.emit("error", err));
      },
    });
    self = new Transport<L, R>(opts, conn);
    self.#schedule(0);
    return self;
  }

  /** Local endpoint of the socket in use (the server prints its port in `MOSH CONNECT`). */
  get localEndpoint(): Endpoint {
    return this.#conn.localEndpoint;
  }

  /** Where datagrams go, or null (a server with no client yet, or detached). */
  get remoteEndpoint(): Endpoint | null {
    return this.#conn.remoteEndpoint;
  }

  /** Whether there is a peer to send to. */
  get hasRemoteAddress(): boolean {
    return this.#conn.hasRemoteAddress;
  }

  /**
   * Client: moves to a fresh local UDP socket now, as mosh's port hop does after 10 s of silence;
   * the `roam` event fires once the new socket is in use. Useful when the host's network changed.
   */
  rebind(): void {
    this.#conn.hopPort();
  }

  /** Number of the newest local state sent (mosh's `get_sent_state_last`); -1 while shutting down. */
  get sentStateLast(): bigint {
    const sent = this.#sender.sentStates;
    return sent[sent.length - 1].num;
  }

  /** The live local state. */
  get currentState(): L {
    return this.#sender.currentState;
  }

  /** Sets the local state (after replacing or mutating it) and lets the sender act on it. Ignored while shutting down. */
  setCurrentState(s: L): void {
    if (this.#closed) return;
    this.#sender.setCurrentState(s);
    this.#service();
  }

  /**
   * Marks the local change being made as interactive (a keystroke): the next change is sent at
   * once, inside the send interval and without SEND_MINDELAY, instead of on mosh's schedule;
   * one early frame per call, at most one per 20 ms, and later frames keep mosh's pace (see
   * {@link TransportSender}). Call it, change the state, then {@link Transport.setCurrentState}.
   * A timing difference from mosh only; what is sent is the same.
   */
  expedite(): void {
    if (this.#closed) return;
    this.#sender.expedite(this.#now());
  }

  /** The newest remote state received (never mutated by the transport; do not mutate it). */
  remoteState(): R {
    return this.#receiver.newest.state;
  }

  /** Number of the newest remote state received. */
  remoteStateNum(): bigint {
    return this.#receiver.newest.num;
  }

  /** When the newest remote state arrived (ms of the transport clock). */
  get remoteStateTime(): number {
    return this.#receiver.newest.time;
  }

  /** Starts the shutdown handshake (§6.6): the local state is frozen and sent as state -1. */
  startShutdown(): void {
    if (this.#closed || this.#sender.shutdownInProgress) return;
    this.#sender.startShutdown(this.#now());
    this.#service();
  }

  /** Whether {@link Transport.startShutdown} was called. */
  get shutdownInProgress(): boolean {
    return this.#sender.shutdownInProgress;
  }

  /** Whether the peer acknowledged our shutdown. */
  get shutdownAcknowledged(): boolean {
    return this.#sender.shutdownAcknowledged;
  }

  /** Whether we have acknowledged the peer's shutdown. */
  get counterpartyShutdownAckSent(): boolean {
    return this.#sender.counterpartyShutdownAckSent;
  }

  /** Whether our shutdown went unacknowledged for 16 tries or 10 s. */
  get shutdownAckTimedOut(): boolean {
    return this.#sender.shutdownAckTimedOut(this.#now());
  }

  /** When the last in-order datagram arrived (ms; -Infinity before the first). */
  get lastHeard(): number {
    return this.#conn.lastHeard;
  }

  /** Send time of our newest acknowledged state (ms; -Infinity before the first ack). */
  get lastRoundTripSuccess(): number {
    return this.#conn.lastRoundTripSuccess;
  }

  /** Smoothed round-trip time in ms (1000 before the first sample). */
  get srtt(): number {
    return this.#conn.rtt.srtt;
  }

  /** Retransmission timeout in ms. */
  get rto(): number {
    return this.#conn.rtt.rto();
  }

  /** Frame interval in ms (SRTT/2 clamped to 20..250). */
  get sendInterval(): number {
    return this.#conn.rtt.sendInterval();
  }

  /** Datagram counters (integrity failures, illegal input, ...). */
  get stats(): Readonly<ConnectionStats> {
    return this.#conn.stats;
  }

  /** Closes the sockets and cancels the timer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    this.#conn.close();
  }

  #now(): number {
    return Math.floor(this.#clock.now());
  }

  /** §6.5 steps 1–10 for one complete instruction. */
  #receive(inst: Instruction): void {
    if (this.#closed) return;
    if (inst.protocolVersion !== PROTOCOL_VERSION) {
      this.#conn.stats.illegalInput++;
      this.#guard(() =>
        this.emit("error", new TransportError("version-mismatch", "mosh protocol version mismatch")),
      );
      return;
    }
    const now = this.#now();
    if (this.#answerFirstContact) {
      this.#answerFirstContact = false;
      this.#sender.ackSoon(now);
    }
    this.#sender.processAcknowledgmentThrough(inst.ackNum);
    this.#conn.setLastRoundTripSuccess(this.#sender.sentStateAckedTimestamp);

    const outcome = this.#receiver.receive(inst, now);
    if (outcome.kind === "newest") {
      const { num, state } = outcome.received;
      this.#sender.setAckNum(num);
      this.#sender.remoteHeard(now);
      if (inst.diff.length > 0) {
        this.#sender.setDataAck();
        // Server: user input arrived; its echo (the next change) may go out at once.
        if (this.#expediteEcho && num !== SHUTDOWN_NUM) this.#sender.expedite(now);
      } else if (this.#alignHeartbeats && num !== SHUTDOWN_NUM) {
        const samples = this.#conn.rtt.samples;
        this.#sender.alignHeartbeat(now, this.#conn.rtt.last, samples !== this.#samplesAtBeat);
        this.#samplesAtBeat = samples;
      }
      this.#guard(() => this.emit("remote-state", num, state));
    } else if (outcome.kind === "illegal") {
      this.#conn.stats.illegalInput++;
      const cause = outcome.error;
      const why = cause instanceof Error ? `: ${cause.message}` : "";
      this.#guard(() =>
        this.emit("error", new TransportError("illegal-input", `Illegal counterparty input${why}`, cause)),
      );
    }
    this.#service();
  }

  /** Runs a listener call; a throw is reported as an `error` event, never thrown into the protocol. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.emit("error", err instanceof Error ? err : new Error(String(err)));
      } catch {
        // The error listener threw too: nothing more can be done.
      }
    }
  }

  /** Runs the sender, reports a finished shutdown, and sets the one timer. */
  #service(): void {
    if (this.#closed || this.#finished) return;
    const now = this.#now();
    // As mosh's main loops: an acknowledged or abandoned shutdown ends before the next tick.
    if (this.#reportShutdown(now)) return;
    this.#sender.tick(now);
    if (this.#reportShutdown(now)) return;
    let wait = this.#sender.waitTime(now);
    if (this.#sender.shutdownInProgress) {
      wait = Math.min(wait, Math.max(0, this.#sender.shutdownStart + ACTIVE_RETRY_TIMEOUT - now));
    }
    this.#schedule(wait);
  }

  /** Emits `shutdown` when a handshake finished; true when the transport is done sending. */
  #reportShutdown(now: number): boolean {
    const s = this.#sender;
    let outcome: ShutdownOutcome | null = null;
    if (s.shutdownInProgress && s.shutdownAcknowledged) outcome = "acknowledged";
    else if (s.shutdownAckTimedOut(now)) outcome = "timed-out";
    if (outcome) {
      this.#finished = true;
      this.#cancelTimer?.();
      this.#cancelTimer = null;
      this.#guard(() => this.emit("shutdown", outcome));
      return true;
    }
    if (!this.#counterpartyReported && s.counterpartyShutdownAckSent) {
      this.#counterpartyReported = true;
      this.#guard(() => this.emit("shutdown", "counterparty-acknowledged"));
    }
    return this.#closed;
  }

  /** Sets the one timer `wait` ms from now; a timer already set for that very time is kept (no timer churn per datagram). */
  #schedule(wait: number): void {
    if (this.#closed || this.#finished || !Number.isFinite(wait)) {
      this.#cancelTimer?.();
      this.#cancelTimer = null;
      return;
    }
    const due = this.#now() + wait;
    if (this.#cancelTimer && due === this.#timerDue) return;
    this.#cancelTimer?.();
    this.#timerDue = due;
    this.#cancelTimer = this.#clock.setTimer(wait, this.#fire);
  }

  /** The timer's callback (one closure for the transport's life, not one per timer). */
  readonly #fire = (): void => {
    this.#cancelTimer = null;
    this.#service();
  };
}

/** `new_num` of a shutdown state, re-exported for callers that check `remoteStateNum()`. */
export { SHUTDOWN_NUM };
