// The datagram connection (docs/mosh-protocol.md §3, §4.3, §7.1–§7.4): sockets, sequence, timestamps, RTT, fragments, roaming.
import { CryptoError } from "../crypto/crypto-error.js";
import type { SessionKey } from "../crypto/session-key.js";
import type { Direction, Packet } from "../wire/datagram.js";
import { DatagramCodec, TIMESTAMP_NONE, TO_CLIENT, TO_SERVER, timestamp16 } from "../wire/datagram.js";
import { decodeFragment, encodeFragment, FragmentAssembly, Fragmenter } from "../wire/fragment.js";
import type { Instruction } from "../wire/instruction.js";
import { decodeInstruction, encodeInstruction } from "../wire/instruction.js";
import { MTU_FALLBACK, MTU_IPV4, MTU_IPV6, maxFragmentContents } from "../wire/mtu.js";
import type { Clock, DatagramNetwork, DatagramSocket, Endpoint, Family } from "./ports.js";
import { RttEstimator } from "./rtt.js";
import { TransportError } from "./transport-error.js";

/** First port of the server's default search (PORT_RANGE_LOW). */
export const PORT_RANGE_LOW = 60001;
/** Last port of the server's default search (PORT_RANGE_HIGH). */
export const PORT_RANGE_HIGH = 60999;
/** A server drops its client's address when it sends this long (ms) after last hearing it. */
export const SERVER_ASSOCIATION_TIMEOUT = 40000;
/** A client hops to a new port after this long (ms) without round-trip success (and since the last hop). */
export const PORT_HOP_INTERVAL = 10000;
/** Old client sockets are closed once the newest has been in use this long (ms). */
export const MAX_OLD_SOCKET_AGE = 60000;
/** At most this many client sockets are kept open. */
export const MAX_PORTS_OPEN = 10;
/** A held timestamp is echoed only if the reply goes out within this many ms. */
const TIMESTAMP_HOLD = 1000;

/** How to open a {@link Connection}. */
export interface ConnectionOptions {
  /** Which end this is: the server accepts direction-0 datagrams and roams; the client hops ports. */
  role: "client" | "server";
  /** The session key. */
  key: SessionKey;
  /** Time source. */
  clock: Clock;
  /** Socket factory. */
  network: DatagramNetwork;
  /** Client: the server's address (required). Server: ignored. */
  remote?: Endpoint;
  /** Socket family (default: from `remote` for a client, from `bindAddress` for a server, else IPv4). */
  family?: Family;
  /** Local address to bind (server: tried first, then any interface; client: default any). */
  bindAddress?: string;
  /** Server: one port, 0 (OS choice) or an inclusive range `[low, high]`; default 60001..60999. */
  port?: number | readonly [number, number];
  /** Server: told when binding to `bindAddress` failed and any interface is tried instead. */
  onBindError?: (address: string, err: Error) => void;
}

/** Where a {@link Connection} delivers what it receives. All are called synchronously; none may throw. */
export interface ConnectionHandlers {
  /** A complete, decoded instruction (in order or not; the transport sorts it out). */
  instruction(inst: Instruction): void;
  /** Server: the client's address changed (also on first contact). Client: a new local socket took over. */
  roam(endpoint: Endpoint): void;
  /** Server: the client was silent for 40 s, so its address was dropped. */
  detach(): void;
  /** A non-fatal problem: an integrity failure, illegal input, a socket error. */
  error(err: Error): void;
}

/** Counters of a {@link Connection}. */
export interface ConnectionStats {
  /** Datagrams sent. */
  datagramsSent: number;
  /** Datagrams received (before any check). */
  datagramsReceived: number;
  /** Datagrams that failed authentication (or were too short / too long to try). */
  integrityFailures: number;
  /** Authenticated datagrams or instructions rejected as illegal input. */
  illegalInput: number;
  /** Socket errors (send failures included). */
  socketErrors: number;
}

