// node:dgram for the server's start-up snapshot: Node does not vouch for dgram in snapshots, so it loads on first use.
import type * as Dgram from "node:dgram";

let dgram: typeof Dgram | null = null;

/** node:dgram's `createSocket`, loading node:dgram on the first call. */
export const createSocket = ((...args: Parameters<typeof Dgram.createSocket>): Dgram.Socket => {
  dgram ??= process.getBuiltinModule("node:dgram");
  return dgram.createSocket(...args);
}) as typeof Dgram.createSocket;
