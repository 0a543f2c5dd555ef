// A userspace UDP relay that puts a bad link (delay, jitter, loss, reordering, duplication, outages) between a client and a server.
import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import type { Endpoint } from "../transport/ports.js";
import { LinkDirection, type LinkDirectionProfile, type LinkDirectionStats } from "./link-direction.js";

export type { DatagramFate, LinkDirectionProfile, LinkDirectionStats } from "./link-direction.js";
export { LinkDirection, mulberry32 } from "./link-direction.js";

/** Options of {@link LinkEmulator.start}. */
export interface LinkEmulatorOptions {
  /** Address the client sends to (default "127.0.0.1"; "::1" for IPv6). */
  listenHost?: string;
  /** Port the client sends to (default 0: an ephemeral port, read it from `emulator.port`). */
  listenPort?: number;
  /** The server, as a numeric address and port. Only datagrams from exactly this endpoint are relayed back. */
  target: Endpoint;
  /** Address the upstream socket binds to (default the loopback address of the target's family). */
  upstreamHost?: string;
  /** How the client-to-server direction behaves (default a perfect link). */
  toServer?: LinkDirectionProfile;
  /** How the server-to-client direction behaves (default a perfect link). */
  toClient?: LinkDirectionProfile;
  /** Seed of the PRNGs (default 1); each direction has its own generator derived from it. */
  seed?: number;
  /**
   * Called with every datagram the emulator receives, before the link decides its fate (`toServer`: from the
   * client; `toClient`: from the target). Lets a test record real datagrams or time a roam. Must not keep `msg`
   * beyond the call without copying it.
   */
  tap?: (dir: "toServer" | "toClient", msg: Buffer) => void;
}

/** Which direction(s) a profile change applies to. */
export type LinkDirectionName = "toServer" | "toClient" | "both";

/** Counters of both directions. */
export interface LinkEmulatorStats {
  /** Client to server. */
  toServer: LinkDirectionStats;
  /** Server to client. */
  toClient: LinkDirectionStats;
}

type SocketType = "udp4" | "udp6";

function socketTypeOf(address: string): SocketType {
  return isIPv6(address) ? "udp6" : "udp4";
}

function bindSocket(type: SocketType, host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket({ type, ipv6Only: type === "udp6" });
    const onError = (err: Error): void => {
      sock.removeListener("listening", onListening);
      try {
        sock.close();
      } catch {
        // already closed
      }
      reject(err);
    };
    const onListening = (): void => {
      sock.removeListener("error", onError);
      resolve(sock);
    };
    sock.once("error", onError);
    sock.once("listening", onListening);
    sock.bind(port, host);
  });
}