/**
 * One end of mosh's UDP association: encrypts and numbers datagrams, filters by sequence,
 * echoes timestamps and estimates RTT, fragments and reassembles instructions, follows a roaming
 * client (server) or hops ports after silence (client). Never throws out of its receive path.
 */
export class Connection {
  readonly #role: "client" | "server";
  readonly #clock: Clock;
  readonly #network: DatagramNetwork;
  readonly #codec: DatagramCodec;
  readonly #handlers: ConnectionHandlers;
  readonly #family: Family;
  readonly #bindAddress: string | undefined;
  readonly #direction: Direction;
  readonly #fragmenter = new Fragmenter();
  readonly #assembly = new FragmentAssembly();
  readonly #socks: DatagramSocket[] = [];
  /** Round-trip time estimator fed by echoed timestamps. */
  readonly rtt = new RttEstimator();
  /** Counters. */
  readonly stats: ConnectionStats = {
    datagramsSent: 0,
    datagramsReceived: 0,
    integrityFailures: 0,
    illegalInput: 0,
    socketErrors: 0,
  };
  #remote: Endpoint | null;
  #mtu: number;
  #nextSeq = 0n;
  #expectedSeq = 0n;
  #savedTimestamp = -1;
  #savedTimestampAt = Number.NEGATIVE_INFINITY;
  #lastHeard = Number.NEGATIVE_INFINITY;
  #lastPortChoice: number;
  #lastRoundTripSuccess = Number.NEGATIVE_INFINITY;
  #hopping = false;
  #closed = false;

  private constructor(
    opts: ConnectionOptions,
    handlers: ConnectionHandlers,
    family: Family,
    sock: DatagramSocket,
  ) {
    this.#role = opts.role;
    this.#clock = opts.clock;
    this.#network = opts.network;
    this.#codec = new DatagramCodec(opts.key);
    this.#handlers = handlers;
    this.#family = family;
    this.#bindAddress = opts.bindAddress;
    this.#direction = opts.role === "server" ? TO_CLIENT : TO_SERVER;
    this.#remote = opts.role === "client" ? (opts.remote ?? null) : null;
    this.#mtu = family === "IPv6" ? MTU_IPV6 : MTU_IPV4;
    this.#lastPortChoice = this.#now();
    this.#adopt(sock);
  }

  /**
   * Binds the socket and returns the connection. A server searches its port range (the first
   * free port wins), at `bindAddress` first and then on any interface.
   * @throws the last bind error if no port could be bound; a RangeError on bad options.
   */
  static async open(opts: ConnectionOptions, handlers: ConnectionHandlers): Promise<Connection> {
    if (opts.role === "client") {
      if (!opts.remote) throw new RangeError("a client connection needs the server's address (remote)");
      const family = opts.family ?? familyOf(opts.remote.address);
      const sock = await opts.network.open(family, opts.bindAddress, 0);
      return new Connection(opts, handlers, family, sock);
    }
    const family = opts.family ?? (opts.bindAddress ? familyOf(opts.bindAddress) : "IPv4");
    const sock = await bindServerSocket(
      opts.network,
      family,
      opts.bindAddress,
      portRange(opts.port),
      opts.onBindError,
    );
    return new Connection(opts, handlers, family, sock);
  }

  /** Local endpoint of the socket in use (the newest one; the last one used, after `close()`). */
  get localEndpoint(): Endpoint {
    const newest = this.#socks[this.#socks.length - 1];
    if (newest) this.#lastLocal = newest.local;
    return this.#lastLocal!;
  }

  #lastLocal: Endpoint | null = null;

  /** The socket family. */
  get family(): Family {
    return this.#family;
  }

  /** Where datagrams go: the server's address (client) or the client's latest address (server). */
  get remoteEndpoint(): Endpoint | null {
    return this.#remote;
  }

  /** Whether there is a peer to send to. */
  get hasRemoteAddress(): boolean {
    return this.#remote !== null;
  }

  /** The current MTU (datagram size limit). */
  get mtu(): number {
    return this.#mtu;
  }

