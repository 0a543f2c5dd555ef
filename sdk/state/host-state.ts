// The server's synchronised state (mosh's Terminal::Complete): a screen snapshot plus the echo ack, and its live variant.
import { displayDiff, HOST_DISPLAY } from "../terminal/display-diff.js";
import { type Frame, frameEquals } from "../terminal/frame.js";
import type { SyncState } from "../transport/sync-state.js";
import { encodeHostMessage, type HostOp } from "../wire/messages.js";

const EMPTY: Uint8Array = new Uint8Array(0);
const utf8 = new TextEncoder();

/** One remembered diff: from (frame, ack) to (frame, ack). */
interface MemoEntry {
  from: Frame;
  fromAck: bigint;
  to: Frame;
  toAck: bigint;
  diff: Uint8Array;
}

/**
 * One server state as docs/mosh-protocol.md §8.2 defines it: the framebuffer (an immutable
 * {@link Frame}) and the echo ack. Two states are equal when their frames are equal (mosh's
 * framebuffer equality) and their echo acks are equal. Cloning is O(1): frames are shared.
 *
 * The diff from a base is, in this order: `EchoAck` if the echo ack changed, `Resize` if the
 * size differs from the base's, then `HostBytes` with the escape sequences that take the base's
 * screen to this one as mosh's client emulator interprets them (ECH, BCE and titles assumed).
 */
export class HostState implements SyncState<HostState> {
  /** The screen; subclasses may produce it lazily. */
  protected screen: Frame;
  /** Newest client state number whose echo is in this screen (§8.3). */
  protected ack: bigint;

  constructor(frame: Frame, echoAck = 0n) {
    this.screen = frame;
    this.ack = echoAck;
  }

  /** The screen. */
  get frame(): Frame {
    return this.screen;
  }

  /** The echo ack: the newest client state whose input reached the application at least 50 ms ago. */
  get echoAck(): bigint {
    return this.ack;
  }

  /**
   * Whether this state has changes it has not materialised yet. Such a state compares unequal to
   * every other state (without materialising), so that the transport schedules a send; the
   * snapshot is taken only when a diff or a clone is needed.
   */
  get stale(): boolean {
    return false;
  }

  /** An independent copy (a plain, immutable HostState sharing the frame). */
  clone(): HostState {
    return new HostState(this.frame, this.echoAck);
  }

  /** The last two diffs made (the sender asks for the same ones again, and for two bases per frame). */
  #memo: [MemoEntry | null, MemoEntry | null] = [null, null];

  /**
   * EchoAck (if changed) → Resize (if the size differs) → HostBytes (if the screens differ), as
   * mosh's server. Frames are immutable, so the last two results are remembered and a repeated
   * request (same frames, same acks) costs nothing.
   */
  diffFrom(base: HostState): Uint8Array {
    const to = this.frame;
    const from = base.frame;
    const toAck = this.echoAck;
    const fromAck = base.echoAck;
    const memo = this.#memo;
    for (let i = 0; i < 2; i++) {
      const m = memo[i];
      if (m !== null && m.to === to && m.from === from && m.toAck === toAck && m.fromAck === fromAck)
        return m.diff;
    }
    let diff = EMPTY;
    const ackChanged = toAck !== fromAck;
    if (!frameEquals(from, to)) {
      const resized = from.cols !== to.cols || from.rows !== to.rows;
      const bytes = displayDiff(from, to, HOST_DISPLAY);
      if (ackChanged || resized || bytes.length > 0) {
        const ops: HostOp[] = [];
        if (ackChanged) ops.push({ kind: "echoack", num: toAck });
        if (resized) ops.push({ kind: "resize", cols: to.cols, rows: to.rows });
        if (bytes.length > 0) ops.push({ kind: "hostbytes", bytes: utf8.encode(bytes) });
        diff = encodeHostMessage(ops);
      }
    } else if (ackChanged) {
      diff = encodeHostMessage([{ kind: "echoack", num: toAck }]);
    }
    memo[1] = memo[0];
    memo[0] = { from, fromAck, to, toAck, diff };
    return diff;
  }

  /**
   * Not supported: a server never receives its own state type. The client applies these diffs
   * to its `HostView` through a terminal emulator.
   * @throws Error always.
   */
  applyDiff(_diff: Uint8Array): void {
    throw new Error("HostState is only ever sent; the client applies host diffs to a HostView");
  }

  /** Equal frames (mosh's framebuffer equality) and equal echo acks; a stale state equals only itself. */
  equals(other: HostState): boolean {
    if (this === other) return true;
    if (this.stale || other.stale) return false;
    return this.ack === other.ack && frameEquals(this.screen, other.screen);
  }
}

/** Where a {@link LiveHostState} gets its screen from (the server's terminal emulator). */
export interface FrameSource {
  /** The current screen as an immutable snapshot. */
  snapshot(): Frame;
}

/**
 * The server's current state as the transport holds it: the emulator's screen, snapshotted
 * lazily. {@link LiveHostState.invalidate} marks it stale when the emulator changed; the next
 * `diffFrom`, `clone` or `frame` read takes one snapshot. So output that arrives faster than the
 * frame rate costs one snapshot per frame sent, not one per chunk of output.
 */
export class LiveHostState extends HostState {
  readonly #source: FrameSource;
  #stale = false;

  constructor(source: FrameSource, frame: Frame, echoAck = 0n) {
    super(frame, echoAck);
    this.#source = source;
  }

  override get frame(): Frame {
    if (this.#stale) {
      this.#stale = false;
      this.screen = this.#source.snapshot();
    }
    return this.screen;
  }

  override get stale(): boolean {
    return this.#stale;
  }

  /** Marks the screen as changed; returns whether it was up to date before (the caller then tells the transport). */
  invalidate(): boolean {
    const was = this.#stale;
    this.#stale = true;
    return !was;
  }

  /** Sets the echo ack (never lowered: the real client asserts that it only grows). Returns whether it changed. */
  setEchoAck(n: bigint): boolean {
    if (n <= this.ack) return false;
    this.ack = n;
    return true;
  }

  override equals(other: HostState): boolean {
    if (this === other) return true;
    if (this.#stale) return false;
    return super.equals(other);
  }
}
