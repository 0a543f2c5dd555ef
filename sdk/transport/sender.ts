// The SSP sender (docs/mosh-protocol.md §6.2–§6.4, §6.6): sent states, assumed receiver state, timers, shutdown.
import type { Instruction } from "../wire/instruction.js";
import { makeChaff, PROTOCOL_VERSION, SHUTDOWN_NUM } from "../wire/instruction.js";
import type { SyncState } from "./sync-state.js";

/** Heartbeat / empty-ack period in ms (ACK_INTERVAL). */
export const ACK_INTERVAL = 3000;
/** Delay of the ack that follows received data, in ms (ACK_DELAY). */
export const ACK_DELAY = 100;
/** Shutdown instructions sent before giving up (SHUTDOWN_RETRIES). */
export const SHUTDOWN_RETRIES = 16;
/** Fast retransmission stops this long (ms) after the peer was last heard; also the shutdown timeout. */
export const ACTIVE_RETRY_TIMEOUT = 10000;
/** Cap on the sent-state list; the middle is trimmed beyond it. */
export const SENT_STATES_CAP = 32;
/** Default SEND_MINDELAY of a server in ms (a client uses 1). */
export const SERVER_SEND_MINDELAY = 8;
/** SEND_MINDELAY of a client in ms. */
export const CLIENT_SEND_MINDELAY = 1;
/**
 * How long (ms) an {@link TransportSender.expedite} credit stays valid: the time the peer's
 * application gets to answer a keystroke (mosh's echo timeout, ECHO_TIMEOUT, is the same 50 ms).
 * Not a mosh constant: the interactive fast path is a mosh-ts timing choice.
 */
export const EXPEDITE_WINDOW = 50;
/**
 * Early frames (the interactive fast path) are at least this many ms apart: the shortest frame
 * interval mosh itself uses (SEND_INTERVAL_MIN), so a stream of expedited changes is never sent
 * faster than mosh sends frames on a fast link.
 */
export const EARLY_FRAME_GAP = 20;
/**
 * How many *start frames* a sender that opts in may send (see {@link TransportSender}'s
 * `startFrames`): before the peer has acknowledged any state of ours, a change goes out at once,
 * without SEND_MINDELAY or the send interval, for at most this many frames. Not a mosh constant:
 * a mosh-ts timing choice that gets a new session's first screen (the shell's prompt) to the
 * client as soon as the shell has printed it.
 */
export const START_FRAMES = 3;
/**
 * How long (ms) before the peer's next heartbeat ours should reach it when heartbeats are
 * aligned ({@link TransportSender.alignHeartbeat}): well inside the 1 s for which mosh echoes a
 * received timestamp. Not a mosh constant.
 */
export const HEARTBEAT_LEAD = 500;
/**
 * How much later than the aligned time a heartbeat may go when it may not go sooner (it would
 * come less than ACK_INTERVAL after our last datagram): it still reaches the peer inside the 1 s.
 */
const ALIGN_SLACK = 400;
/**
 * How far the aligned time moves on when an aligned heartbeat was not echoed (the RTT changed by
 * more than HEARTBEAT_LEAD while idle): less than the 1 s window, so a few steps find it again.
 */
const ALIGN_STEP = 900;

const NEVER = Number.POSITIVE_INFINITY;
const U64 = (1n << 64n) - 1n;

/** One entry of the sent-state list: a state the sender numbered and sent (or holds as its base). */
export interface SentState<S> {
  /** When it was (last) sent, ms of the transport clock. */
  time: number;
  /** Its state number (`SHUTDOWN_NUM` for the shutdown state). */
  readonly num: bigint;
  /** A private copy of the state. */
  readonly state: S;
}

/** What the sender needs from the connection below it. */
export interface SenderLink {
  /** Current retransmission timeout in ms. */
  rto(): number;
  /** Current frame interval in ms. */
  sendInterval(): number;
  /** Whether there is a peer to send to (a server before its first client datagram has none). */
  hasRemoteAddress(): boolean;
  /** Sends one instruction (fragmented and encrypted below). */
  send(inst: Instruction): void;
}

