// One direction of an emulated link: its profile, the seeded fate of each datagram, and its counters.
import { seededRandom } from "./seeded-random.js";

/** How one direction of the emulated link treats datagrams. Every field is optional; `{}` is a perfect link. */
export interface LinkDirectionProfile {
  /** Fixed one-way delay in milliseconds (default 0). */
  delayMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs) for each datagram (default 0). May reorder datagrams. */
  jitterMs?: number;
  /** Probability (0..1) that a datagram is dropped (default 0). */
  loss?: number;
  /** Probability (0..1) that a datagram gets an extra `reorderDelayMs` of delay, so later ones overtake it (default 0). */
  reorder?: number;
  /** Extra delay in milliseconds given to a reordered datagram (default 20). */
  reorderDelayMs?: number;
  /** Probability (0..1) that a datagram is delivered twice (default 0). The copy gets its own delay draw. */
  duplicate?: number;
  /** When true the direction drops everything, including datagrams already in flight when they come due. */
  down?: boolean;
}

/**
 * Counters of one direction. Once nothing is in flight, `datagrams + duplicated === delivered + dropped`.
 */
export interface LinkDirectionStats {
  /** Datagrams offered to this direction (received by the emulator from the sending side). */
  datagrams: number;
  /** Bytes of the offered datagrams. */
  bytes: number;
  /** Copies dropped: by loss, by a down link (also when in flight), or because there was nowhere to send them. */
  dropped: number;
  /** Extra copies made by duplication. */
  duplicated: number;
  /** Copies actually handed to the socket (including duplicates). */
  delivered: number;
}

/** The mulberry32 PRNG (also behind the tests' simulated network): the same sequence for the same seed. */
export const mulberry32: (seed: number) => () => number = seededRandom;

/** The fate of one datagram: how many copies go out (0, 1 or 2) and after how long each. Reused between calls. */
export interface DatagramFate {
  /** 0 = dropped, 1 = delivered once, 2 = delivered twice. */
  copies: number;
  /** Delay in ms of the first copy. */
  delay0: number;
  /** Delay in ms of the second copy (meaningful when `copies` is 2). */
  delay1: number;
}

const DEFAULT_REORDER_DELAY_MS = 20;

/**
 * One direction of the link. `decide()` draws a fixed six numbers from the PRNG per datagram whatever the
 * profile, so the fates depend only on the seed, the profile in force and the order of datagrams.
 */
export class LinkDirection {
  /** The profile in force; replace it with `setProfile`. */
  profile: LinkDirectionProfile;
  /** Live counters (callers read them; copy them with `snapshot`). */
  readonly stats: LinkDirectionStats = { datagrams: 0, bytes: 0, dropped: 0, duplicated: 0, delivered: 0 };
  private readonly random: () => number;
  private readonly fate: DatagramFate = { copies: 0, delay0: 0, delay1: 0 };

  /** @param seed seeds this direction's own PRNG. */
  constructor(seed: number, profile: LinkDirectionProfile = {}) {
    this.random = mulberry32(seed);
    this.profile = { ...profile };
  }

  /** Replaces the whole profile (fields not given fall back to their defaults). */
  setProfile(profile: LinkDirectionProfile): void {
    this.profile = { ...profile };
  }

  /**
   * Counts one offered datagram of `bytes` bytes and decides its fate.
   * @returns a fate object that is overwritten by the next call.
   */
  decide(bytes: number): DatagramFate {
    const p = this.profile;
    const s = this.stats;
    s.datagrams++;
    s.bytes += bytes;
    const rLoss = this.random();
    const rDup = this.random();
    const fate = this.fate;
    fate.delay0 = this.delay(this.random(), this.random());
    fate.delay1 = this.delay(this.random(), this.random());
    if (p.down === true || rLoss < (p.loss ?? 0)) {
      s.dropped++;
      fate.copies = 0;
    } else if (rDup < (p.duplicate ?? 0)) {
      s.duplicated++;
      fate.copies = 2;
    } else {
      fate.copies = 1;
    }
    return fate;
  }

  /** Whether a copy coming due now must be dropped because the direction went down meanwhile (counts it). */
  dropAtDelivery(): boolean {
    if (this.profile.down === true) {
      this.stats.dropped++;
      return true;
    }
    return false;
  }

  /** Counts `n` copies dropped outside `decide` (e.g. no destination known). */
  countDropped(n: number): void {
    this.stats.dropped += n;
  }

  /** Counts one copy handed to the socket. */
  countDelivered(): void {
    this.stats.delivered++;
  }

  /** A copy of the counters. */
  snapshot(): LinkDirectionStats {
    return { ...this.stats };
  }

  private delay(rJitter: number, rReorder: number): number {
    const p = this.profile;
    let d = (p.delayMs ?? 0) + rJitter * (p.jitterMs ?? 0);
    if (rReorder < (p.reorder ?? 0)) d += p.reorderDelayMs ?? DEFAULT_REORDER_DELAY_MS;
    return d;
  }
}
