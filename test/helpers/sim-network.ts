// A fake clock and a simulated, seeded datagram network (loss, delay, jitter, reordering, duplication, NAT rebinding).
import { seededRandom } from "../../sdk/linkem/seeded-random.js";
import type { Clock, DatagramNetwork, DatagramSocket, Endpoint, Family } from "../../sdk/transport/ports.js";

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A manual clock: time moves only through {@link FakeClock.advance}, which runs due timers in
 * time order (ties in the order they were set). Timers set while advancing run too if due.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: FakeTimer[] = [];

  /** @param start the initial time in ms (default 1,000,000, so that "0" is never special) */
  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const t: FakeTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(t);
    return () => {
      t.cancelled = true;
    };
  }

  /** Number of timers not yet run or cancelled. */
  get pendingTimers(): number {
    let n = 0;
    for (const t of this.#timers) if (!t.cancelled) n++;
    return n;
  }

  /** Moves time forward by `ms`, running every timer due on the way, in order. */
  advance(ms: number): void {
    const end = this.#now + Math.max(0, ms);
    for (;;) {
      const t = this.#popDue(end);
      if (!t) break;
      this.#now = t.at;
      t.fn();
    }
    this.#now = end;
  }

  /**
   * Like {@link FakeClock.advance}, but lets pending promises settle (via `setImmediate`) after
   * each timer and at each `step` ms, so asynchronous work (socket opens) interleaves with time.
   */
  async advanceAsync(ms: number, step = 10): Promise<void> {
    const end = this.#now + Math.max(0, ms);
    await settle();
    for (;;) {
      const limit = Math.min(end, this.#now + step);
      const t = this.#popDue(limit);
      if (t) {
        this.#now = t.at;
        t.fn();
      } else {
        this.#now = limit;
        if (limit >= end) break;
      }
      await settle();
    }
    await settle();
  }

  #popDue(limit: number): FakeTimer | null {
    // Drop cancelled timers now and then so the list stays short.
    if (this.#timers.length > 64) this.#timers = this.#timers.filter((t) => !t.cancelled);
    const timers = this.#timers;
    let best = -1;
    for (let i = 0; i < timers.length; i++) {
      const t = timers[i];
      if (t.cancelled || t.at > limit) continue;
      if (best < 0 || t.at < timers[best].at || (t.at === timers[best].at && t.seq < timers[best].seq))
        best = i;
    }
    if (best < 0) return null;
    const t = timers[best];
    t.cancelled = true;
    return t;
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How a simulated path treats datagrams. Probabilities are in [0, 1]; times in ms. */
export interface LinkConditions {
  /** Probability a datagram is lost. */
  loss?: number;
  /** Base one-way delay (default 1). */
  delay?: number;
  /** Extra uniform random delay in [0, jitter]. */
  jitter?: number;
  /** Probability a datagram is held back by an extra `reorderDelay`, so later ones overtake it. */
  reorder?: number;
  /** The hold-back of a reordered datagram (default 3 × delay + 10). */
  reorderDelay?: number;
  /** Probability a datagram is delivered twice (the copy gets its own delay). */
  duplicate?: number;
  /** Datagrams larger than this fail at the sender with EMSGSIZE. */
  maxDatagram?: number;
}

/** Which datagrams a condition rule applies to (every given field must match). */
export interface LinkMatch {
  /** Source address as the receiver sees it (after NAT). */
  fromAddress?: string;
  /** Source port as the receiver sees it (after NAT). */
  fromPort?: number;
  /** Destination address. */
  toAddress?: string;
  /** Destination port. */
  toPort?: number;
}

/** Counters of a {@link SimNetwork}. */
export interface SimCounters {
  /** Datagrams handed to `send`. */
  sent: number;
  /** Datagrams handed to a receiving socket. */
  delivered: number;
  /** Datagrams dropped by the loss probability. */
  lost: number;
  /** Extra copies made by duplication. */
  duplicated: number;
  /** Datagrams held back for reordering. */
  reordered: number;
  /** Datagrams that found no socket at their destination. */
  undeliverable: number;
  /** Sends that failed with EMSGSIZE. */
  oversize: number;
}

/** One datagram as seen by a {@link SimNetwork} tap. */
export interface SimDatagram {
  /** Source as the receiver sees it (after NAT). */
  readonly from: Endpoint;
  /** Destination. */
  readonly to: Endpoint;
  readonly data: Uint8Array;
}

const key = (e: Endpoint): string => `${e.address}|${e.port}`;

/**
 * An in-memory datagram network driven by a clock (normally a {@link FakeClock}). Sockets bind
 * to simulated addresses (default `127.0.0.1` / `::1`); delivery follows seeded per-path
 * conditions; `translate()` makes a socket appear from another address/port (NAT rebinding).
 */
export class SimNetwork implements DatagramNetwork {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #sockets = new Map<string, SimSocket>();
  readonly #natOut = new Map<string, Endpoint>();
  readonly #natIn = new Map<string, Endpoint>();
  readonly #localAddresses: readonly string[] | null;
  #rules: Array<{ match: LinkMatch; cond: LinkConditions }> = [];
  #nextPort = 40000;
  #taps: Array<(d: SimDatagram) => void> = [];
  /** Counters, updated as datagrams move. */
  readonly counters: SimCounters = {
    sent: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    undeliverable: 0,
    oversize: 0,
  };

  /**
   * @param options.seed seed of the loss/delay/duplication randomness (default 1)
   * @param options.defaults conditions for paths no rule matches (default: 1 ms delay, nothing else)
   * @param options.localAddresses addresses sockets may bind to (default: any); others fail with EADDRNOTAVAIL
   */
  constructor(
    clock: Clock,
    options: { seed?: number; defaults?: LinkConditions; localAddresses?: readonly string[] } = {},
  ) {
    this.#clock = clock;
    this.#random = seededRandom(options.seed ?? 1);
    this.#localAddresses = options.localAddresses ?? null;
    if (options.defaults) this.#rules.push({ match: {}, cond: options.defaults });
  }

  /** Applies `cond` to datagrams matching `match` (all of them when omitted); later rules win. */
  setConditions(cond: LinkConditions, match: LinkMatch = {}): void {
    this.#rules.push({ match, cond });
  }

  /** Removes every condition rule (back to 1 ms delay, no loss). */
  clearConditions(): void {
    this.#rules = [];
  }

  /** Calls `fn` for every datagram sent (before loss), for inspection. Returns an unsubscribe function. */
  tap(fn: (d: SimDatagram) => void): () => void {
    this.#taps.push(fn);
    return () => {
      this.#taps = this.#taps.filter((f) => f !== fn);
    };
  }

  /**
   * Makes the socket bound at `local` appear as `apparent` to everyone else (and receive what is
   * sent to `apparent`); `null` removes the translation. Replies to an earlier apparent endpoint
   * of the same socket are then undeliverable, like a NAT that rebound.
   */
  translate(local: Endpoint, apparent: Endpoint | null): void {
    const old = this.#natOut.get(key(local));
    if (old) this.#natIn.delete(key(old));
    if (apparent) {
      this.#natOut.set(key(local), apparent);
      this.#natIn.set(key(apparent), local);
    } else {
      this.#natOut.delete(key(local));
    }
  }

  /** The socket bound at `local`, if any (tests use it to inject datagrams). */
  socketAt(local: Endpoint): DatagramSocket | undefined {
    return this.#sockets.get(key(local));
  }

  /** Sends a datagram from an arbitrary endpoint (no socket needed), through the usual conditions. */
  inject(from: Endpoint, to: Endpoint, data: Uint8Array): void {
    this.#route(from, to, data.slice(), null);
  }

  open(family: Family, bindAddress?: string, port = 0): Promise<DatagramSocket> {
    const address = bindAddress ?? (family === "IPv6" ? "::1" : "127.0.0.1");
    if (family === "IPv6" ? !address.includes(":") : address.includes(":")) {
      return Promise.reject(simError("EINVAL", `bind ${address}: wrong address family`));
    }
    if (this.#localAddresses && !this.#localAddresses.includes(address)) {
      return Promise.reject(simError("EADDRNOTAVAIL", `bind ${address}: cannot assign requested address`));
    }
    let p = port;
    if (p === 0) {
      do p = this.#nextPort++;
      while (this.#sockets.has(key({ address, port: p })));
    }
    const local = { address, port: p };
    if (this.#sockets.has(key(local))) {
      return Promise.reject(simError("EADDRINUSE", `bind ${address}:${p}: address already in use`));
    }
    const sock = new SimSocket(local, family, this);
    this.#sockets.set(key(local), sock);
    return Promise.resolve(sock);
  }

  /** @internal */
  detach(sock: SimSocket): void {
    if (this.#sockets.get(key(sock.local)) === sock) this.#sockets.delete(key(sock.local));
  }

  /** @internal */
  sendFrom(sock: SimSocket, data: Uint8Array, to: Endpoint): void {
    const from = this.#natOut.get(key(sock.local)) ?? sock.local;
    this.#route(from, to, data.slice(), sock);
  }

  #conditions(from: Endpoint, to: Endpoint): LinkConditions {
    for (let i = this.#rules.length - 1; i >= 0; i--) {
      const { match: m, cond } = this.#rules[i];
      if (m.fromAddress !== undefined && m.fromAddress !== from.address) continue;
      if (m.fromPort !== undefined && m.fromPort !== from.port) continue;
      if (m.toAddress !== undefined && m.toAddress !== to.address) continue;
      if (m.toPort !== undefined && m.toPort !== to.port) continue;
      return cond;
    }
    return {};
  }

  #route(from: Endpoint, to: Endpoint, data: Uint8Array, sender: SimSocket | null): void {
    const cond = this.#conditions(from, to);
    if (cond.maxDatagram !== undefined && data.length > cond.maxDatagram) {
      this.counters.oversize++;
      sender?.fail(simError("EMSGSIZE", `send ${data.length} bytes: message too long`));
      return;
    }
    this.counters.sent++;
    for (const t of this.#taps) t({ from, to, data });
    const rnd = this.#random;
    if (rnd() < (cond.loss ?? 0)) {
      this.counters.lost++;
      return;
    }
    const copies = rnd() < (cond.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) this.counters.duplicated++;
    for (let c = 0; c < copies; c++) {
      const base = cond.delay ?? 1;
      let delay = base + rnd() * (cond.jitter ?? 0);
      if (rnd() < (cond.reorder ?? 0)) {
        this.counters.reordered++;
        delay += cond.reorderDelay ?? 3 * base + 10;
      }
      const fromCopy = { address: from.address, port: from.port };
      this.#clock.setTimer(delay, () => this.#deliver(fromCopy, to, data));
    }
  }

  #deliver(from: Endpoint, to: Endpoint, data: Uint8Array): void {
    const real = this.#natIn.get(key(to)) ?? to;
    // A socket with a translation is reachable only through its apparent endpoint.
    const sock = this.#sockets.get(key(real));
    if (!sock || (real === to && this.#natOut.has(key(to)))) {
      this.counters.undeliverable++;
      return;
    }
    this.counters.delivered++;
    sock.deliver(data, from);
  }
}

function simError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** A socket of a {@link SimNetwork}. */
class SimSocket implements DatagramSocket {
  readonly local: Endpoint;
  readonly family: Family;
  readonly #net: SimNetwork;
  #onMessage: ((data: Uint8Array, from: Endpoint) => void) | null = null;
  #onError: ((err: Error) => void) | null = null;
  #closed = false;

  constructor(local: Endpoint, family: Family, net: SimNetwork) {
    this.local = local;
    this.family = family;
    this.#net = net;
  }

  send(data: Uint8Array, to: Endpoint): void {
    if (this.#closed) {
      this.fail(simError("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running"));
      return;
    }
    this.#net.sendFrom(this, data, to);
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.#onMessage = handler;
  }

  onError(handler: (err: Error) => void): void {
    this.#onError = handler;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#net.detach(this);
  }

  deliver(data: Uint8Array, from: Endpoint): void {
    if (!this.#closed) this.#onMessage?.(data, from);
  }

  fail(err: Error): void {
    this.#onError?.(err);
  }
}