/**
 * mosh's `TransportSender`: keeps the local state in sync with the peer by sending diffs from
 * the state the peer is assumed to hold, retransmitting, sending delayed and heartbeat acks,
 * and running the shutdown handshake. Time is passed in by the caller (ms, monotonic).
 *
 * **Interactive fast path (a deliberate difference from mosh's timing; the wire is unchanged).**
 * mosh sends a change no sooner than SEND_MINDELAY after it and one send interval (SRTT/2,
 * 20..250 ms) after the previous datagram of any kind, an empty ack included, so a keystroke
 * and its echo often wait for the pacer. Here the owner may call {@link TransportSender.expedite}
 * when a change is interactive (the client: the user typed; the server: a client state with
 * user input arrived). That grants one *early frame*: the next change found within
 * {@link EXPEDITE_WINDOW} ms is sent at once, without SEND_MINDELAY and inside the send
 * interval. Bounds, so that a flood is still paced exactly as mosh paces it:
 * - one early frame per `expedite` call (the credit is used up by it);
 * - early frames are at least {@link EARLY_FRAME_GAP} ms apart;
 * - early frames are extra: they do not move the regular schedule, which is mosh's rule computed
 *   from the last *regular* send (so output that follows an early frame, such as a command's
 *   output after the echo of Enter, is never later than mosh would send it, and a flood's
 *   frames stay one send interval apart, with at most one early frame added per credit).
 * Without `expedite` calls the timing is mosh's, to the millisecond.
 *
 * **Start frames (also opt-in, also timing only).** With `startFrames` > 0, while the peer has
 * acknowledged none of our states (the front of the sent-state list is still state 0), a change
 * is sent at once instead of SEND_MINDELAY after it and one send interval after the previous
 * datagram, for at most `startFrames` regular data frames (early frames are counted apart). A
 * new session's screen changes a few times in its first moments (the client's size, then the
 * shell's prompt); this sends them as they come rather than up to a frame interval later. The
 * regular pace applies from the peer's first acknowledgement or after `startFrames` frames, so
 * a flood at start costs at most `startFrames` extra frames.
 *
 * **Heartbeat alignment (opt-in, timing only).** mosh echoes the peer's timestamp only in a
 * datagram sent within 1 s of receiving it. Two idle ends heartbeat every ACK_INTERVAL, each on
 * its own clock, in a fixed phase; when one end's heartbeat follows the other's closely, its
 * timestamp reaches the other end more than 1 s before that end's next heartbeat and is never
 * echoed, so that end takes no RTT sample for as long as the session is idle (its SRTT stays
 * whatever the last activity left). {@link TransportSender.alignHeartbeat} (called by a client
 * on each heartbeat of the server) moves our next heartbeat to reach the peer
 * {@link HEARTBEAT_LEAD} ms before the peer's next one, and the peer's heartbeats then carry our
 * timestamp back every time. It only ever delays a heartbeat (never less than ACK_INTERVAL
 * between two of our datagrams, so never more datagrams than mosh sends: one interval is longer,
 * up to ~2 intervals, once), and leaves an ack that is owed sooner (data, first contact) alone.
 * It times by the last RTT sample (not SRTT, which lags); when an aligned heartbeat goes
 * unechoed (the RTT changed by more than HEARTBEAT_LEAD while idle, so the last sample misplaces
 * the window), the aligned time moves on by ALIGN_STEP until echoes come back.
 */
