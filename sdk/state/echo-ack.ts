// The server's echo-ack bookkeeping (mosh's Complete::register_input_frame / set_echo_ack / wait_time, docs/mosh-protocol.md §8.3).

/** How long (ms) input must have been with the application before its client state is acknowledged as echoed. */
export const ECHO_TIMEOUT = 50;

/**
 * Tracks which client states carried input and when they were applied, and computes the echo
 * ack: the newest such state applied at least {@link ECHO_TIMEOUT} ms ago. Time is passed in (ms).
 * The echo ack never decreases.
 */
export class EchoAckTracker {
  /** (state number, time applied), oldest first; the front is the currently acknowledged one once there is one. */
  #history: Array<{ num: bigint; time: number }> = [];
  #echoAck = 0n;

  /** The current echo ack. */
  get echoAck(): bigint {
    return this.#echoAck;
  }

  /** Records that client state `num`, which carried at least one event, was applied at `now`. */
  registerInputFrame(num: bigint, now: number): void {
    this.#history.push({ num, time: now });
  }

  /** Recomputes the echo ack at `now`; returns whether it changed. */
  setEchoAck(now: number): boolean {
    const h = this.#history;
    let newest: bigint | null = null;
    for (const r of h) if (r.time <= now - ECHO_TIMEOUT) newest = r.num;
    if (newest === null || newest <= this.#echoAck) return false;
    let k = 0;
    for (const r of h) if (r.num >= newest) h[k++] = r;
    h.length = k;
    this.#echoAck = newest;
    return true;
  }

  /**
   * ms until the next record reaches the echo timeout (0 if one already has; Infinity if none is
   * waiting). Unlike mosh, which only counts records after the acknowledged one, the very first
   * record is waited for too, so the first echo ack is never late.
   */
  waitTime(now: number): number {
    for (const r of this.#history) {
      if (r.num <= this.#echoAck) continue;
      const due = r.time + ECHO_TIMEOUT;
      return due <= now ? 0 : due - now;
    }
    return Number.POSITIVE_INFINITY;
  }
}
