// The user stream over a simulated lossy network: every keystroke reaches the server exactly once, in order.
import { describe, expect, it } from "vitest";
import { FakeClock, SimNetwork } from "../../test/helpers/sim-network.js";
import { SessionKey } from "../crypto/session-key.js";
import { seededRandom } from "../linkem/seeded-random.js";
import { blankFrame } from "../terminal/frame.js";
import { Transport } from "../transport/transport.js";
import { HostView } from "./host-view.js";
import { UserStream } from "./user-stream.js";

async function run(seed: number, initiator: "client" | "server") {
  const clock = new FakeClock();
  const net = new SimNetwork(clock, {
    seed,
    defaults: { loss: 0.3, reorder: 0.3, duplicate: 0.3, delay: 20, jitter: 30 },
  });
  const key = SessionKey.generate();
  const hostState = new HostView(80, 24, blankFrame(80, 24));
  const server = await Transport.open<HostView, UserStream>({
    role: "server",
    key,
    clock,
    network: net,
    initialLocal: hostState,
    initialRemote: new UserStream(),
  });
  const input = new UserStream();
  const client = await Transport.open<UserStream, HostView>({
    role: "client",
    key,
    clock,
    network: net,
    initialLocal: input,
    initialRemote: new HostView(80, 24, blankFrame(80, 24)),
    remote: server.localEndpoint,
  });
  // The server acknowledges echo the way mosh-server does: echo ack = newest client state seen.
  server.on("remote-state", (num) => {
    if (num === 0xffffffffffffffffn) return;
    hostState.echoAck = num; // the transport stores clones, so mutating the live state is fine
    server.setCurrentState(hostState);
  });

  const rnd = seededRandom(seed * 7 + 1);
  const typed: number[] = [];
  input.pushResize(80, 24);
  client.setCurrentState(input);
  for (let i = 0; i < 300; i++) {
    const n = 1 + Math.floor(rnd() * 4);
    const chunk = Uint8Array.from({ length: n }, () => 32 + Math.floor(rnd() * 95));
    typed.push(...chunk);
    input.pushKeys(chunk);
    if (i % 97 === 0) input.pushResize(80 + i, 24);
    client.setCurrentState(input);
    clock.advance(Math.floor(rnd() * 40));
  }
  clock.advance(30_000); // the link is quiet now: let retransmissions converge

  const got: number[] = [];
  for (const ev of server.remoteState().eventsSince(0)) if (ev.kind === "keys") got.push(...ev.keys);
  const lastResize = server
    .remoteState()
    .eventsSince(0)
    .filter((e) => e.kind === "resize")
    .at(-1);

  const done = new Promise<string>((resolve) =>
    (initiator === "client" ? client : server).once("shutdown", resolve),
  );
  (initiator === "client" ? client : server).startShutdown();
  clock.advance(20_000);
  const outcome = await done;
  const peerAcked =
    initiator === "client" ? server.counterpartyShutdownAckSent : client.counterpartyShutdownAckSent;
  const echoAck = client.remoteState().echoAck;
  client.close();
  server.close();
  return { typed, got, lastResize, outcome, peerAcked, echoAck };
}

describe("keystrokes over a 30 % lossy, reordering, duplicating link", () => {
  for (const seed of [1, 2, 3]) {
    it(`arrive exactly once and in order (seed ${seed}); shutdown completes`, async () => {
      const r = await run(seed, seed % 2 ? "client" : "server");
      expect(Buffer.from(r.got).toString("latin1")).toBe(Buffer.from(r.typed).toString("latin1"));
      expect(r.lastResize).toEqual({ kind: "resize", cols: 80 + 291, rows: 24 });
      expect(r.outcome).toBe("acknowledged");
      expect(r.peerAcked).toBe(true);
      expect(r.echoAck).toBeGreaterThan(0n);
    });
  }
});