  /** When the last in-order datagram arrived (ms; -Infinity before the first). */
  get lastHeard(): number {
    return this.#lastHeard;
  }

  /** Send time of our newest acknowledged state (ms), as last reported by the transport. */
  get lastRoundTripSuccess(): number {
    return this.#lastRoundTripSuccess;
  }

  /** Called by the transport whenever an ack arrives (the client's port-hop rule uses it). */
  setLastRoundTripSuccess(t: number): void {
    this.#lastRoundTripSuccess = t;
  }

  /** Number of sockets open (the client keeps old ones for a while after a port hop). */
  get socketCount(): number {
    return this.#socks.length;
  }

  /** Encodes, fragments and sends one instruction. Does nothing without a remote address. */
  sendInstruction(inst: Instruction): void {
    if (this.#closed || !this.#remote) return;
    const payload = encodeInstruction(inst);
    const frags = this.#fragmenter.fragment(payload, maxFragmentContents(this.#mtu));
    for (const f of frags) this.#sendDatagram(encodeFragment(f));
  }

  /** Closes every socket; nothing is sent or received afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.localEndpoint; // remember it for readers after close
    for (const s of this.#socks.splice(0)) s.close();
  }

  #now(): number {
    return Math.floor(this.#clock.now());
  }

  #sendDatagram(fragment: Uint8Array): void {
    if (!this.#remote) return;
    const now = this.#now();
    let reply = TIMESTAMP_NONE;
    if (now - this.#savedTimestampAt < TIMESTAMP_HOLD) {
      reply = (this.#savedTimestamp + (now - this.#savedTimestampAt)) & 0xffff;
      this.#savedTimestamp = -1;
      this.#savedTimestampAt = Number.NEGATIVE_INFINITY;
    }
    const packet: Packet = {
      direction: this.#direction,
      seq: this.#nextSeq++,
      timestamp: timestamp16(now),
      timestampReply: reply,
      payload: fragment,
    };
    this.#socks[this.#socks.length - 1].send(this.#codec.encode(packet), this.#remote);
    this.stats.datagramsSent++;

    if (this.#role === "server") {
      if (now - this.#lastHeard > SERVER_ASSOCIATION_TIMEOUT) {
        this.#remote = null;
        this.#handlers.detach();
      }
    } else {
      if (
        now - this.#lastPortChoice > PORT_HOP_INTERVAL &&
        now - this.#lastRoundTripSuccess > PORT_HOP_INTERVAL
      ) {
        this.#hopPort(now);
      }
      this.#pruneSockets(now);
    }
  }

  /** Client: moves to a new local port now (e.g. the network changed), as a port hop does after silence. */
  hopPort(): void {
    if (this.#role === "client" && !this.#closed) this.#hopPort(this.#now());
  }

  /** Opens a new socket (same family, ephemeral port); it takes over once it is bound. */
  #hopPort(now: number): void {
    if (this.#hopping) return;
    this.#hopping = true;
    this.#lastPortChoice = now;
    this.#network.open(this.#family, this.#bindAddress, 0).then(
      (sock) => {
        this.#hopping = false;
        if (this.#closed) {
          sock.close();
          return;
        }
        this.#adopt(sock);
        this.#lastPortChoice = this.#now();
        this.#pruneSockets(this.#lastPortChoice);
        this.#handlers.roam(sock.local);
      },
      (err: unknown) => {
        this.#hopping = false;
        this.stats.socketErrors++;
        this.#handlers.error(new TransportError("socket", "could not open a new port", err));
      },
    );
  }

  #pruneSockets(now: number): void {
    const socks = this.#socks;
    if (socks.length <= 1) return;
    if (now - this.#lastPortChoice > MAX_OLD_SOCKET_AGE) {
      for (const s of socks.splice(0, socks.length - 1)) s.close();
    }
    if (socks.length > MAX_PORTS_OPEN) {
      for (const s of socks.splice(0, socks.length - MAX_PORTS_OPEN)) s.close();
    }
  }

