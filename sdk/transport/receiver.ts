// The SSP receiver (docs/mosh-protocol.md §6.5 steps 4–10): the received-state list and how an instruction extends it.
import type { Instruction } from "../wire/instruction.js";
import type { SyncState } from "./sync-state.js";

/** Above this many held states, new states are accepted at most once per RECEIVER_QUENCH_MS. */
export const RECEIVED_STATES_CAP = 1024;
/** The flood quench period in ms. */
export const RECEIVER_QUENCH_MS = 15000;

/** One received peer state. */
export interface ReceivedState<R> {
  /** When it arrived (ms). */
  readonly time: number;
  /** The peer's state number. */
  readonly num: bigint;
  /** The state (never mutated after it was stored). */
  readonly state: R;
}

/** What became of one instruction. */
export type ReceiveOutcome<R> =
  /** A new newest state: the caller sets `ack_num`, liveness and (non-empty diff) the data ack. */
  | { readonly kind: "newest"; readonly received: ReceivedState<R> }
  /** Stored, but older than the newest held (arrived out of order): nothing else to do. */
  | { readonly kind: "out-of-order"; readonly received: ReceivedState<R> }
  /** Already held: ignored. */
  | { readonly kind: "duplicate" }
  /** Its base (`old_num`) is not held: ignored. */
  | { readonly kind: "unknown-base" }
  /** Dropped by the 1024-state flood quench. */
  | { readonly kind: "quenched" }
  /** The diff did not apply (illegal counterparty input): dropped. */
  | { readonly kind: "illegal"; readonly error: unknown };

/**
 * mosh's received-state list: rebuilds the peer's states from diffs against states it holds.
 * The ack processing (§6.5 steps 2–3) belongs to the sender; the caller runs it first.
 */
export class TransportReceiver<R extends SyncState<R>> {
  #states: ReceivedState<R>[];
  #quenchUntil = Number.NEGATIVE_INFINITY;

  /** @param initial the peer's state 0 (kept as is, never mutated) */
  constructor(initial: R, now: number) {
    this.#states = [{ time: now, num: 0n, state: initial }];
  }

  /** The newest received state. */
  get newest(): ReceivedState<R> {
    return this.#states[this.#states.length - 1];
  }

  /** Held states in number order. For inspection and tests; do not modify. */
  get states(): readonly ReceivedState<R>[] {
    return this.#states;
  }

  /** §6.5 steps 4–10 for one complete instruction that arrived at `now`. */
  receive(inst: Instruction, now: number): ReceiveOutcome<R> {
    const states = this.#states;
    let base: ReceivedState<R> | undefined;
    for (const s of states) {
      if (s.num === inst.newNum) return DUPLICATE;
      if (s.num === inst.oldNum) base = s;
    }
    if (!base) return UNKNOWN_BASE;

    this.#throwAwayBelow(inst.throwawayNum);

    if (states.length > RECEIVED_STATES_CAP) {
      if (now < this.#quenchUntil) return QUENCHED;
      this.#quenchUntil = now + RECEIVER_QUENCH_MS;
    }

    let state = base.state;
    if (inst.diff.length > 0) {
      try {
        state = base.state.clone();
        state.applyDiff(inst.diff);
      } catch (error) {
        return { kind: "illegal", error };
      }
    }
    const received: ReceivedState<R> = { time: now, num: inst.newNum, state };

    for (let i = 0; i < states.length; i++) {
      if (states[i].num > received.num) {
        states.splice(i, 0, received);
        return { kind: "out-of-order", received };
      }
    }
    states.push(received);
    return { kind: "newest", received };
  }

  /** Erases states numbered below `throwaway` (the newest one is always kept). */
  #throwAwayBelow(throwaway: bigint): void {
    const states = this.#states;
    const last = states.length - 1;
    let k = 0;
    for (let i = 0; i < states.length; i++) {
      if (i === last || !(states[i].num < throwaway)) states[k++] = states[i];
    }
    states.length = k;
  }
}

const DUPLICATE = { kind: "duplicate" } as const;
const UNKNOWN_BASE = { kind: "unknown-base" } as const;
const QUENCHED = { kind: "quenched" } as const;