export class TransportSender<S extends SyncState<S>> {
  #current: S;
  #sent: SentState<S>[];
  #assumed: SentState<S>;
  readonly #link: SenderLink;
  readonly #mindelay: number;
  #nextAckTime: number;
  #nextSendTime: number;
  #mindelayClock: number | null = null;
  #ackNum = 0n;
  #pendingDataAck = false;
  #lastHeard = Number.NEGATIVE_INFINITY;
  #shutdown = false;
  #shutdownTries = 0;
  #shutdownStart = Number.NEGATIVE_INFINITY;
  #lastAckSent = -1n;
  /** When our last datagram was sent. */
  #lastSentAt: number;
  /** Heartbeat alignment: the offset tried (see the class notes), and whether the last heartbeat sent was aligned. */
  #alignShift = 0;
  #alignNext = false;
  #alignedBeatSent = false;
  /** Time of the last regular (not early) send: mosh's `back.time` as if no early frame had been sent. */
  #paceTime: number;
  /** mosh's `next_send_time`, without the fast path (valid after `calculateTimers`). */
  #regularSendTime: number;
  /** The early-frame credit is valid until then (ms; -Infinity when there is none). */
  #earlyUntil = Number.NEGATIVE_INFINITY;
  /** When the last early frame was sent. */
  #lastEarly = Number.NEGATIVE_INFINITY;
  /** Start frames left (see the class notes); 0 = mosh's pace. */
  #startFrames: number;
  /** The time `calculateTimers` last ran for, while nothing it reads has changed since (NaN = stale). */
  #timersAt = Number.NaN;

  /**
   * @param initial the local state 0; kept by reference as the current state (a copy becomes the sent state 0)
   * @param now the transport clock's time (ms)
   * @param sendMindelay SEND_MINDELAY: 8 for a server, 1 for a client
   * @param startFrames how many start frames may skip the send interval (see the class notes; default 0, mosh's pace)
   */
  constructor(
    initial: S,
    link: SenderLink,
    now: number,
    sendMindelay: number = SERVER_SEND_MINDELAY,
    startFrames = 0,
  ) {
    this.#current = initial;
    this.#sent = [{ time: now, num: 0n, state: initial.clone() }];
    this.#assumed = this.#sent[0];
    this.#link = link;
    this.#mindelay = sendMindelay;
    this.#nextAckTime = now;
    this.#nextSendTime = now;
    this.#regularSendTime = now;
    this.#paceTime = now;
    this.#lastSentAt = now;
    this.#startFrames = startFrames;
  }

  /** The live local state (held by reference). */
  get currentState(): S {
    return this.#current;
  }