  #adopt(sock: DatagramSocket): void {
    sock.onMessage((data, from) => this.#receive(data, from));
    sock.onError((err) => this.#socketError(err));
    this.#socks.push(sock);
  }

  #socketError(err: Error): void {
    if (this.#closed) return;
    this.stats.socketErrors++;
    if ((err as { code?: unknown }).code === "EMSGSIZE") this.#mtu = MTU_FALLBACK;
    this.#handlers.error(new TransportError("socket", err.message, err));
  }

  #receive(data: Uint8Array, from: Endpoint): void {
    if (this.#closed) return;
    this.stats.datagramsReceived++;
    let p: Packet;
    try {
      p = this.#codec.decode(data);
    } catch (err) {
      if (err instanceof CryptoError) this.stats.integrityFailures++;
      else this.stats.illegalInput++;
      this.#handlers.error(asError(err));
      return;
    }
    const expected = this.#role === "server" ? TO_SERVER : TO_CLIENT;
    if (p.direction !== expected) {
      this.stats.illegalInput++;
      this.#handlers.error(
        new TransportError("illegal-input", "Illegal counterparty input (wrong direction)"),
      );
      return;
    }

    const now = this.#now();
    if (p.seq >= this.#expectedSeq) {
      this.#expectedSeq = p.seq + 1n;
      if (p.timestamp !== TIMESTAMP_NONE) {
        this.#savedTimestamp = p.timestamp;
        this.#savedTimestampAt = now;
      }
      if (p.timestampReply !== TIMESTAMP_NONE) {
        this.rtt.sample((timestamp16(now) - p.timestampReply + 65536) % 65536);
      }
      this.#lastHeard = now;
      if (this.#role === "server") {
        const r = this.#remote;
        if (!r || r.address !== from.address || r.port !== from.port) {
          this.#remote = { address: from.address, port: from.port };
          this.#handlers.roam(this.#remote);
        }
      }
    }
    if (this.#role === "client") this.#pruneSockets(now);

    let payload: Uint8Array | null;
    let inst: Instruction;
    try {
      payload = this.#assembly.add(decodeFragment(p.payload));
      if (!payload) return;
      inst = decodeInstruction(payload);
    } catch (err) {
      this.stats.illegalInput++;
      this.#handlers.error(asError(err));
      return;
    }
    try {
      this.#handlers.instruction(inst);
    } catch (err) {
      this.#handlers.error(asError(err));
    }
  }
}

/**
 * Binds a server's socket as mosh-server does: `bindAddress` first (then any interface, after
 * telling `onBindError`), each port of the inclusive range `[low, high]` in turn.
 * @throws the last bind error if no port could be bound.
 */
export async function bindServerSocket(
  network: DatagramNetwork,
  family: Family,
  bindAddress: string | undefined,
  [low, high]: readonly [number, number],
  onBindError?: (address: string, err: Error) => void,
): Promise<DatagramSocket> {
  let sock: DatagramSocket | null = null;
  let lastError: unknown = null;
  const addresses = bindAddress ? [bindAddress, undefined] : [undefined];
  for (const address of addresses) {
    for (let p = low; p <= high && !sock; p++) {
      try {
        sock = await network.open(family, address, p);
      } catch (err) {
        lastError = err;
      }
    }
    if (sock) break;
    if (address !== undefined) onBindError?.(address, asError(lastError));
  }
  if (!sock) throw asError(lastError);
  return sock;
}

function familyOf(address: string): Family {
  return address.includes(":") ? "IPv6" : "IPv4";
}

function portRange(port: ConnectionOptions["port"]): [number, number] {
  if (port === undefined) return [PORT_RANGE_LOW, PORT_RANGE_HIGH];
  const [low, high] = typeof port === "number" ? [port, port] : port;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 0 || high > 65535 || low > high) {
    throw new RangeError(`bad UDP port range ${low}:${high}`);
  }
  if (low === 0 && high !== 0) throw new RangeError("Low port 0 incompatible with port ranges");
  return [low, high];
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