function closeSocket(sock: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * A UDP relay on loopback. The client sends to `host:port`; the emulator forwards to the target from one
 * upstream socket, and relays the target's replies to the client's newest source endpoint, so it follows a
 * roaming client. `rebindUpstream()` moves the upstream socket to a new port, so the server sees the client
 * roam. Delays are real timers; every random choice comes from a seeded PRNG. Socket errors are counted,
 * never thrown.
 */
export class LinkEmulator {
  /** Address the client should send to. */
  readonly host: string;
  /** Address and port of the server. */
  readonly target: Endpoint;
  private readonly dirs: { toServer: LinkDirection; toClient: LinkDirection };
  private readonly listenSock: dgram.Socket;
  private upstreamSock: dgram.Socket;
  private upstreamHost: string;
  private readonly tap: LinkEmulatorOptions["tap"];
  private client: Endpoint | null = null;
  private clientMoves = 0;
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;
  private errorCount = 0;
  private lastErr: Error | null = null;
  private readonly onSent = (err: Error | null): void => {
    if (err) this.noteError(err);
  };
  private readonly onError = (err: Error): void => this.noteError(err);
  private readonly onUpstreamMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void =>
    this.fromServer(msg, rinfo);

  private constructor(
    opts: LinkEmulatorOptions,
    host: string,
    upstreamHost: string,
    listenSock: dgram.Socket,
    upstreamSock: dgram.Socket,
  ) {
    const seed = opts.seed ?? 1;
    this.host = host;
    this.target = { address: opts.target.address, port: opts.target.port };
    this.upstreamHost = upstreamHost;
    this.tap = opts.tap;
    this.dirs = {
      toServer: new LinkDirection(seed, opts.toServer),
      toClient: new LinkDirection((seed ^ 0x9e3779b9) >>> 0, opts.toClient),
    };
    this.listenSock = listenSock;
    this.upstreamSock = upstreamSock;
    listenSock.on("error", this.onError);
    listenSock.on("message", (msg, rinfo) => this.fromClient(msg, rinfo));
    upstreamSock.on("error", this.onError);
    upstreamSock.on("message", this.onUpstreamMessage);
  }

  /** Binds both sockets and starts relaying. */
  static async start(opts: LinkEmulatorOptions): Promise<LinkEmulator> {
    const host = opts.listenHost ?? "127.0.0.1";
    const upstreamHost = opts.upstreamHost ?? (isIPv6(opts.target.address) ? "::1" : "127.0.0.1");
    const listenSock = await bindSocket(socketTypeOf(host), host, opts.listenPort ?? 0);
    let upstreamSock: dgram.Socket;
    try {
      upstreamSock = await bindSocket(socketTypeOf(upstreamHost), upstreamHost, 0);
    } catch (err) {
      await closeSocket(listenSock);
      throw err;
    }
    return new LinkEmulator(opts, host, upstreamHost, listenSock, upstreamSock);
  }

  /** Port the client should send to. */
  get port(): number {
    return this.listenSock.address().port;
  }

  /** Source port the server sees for the client's datagrams (changes with `rebindUpstream`). */
  get upstreamPort(): number {
    return this.upstreamSock.address().port;
  }

  /** Source address the server sees for the client's datagrams (changes with `rebindUpstream(host)`). */
  get upstreamAddress(): string {
    return this.upstreamHost;
  }

  /** The client endpoint replies currently go to (the newest source seen), or null before the first datagram. */
  get clientEndpoint(): Endpoint | null {
    return this.client;
  }

  /** How many times the client's source endpoint changed after the first datagram. */
  get clientRoams(): number {
    return Math.max(0, this.clientMoves - 1);
  }

  /** Socket errors seen so far (they are absorbed, never thrown) and the latest one. */
  get socketErrors(): { count: number; last: Error | null } {
    return { count: this.errorCount, last: this.lastErr };
  }

  /** Replaces the profile of one or both directions at run time (e.g. `{ down: true }` to cut the link, `{}` to restore it). */
  setProfile(dir: LinkDirectionName, profile: LinkDirectionProfile): void {
    if (dir !== "toClient") this.dirs.toServer.setProfile(profile);
    if (dir !== "toServer") this.dirs.toClient.setProfile(profile);
  }

  /** A snapshot of both directions' counters. */
  stats(): LinkEmulatorStats {
    return { toServer: this.dirs.toServer.snapshot(), toClient: this.dirs.toClient.snapshot() };
  }

  /** Number of datagram copies waiting on a delay timer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Moves the upstream socket to a new ephemeral port, on `host` if given (another loopback address such as
   * 127.0.0.2, of the same family): the server then sees the client roam. Datagrams still in flight toward the
   * server leave from the new socket; replies to the old port are lost, as on a real move.
   */
  async rebindUpstream(host: string = this.upstreamHost): Promise<void> {
    if (this.stopped) return;
    if (socketTypeOf(host) !== socketTypeOf(this.upstreamHost)) {
      throw new Error(`rebindUpstream: ${host} is not of the upstream socket's address family`);
    }
    const fresh = await bindSocket(socketTypeOf(host), host, 0);
    if (this.stopped) {
      await closeSocket(fresh);
      return;
    }
    this.upstreamHost = host;
    fresh.on("error", this.onError);
    fresh.on("message", this.onUpstreamMessage);
    const old = this.upstreamSock;
    this.upstreamSock = fresh;
    old.removeListener("message", this.onUpstreamMessage);
    await closeSocket(old);
  }

  /**
   * Sends `msg` to the server now, from the upstream socket (so it comes from the client's address as the server
   * sees it), past the link's profile and counters: for injecting hostile datagrams.
   */
  injectToServer(msg: Uint8Array): void {
    if (this.stopped) return;
    this.sendRaw(this.upstreamSock, msg, this.target);
  }

  /**
   * Sends `msg` to the client's newest endpoint now, from the listen socket (so it comes from the server's
   * address as the client sees it), past the link's profile and counters. Does nothing before the client spoke.
   */
  injectToClient(msg: Uint8Array): void {
    if (this.stopped || this.client === null) return;
    this.sendRaw(this.listenSock, msg, this.client);
  }

  /** Stops relaying: cancels datagrams in flight and closes both sockets. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    await Promise.all([closeSocket(this.listenSock), closeSocket(this.upstreamSock)]);
  }

  private fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.stopped) return;
    this.tap?.("toServer", msg);
    const c = this.client;
    if (c === null || c.port !== rinfo.port || c.address !== rinfo.address) {
      this.client = { address: rinfo.address, port: rinfo.port };
      this.clientMoves++;
    }
    const dir = this.dirs.toServer;
    const fate = dir.decide(msg.length);
    if (fate.copies === 0) return;
    const d1 = fate.delay1;
    this.forward(dir, msg, fate.delay0, null);
    if (fate.copies === 2) this.forward(dir, msg, d1, null);
  }

  private fromServer(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.stopped) return;
    if (rinfo.port !== this.target.port || rinfo.address !== this.target.address) return;
    this.tap?.("toClient", msg);
    const dir = this.dirs.toClient;
    const fate = dir.decide(msg.length);
    if (fate.copies === 0) return;
    const to = this.client;
    if (to === null) {
      dir.countDropped(fate.copies);
      return;
    }
    const d1 = fate.delay1;
    this.forward(dir, msg, fate.delay0, to);
    if (fate.copies === 2) this.forward(dir, msg, d1, to);
  }

  /** Sends one copy now or after `delayMs`; `to` null means the server, through the upstream socket in use then. */
  private forward(dir: LinkDirection, msg: Buffer, delayMs: number, to: Endpoint | null): void {
    if (delayMs <= 0) {
      this.deliver(dir, msg, to);
      return;
    }
    const t = setTimeout(() => {
      this.pending.delete(t);
      if (!this.stopped) this.deliver(dir, msg, to);
    }, delayMs);
    this.pending.add(t);
  }

  private deliver(dir: LinkDirection, msg: Buffer, to: Endpoint | null): void {
    if (dir.dropAtDelivery()) return;
    dir.countDelivered();
    if (to === null) this.sendRaw(this.upstreamSock, msg, this.target);
    else this.sendRaw(this.listenSock, msg, to);
  }

  private sendRaw(sock: dgram.Socket, msg: Uint8Array, ep: Endpoint): void {
    try {
      sock.send(msg, ep.port, ep.address, this.onSent);
    } catch (err) {
      this.noteError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private noteError(err: Error): void {
    this.errorCount++;
    this.lastErr = err;
  }
}
