// The injected edges of the protocol: a monotonic clock with timers, and datagram sockets.

/** A monotonic millisecond clock with one-shot timers. Real time in programs, fake time in tests. */
export interface Clock {
  /** Milliseconds of a monotonic clock (need not start at 0; may be fractional). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** An IP endpoint. `address` is numeric (IPv4 dotted quad or IPv6). */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** Address family of a socket. */
export type Family = "IPv4" | "IPv6";

/** One bound UDP socket (or a simulated one). */
export interface DatagramSocket {
  /** Local address and port this socket is bound to. */
  readonly local: Endpoint;
  readonly family: Family;
  /** Sends one datagram. Errors are reported to the error handler, never thrown. */
  send(data: Uint8Array, to: Endpoint): void;
  /** Sets the handler for received datagrams (replaces any earlier one). */
  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void;
  /** Sets the handler for socket errors (replaces any earlier one). */
  onError(handler: (err: Error) => void): void;
  close(): void;
}

/** Opens sockets: the client opens a fresh one for each port hop. */
export interface DatagramNetwork {
  /** Binds a new socket of `family`; `port` 0 (default) means an ephemeral port. */
  open(family: Family, bindAddress?: string, port?: number): Promise<DatagramSocket>;
}

/** The system clock: performance.now() and setTimeout. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};
