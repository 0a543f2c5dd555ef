// The server's UDP socket bound ahead of the session: mosh-server's bind rules, and datagrams held until the session takes them.
import { bindServerSocket } from "../transport/connection.js";
import type { DatagramNetwork, DatagramSocket, Endpoint, Family } from "../transport/ports.js";

/** Most datagrams held while the session is loading; later ones are dropped (the client resends). */
const MAX_HELD = 256;

/** Where and how to bind, as mosh-server does (docs/mosh-protocol.md §7.3, §7.4). */
export interface PreBindOptions {
  /** The network to bind on. */
  network: DatagramNetwork;
  /** Local address to try first, then any interface; undefined = any interface. */
  bindAddress?: string;
  /** Inclusive port range; the first free port wins. */
  port: readonly [number, number];
  /** Told when binding to `bindAddress` failed and any interface is tried instead. */
  onBindError?: (address: string, err: Error) => void;
}

/**
 * A UDP socket bound before the session modules are loaded, so that `MOSH CONNECT` can be printed
 * early. Datagrams that arrive before {@link PreboundSocket.release} are held, then delivered in
 * order to the handler the session installed.
 */
export interface PreboundSocket {
  /** The bound socket's local endpoint. */
  readonly local: Endpoint;
  /** A network whose first `open` returns the bound socket (later ones open fresh sockets). */
  readonly network: DatagramNetwork;
  /** Delivers the held datagrams to the session's handler and stops holding. */
  release(): void;
  /** Closes the socket (when the session could not start). */
  close(): void;
}

/**
 * Binds like the server side of `Connection.open` ({@link bindServerSocket}) and holds early datagrams.
 * @throws the last bind error if no port could be bound.
 */
export async function prebindServerSocket(opts: PreBindOptions): Promise<PreboundSocket> {
  const family: Family = opts.bindAddress?.includes(":") ? "IPv6" : "IPv4";
  const sock = await bindServerSocket(opts.network, family, opts.bindAddress, opts.port, opts.onBindError);
  return holdingSocket(sock, opts.network);
}

function holdingSocket(sock: DatagramSocket, base: DatagramNetwork): PreboundSocket {
  const held: Array<{ data: Uint8Array; from: Endpoint }> = [];
  let holding = true;
  let handler: ((data: Uint8Array, from: Endpoint) => void) | null = null;
  let taken = false;
  sock.onMessage((data, from) => {
    if (!holding) handler?.(data, from);
    else if (held.length < MAX_HELD) held.push({ data, from });
  });
  const wrapped: DatagramSocket = {
    local: sock.local,
    family: sock.family,
    send: (data, to) => sock.send(data, to),
    onMessage(h) {
      handler = h;
    },
    onError: (h) => sock.onError(h),
    close: () => sock.close(),
  };
  return {
    local: sock.local,
    network: {
      open(family, bindAddress, port) {
        if (taken) return base.open(family, bindAddress, port);
        taken = true;
        return Promise.resolve(wrapped);
      },
    },
    release() {
      if (!holding) return;
      holding = false;
      for (const d of held.splice(0)) handler?.(d.data, d.from);
    },
    close: () => sock.close(),
  };
}