  /** Replaces the live local state (or re-announces an in-place change). Ignored once shutting down. */
  setCurrentState(s: S): void {
    if (this.#shutdown) return;
    this.#current = s;
    this.#timersAt = Number.NaN;
  }

  /** The sent-state list, front (acknowledged) first. For inspection and tests; do not modify. */
  get sentStates(): readonly SentState<S>[] {
    return this.#sent;
  }

  /** The entry currently used as the diff base (valid after a `calculateTimers`/`tick`). */
  get assumedReceiverState(): SentState<S> {
    return this.#assumed;
  }

  /** Newest peer state number received in order (sent as `ack_num`). */
  get ackNum(): bigint {
    return this.#ackNum;
  }

  /** When the next (delayed or heartbeat) ack is due, ms. */
  get nextAckTime(): number {
    return this.#nextAckTime;
  }

  /** When the next data send is due, ms (Infinity = never). */
  get nextSendTime(): number {
    return this.#nextSendTime;
  }

  /** Send time of the newest acknowledged state (mosh's last round-trip success). */
  get sentStateAckedTimestamp(): number {
    return this.#sent[0].time;
  }

  /** Whether `startShutdown()` was called. */
  get shutdownInProgress(): boolean {
    return this.#shutdown;
  }

  /** Whether the peer acknowledged our shutdown state (the front is state -1). */
  get shutdownAcknowledged(): boolean {
    return this.#sent[0].num === SHUTDOWN_NUM;
  }

  /** Whether we have sent an instruction acknowledging the peer's shutdown (`ack_num = -1`). */
  get counterpartyShutdownAckSent(): boolean {
    return this.#lastAckSent === SHUTDOWN_NUM;
  }

  /** Number of shutdown instructions sent so far. */
  get shutdownTries(): number {
    return this.#shutdownTries;
  }

  /** When the shutdown started (ms), or -Infinity. */
  get shutdownStart(): number {
    return this.#shutdownStart;
  }

  /** Whether to give up waiting for the shutdown ack (16 tries or 10 s). */
  shutdownAckTimedOut(now: number): boolean {
    if (!this.#shutdown) return false;
    return this.#shutdownTries >= SHUTDOWN_RETRIES || now - this.#shutdownStart >= ACTIVE_RETRY_TIMEOUT;
  }

  /** Starts the shutdown handshake: freezes the current state; every later instruction has `new_num = -1`. */
  startShutdown(now: number): void {
    if (this.#shutdown) return;
    this.#current = this.#current.clone();
    this.#shutdown = true;
    this.#shutdownStart = now;
    this.#timersAt = Number.NaN;
  }

  /** Records the peer's newest in-order state number (sent as `ack_num`). */
  setAckNum(n: bigint): void {
    this.#ackNum = n;
    this.#timersAt = Number.NaN;
  }

  /** Asks for a data ack (sent within ACK_DELAY) because the peer sent a non-empty diff. */
  setDataAck(): void {
    this.#pendingDataAck = true;
    this.#timersAt = Number.NaN;
  }

  /**
   * Sends an ack (with the peer's timestamp to echo) at the next tick instead of at the next
   * heartbeat: the client's answer to the server's first datagram, which gives the server its
   * first RTT sample and so its real frame rate (mosh's server paces at 250 ms until then).
   */
  ackSoon(now: number): void {
    if (this.#nextAckTime > now) this.#nextAckTime = now;
    this.#timersAt = Number.NaN;
  }

  /**
   * The peer's heartbeat (a new state with an empty diff) arrived at `now`, `echoed` saying
   * whether it brought an RTT sample, `rtt` the last sample: our next heartbeat is set to reach
   * the peer {@link HEARTBEAT_LEAD} ms before the peer's next one (expected ACK_INTERVAL after
   * this one was sent, `rtt / 2` ago), so that one echoes our timestamp (see the class notes).
   * Never sooner than ACK_INTERVAL after our last datagram; an ack owed sooner keeps its time.
   */
  alignHeartbeat(now: number, rtt: number, echoed: boolean): void {
    const missed = this.#alignedBeatSent && !echoed;
    this.#alignedBeatSent = false;
    if (this.#shutdown || this.#pendingDataAck) return;
    const earliest = this.#lastSentAt + ACK_INTERVAL;
    if (this.#nextAckTime < earliest) return;
    // An echo: the last sample is the RTT now, no search needed; none for an aligned one: search on.
    if (echoed) this.#alignShift = 0;
    else if (missed) this.#alignShift = (this.#alignShift + ALIGN_STEP) % ACK_INTERVAL;
    // Within the next interval (the peer's next heartbeat would otherwise put it off again).
    const offset = ACK_INTERVAL - HEARTBEAT_LEAD - rtt + this.#alignShift;
    const target = now + (((offset % ACK_INTERVAL) + ACK_INTERVAL) % ACK_INTERVAL);
    let at = target;
    if (at < earliest) at = earliest - target <= ALIGN_SLACK ? earliest : target + ACK_INTERVAL;
    this.#nextAckTime = Math.max(at, earliest);
    this.#alignNext = true;
    this.#timersAt = Number.NaN;
  }

  /**
   * Grants one early frame (the interactive fast path, see the class notes): the next change
   * seen within `windowMs` is sent at once rather than after SEND_MINDELAY and the send
   * interval, at most one early frame per {@link EARLY_FRAME_GAP} ms. Ignored while shutting down.
   */
  expedite(now: number, windowMs: number = EXPEDITE_WINDOW): void {
    if (this.#shutdown) return;
    this.#earlyUntil = now + windowMs;
    this.#timersAt = Number.NaN;
  }

  /** Whether an early-frame credit is waiting to be used at `now`. */
  expedited(now: number): boolean {
    return this.#earlyUntil >= now;
  }

  /** Records that a new peer state arrived at `now` (the active-retry window). */
  remoteHeard(now: number): void {
    this.#lastHeard = now;
    this.#timersAt = Number.NaN;
  }

  /** Processes `ack_num` from the peer: drops every sent state older than it, if we still hold it. */
  processAcknowledgmentThrough(ackNum: bigint): void {
    this.#timersAt = Number.NaN; // also covers a new RTT sample (interval, RTO) that came with it
    const sent = this.#sent;
    let found = false;
    for (let i = 0; i < sent.length; i++) {
      if (sent[i].num === ackNum) {
        found = true;
        break;
      }
    }
    if (!found) return;
    let k = 0;
    for (let i = 0; i < sent.length; i++) if (!(sent[i].num < ackNum)) sent[k++] = sent[i];
    sent.length = k;
  }

  /** §6.3: the assumed receiver state, pruning, and the next ack/send times. */
  calculateTimers(now: number): void {
    this.#updateAssumedReceiverState(now);
    this.#rationalizeStates();

    if (this.#pendingDataAck && this.#nextAckTime > now + ACK_DELAY) this.#nextAckTime = now + ACK_DELAY;

    const back = this.#sent[this.#sent.length - 1];
    const interval = this.#link.sendInterval();
    const heard = this.#lastHeard + ACTIVE_RETRY_TIMEOUT > now;
    let early = NEVER;
    if (!this.#current.equals(back.state)) {
      if (this.#mindelayClock === null) this.#mindelayClock = now;
      // mosh: max(mindelay_clock + SEND_MINDELAY, back.sent_time + send_interval), where the
      // last sent state's time is that of the last regular send (early frames are extra).
      this.#nextSendTime =
        this.#startFrames > 0 && this.#sent[0].num === 0n
          ? this.#mindelayClock
          : Math.max(this.#mindelayClock + this.#mindelay, this.#paceTime + interval);
      if (this.#earlyUntil >= now && !this.#shutdown) {
        early = Math.max(this.#mindelayClock, this.#lastEarly + EARLY_FRAME_GAP);
        if (early > this.#earlyUntil) early = NEVER;
      }
    } else if (!this.#current.equals(this.#assumed.state) && heard) {
      this.#nextSendTime = back.time + interval;
      if (this.#mindelayClock !== null) {
        this.#nextSendTime = Math.max(this.#nextSendTime, this.#mindelayClock + this.#mindelay);
      }
    } else if (!this.#current.equals(this.#sent[0].state) && heard) {
      this.#nextSendTime = back.time + this.#link.rto() + ACK_DELAY;
    } else {
      this.#nextSendTime = NEVER;
    }
    this.#regularSendTime = this.#nextSendTime;
    if (early < this.#nextSendTime) this.#nextSendTime = early;

    if (this.#shutdown || this.#ackNum === SHUTDOWN_NUM) this.#nextAckTime = back.time + interval;
    this.#timersAt = now;
  }

  /** ms until the sender next needs a `tick` (Infinity while there is no remote address). */
  waitTime(now: number): number {
    // Right after a `tick` that sent nothing, nothing the timers depend on has changed.
    if (this.#timersAt !== now) this.calculateTimers(now);
    if (!this.#link.hasRemoteAddress()) return NEVER;
    const next = Math.min(this.#nextAckTime, this.#nextSendTime);
    return next > now ? next - now : 0;
  }

  /** §6.4: sends data, a retransmission or an empty ack if one is due. */
  tick(now: number): void {
    this.calculateTimers(now);
    if (!this.#link.hasRemoteAddress()) return;
    if (now < this.#nextAckTime && now < this.#nextSendTime) return;
    // Past here the state may be materialised and timers move: `waitTime` recalculates.
    this.#timersAt = Number.NaN;

    let diff = this.#current.diffFrom(this.#assumed.state);
    diff = this.#attemptProspectiveResendOptimization(diff);

    if (diff.length === 0) {
      if (now >= this.#nextAckTime) {
        this.#sendEmptyAck(now);
        this.#mindelayClock = null;
      }
      if (now >= this.#nextSendTime) {
        this.#nextSendTime = NEVER;
        this.#mindelayClock = null;
      }
    } else if (now >= this.#nextSendTime || now >= this.#nextAckTime) {
      const early = now < this.#regularSendTime && now < this.#nextAckTime;
      this.#sendToReceiver(diff, now);
      this.#mindelayClock = null;
      if (early) {
        this.#lastEarly = now;
        this.#earlyUntil = Number.NEGATIVE_INFINITY;
      } else {
        this.#paceTime = now;
        if (this.#startFrames > 0 && this.#sent[0].num === 0n) this.#startFrames--;
      }
    }
  }

  #updateAssumedReceiverState(now: number): void {
    const sent = this.#sent;
    const limit = this.#link.rto() + ACK_DELAY;
    this.#assumed = sent[0];
    for (let i = 1; i < sent.length; i++) {
      if (now - sent[i].time < limit) this.#assumed = sent[i];
      else return;
    }
  }

  /** Lets the state forget what the acknowledged state already holds (mosh's `rationalize_states`). */
  #rationalizeStates(): void {
    const known = this.#sent[0].state;
    if (!known.subtract) return;
    this.#current.subtract?.(known);
    for (let i = this.#sent.length - 1; i >= 0; i--) this.#sent[i].state.subtract?.(known);
  }

  #attemptProspectiveResendOptimization(proposed: Uint8Array): Uint8Array {
    const front = this.#sent[0];
    if (this.#assumed === front) return proposed;
    const resend = this.#current.diffFrom(front.state);
    if (resend.length <= proposed.length || (resend.length < 1000 && resend.length - proposed.length < 100)) {
      this.#assumed = front;
      return resend;
    }
    return proposed;
  }

  #sendEmptyAck(now: number): void {
    const back = this.#sent[this.#sent.length - 1];
    const newNum = this.#shutdown ? SHUTDOWN_NUM : (back.num + 1n) & U64;
    this.#addSentState(now, newNum, this.#current.clone());
    this.#paceTime = now;
    const aligned = this.#alignNext;
    this.#sendInstruction(EMPTY, newNum, now);
    this.#alignedBeatSent = aligned;
    this.#nextAckTime = now + ACK_INTERVAL;
    this.#nextSendTime = NEVER;
  }

  #sendToReceiver(diff: Uint8Array, now: number): void {
    let back = this.#sent[this.#sent.length - 1];
    let newNum = this.#current.equals(back.state) ? back.num : (back.num + 1n) & U64;
    if (this.#shutdown) newNum = SHUTDOWN_NUM;
    if (newNum === back.num) back.time = now;
    else this.#addSentState(now, newNum, this.#current.clone());

    this.#sendInstruction(diff, newNum, now);

    back = this.#sent[this.#sent.length - 1];
    this.#assumed = back;
    this.#nextAckTime = now + ACK_INTERVAL;
    this.#nextSendTime = NEVER;
  }

  #addSentState(time: number, num: bigint, state: S): void {
    const sent = this.#sent;
    sent.push({ time, num, state });
    if (sent.length > SENT_STATES_CAP) sent.splice(sent.length - 16, 1);
  }

  #sendInstruction(diff: Uint8Array, newNum: bigint, now: number): void {
    this.#timersAt = Number.NaN;
    this.#lastSentAt = now;
    this.#alignNext = false;
    const inst: Instruction = {
      protocolVersion: PROTOCOL_VERSION,
      oldNum: this.#assumed.num,
      newNum,
      ackNum: this.#ackNum,
      throwawayNum: this.#sent[0].num,
      diff,
      chaff: makeChaff(),
    };
    if (newNum === SHUTDOWN_NUM) this.#shutdownTries++;
    this.#lastAckSent = this.#ackNum;
    this.#pendingDataAck = false;
    this.#link.send(inst);
  }
}

const EMPTY = new Uint8Array(0);
