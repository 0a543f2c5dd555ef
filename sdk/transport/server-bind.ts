// The server's socket search as mosh-server does it (the bind address, then any interface; each port of the range in turn), apart from Connection so that binding loads no crypto or wire module.
import type { DatagramNetwork, DatagramSocket, Family } from "./ports.js";

/** First port of the server's default search (PORT_RANGE_LOW). */
export const PORT_RANGE_LOW = 60001;
/** Last port of the server's default search (PORT_RANGE_HIGH). */
export const PORT_RANGE_HIGH = 60999;

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

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
