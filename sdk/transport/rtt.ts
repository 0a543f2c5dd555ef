// The round-trip-time estimator (docs/mosh-protocol.md §3.1): SRTT/RTTVAR, RTO and the frame interval.

/** Lowest retransmission timeout in ms (mosh's MIN_RTO). */
export const MIN_RTO = 50;
/** Highest retransmission timeout in ms (mosh's MAX_RTO). */
export const MAX_RTO = 1000;
/** Shortest gap between frames in ms (SEND_INTERVAL_MIN). */
export const SEND_INTERVAL_MIN = 20;
/** Longest gap between frames in ms (SEND_INTERVAL_MAX). */
export const SEND_INTERVAL_MAX = 250;
/** RTT samples at or above this many ms are ignored (e.g. a peer that was suspended). */
export const RTT_SAMPLE_LIMIT = 5000;

/**
 * mosh's per-connection RTT estimator (RFC 6298 style, floating point):
 * SRTT starts at 1000 ms and RTTVAR at 500 ms until the first sample.
 */
export class RttEstimator {
  /** Smoothed round-trip time in ms. */
  srtt = 1000;
  /** Round-trip time variation in ms. */
  rttvar = 500;
  /** Samples taken so far, and the last one (ms; 1000 before the first). */
  samples = 0;
  last = 1000;
  #hit = false;

  /** Whether at least one sample has been taken. */
  get hasSample(): boolean {
    return this.#hit;
  }

  /** Feeds one RTT sample `r` (ms). Returns false when the sample was ignored (r ≥ 5000). */
  sample(r: number): boolean {
    if (!(r < RTT_SAMPLE_LIMIT)) return false;
    this.samples++;
    this.last = r;
    if (!this.#hit) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.#hit = true;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    return true;
  }

  /** Retransmission timeout: ceil(SRTT + 4·RTTVAR) clamped to [50, 1000] ms (mosh's `timeout()`). */
  rto(): number {
    return clamp(Math.ceil(this.srtt + 4 * this.rttvar), MIN_RTO, MAX_RTO);
  }

  /** Frame interval: ceil(SRTT / 2) clamped to [20, 250] ms (two frames per round trip). */
  sendInterval(): number {
    return clamp(Math.ceil(this.srtt / 2), SEND_INTERVAL_MIN, SEND_INTERVAL_MAX);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
