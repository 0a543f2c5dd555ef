// Real-UDP smoke test: two Transports over node:dgram on 127.0.0.1 and ::1 (loopback only).
import { afterEach, describe, expect, it } from "vitest";
import { SessionKey } from "../crypto/session-key.js";
import { ListState } from "./list-state.fixture.js";
import { systemClock } from "./ports.js";
import { type ShutdownOutcome, Transport } from "./transport.js";
import { udpNetwork } from "./udp.js";

type LT = Transport<ListState, ListState>;
const open: LT[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

/** Resolves when `pred()` holds after some event, or rejects after `ms`. */
function until(t: LT, event: "remote-state" | "shutdown", pred: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const timer = setTimeout(() => {
      t.off(event, check);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const check = () => {
      if (!pred()) return;
      clearTimeout(timer);
      t.off(event, check);
      resolve();
    };
    t.on(event, check);
  });
}

for (const [family, address] of [
  ["IPv4", "127.0.0.1"],
  ["IPv6", "::1"],
] as const) {
  describe(`Transport over real UDP (${family})`, () => {
    it("synchronises both ways and shuts down cleanly", async () => {
      const key = SessionKey.generate();
      const serverState = new ListState();
      const clientState = new ListState();
      const server: LT = await Transport.open<ListState, ListState>({
        role: "server",
        key,
        clock: systemClock,
        network: udpNetwork,
        bindAddress: address,
        port: 0,
        initialLocal: serverState,
        initialRemote: new ListState(),
      });
      open.push(server);
      expect(server.localEndpoint.address).toBe(address);
      expect(server.localEndpoint.port).toBeGreaterThan(0);
      const client: LT = await Transport.open<ListState, ListState>({
        role: "client",
        key,
        clock: systemClock,
        network: udpNetwork,
        bindAddress: address,
        remote: server.localEndpoint,
        initialLocal: clientState,
        initialRemote: new ListState(),
      });
      open.push(client);
      const errors: Error[] = [];
      server.on("error", (e) => errors.push(e));
      client.on("error", (e) => errors.push(e));

      clientState.push(1, 2, 3);
      client.setCurrentState(clientState);
      await until(server, "remote-state", () => server.remoteState().items.length === 3);
      expect(server.remoteState().items).toEqual([1, 2, 3]);
      expect(server.remoteEndpoint).toEqual(client.localEndpoint);

      for (let k = 0; k < 2000; k++) serverState.push(k * 2654435761);
      server.setCurrentState(serverState);
      await until(client, "remote-state", () => client.remoteState().items.length === 2000);
      expect(client.remoteState().items).toEqual(serverState.items);

      const outcomes: ShutdownOutcome[] = [];
      const peerDone = until(server, "shutdown", () => server.counterpartyShutdownAckSent);
      const done = until(client, "shutdown", () => client.shutdownAcknowledged || client.shutdownAckTimedOut);
      client.on("shutdown", (o) => outcomes.push(o));
      client.startShutdown();
      await Promise.all([done, peerDone]);
      expect(outcomes).toEqual(["acknowledged"]);
      expect(errors).toEqual([]);
    });
  });
}
