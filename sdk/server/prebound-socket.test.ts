// The server socket bound ahead of the session: mosh-server's bind order, and datagrams held until released.
import { describe, expect, it } from "vitest";
import { FakeClock, SimNetwork } from "../../test/helpers/sim-network.js";
import type { Endpoint } from "../transport/ports.js";
import { prebindServerSocket } from "./prebound-socket.js";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("prebindServerSocket", () => {
  it("takes the first free port of the range, then falls back from a bad address to any interface", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock, { localAddresses: ["127.0.0.1"] });
    const busy = await net.open("IPv4", "127.0.0.1", 60001);
    const first = await prebindServerSocket({ network: net, bindAddress: "127.0.0.1", port: [60001, 60003] });
    expect(first.local).toEqual({ address: "127.0.0.1", port: 60002 });
    const errors: string[] = [];
    const fallback = await prebindServerSocket({
      network: net,
      bindAddress: "10.9.9.9",
      port: [60005, 60005],
      onBindError: (address, err) => errors.push(`${address} ${(err as { code?: string }).code}`),
    });
    expect(errors).toEqual(["10.9.9.9 EADDRNOTAVAIL"]);
    expect(fallback.local.port).toBe(60005);
    await expect(
      prebindServerSocket({ network: net, bindAddress: "127.0.0.1", port: [60001, 60002] }),
    ).rejects.toThrow(/in use/);
    for (const s of [busy, first, fallback]) s.close();
  });

  it("holds datagrams until released, then delivers them in order; the first open returns the bound socket", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock);
    const pre = await prebindServerSocket({ network: net, bindAddress: "127.0.0.1", port: [60001, 60001] });
    const peer = await net.open("IPv4", "127.0.0.1", 50000);
    peer.send(bytes("one"), pre.local);
    peer.send(bytes("two"), pre.local);
    clock.advance(10);
    const sock = await pre.network.open("IPv4", "127.0.0.1", 60001);
    expect(sock.local).toEqual(pre.local);
    const got: Array<[string, Endpoint]> = [];
    sock.onMessage((d, from) => got.push([text(d), from]));
    clock.advance(10);
    expect(got).toEqual([]);
    pre.release();
    expect(got.map(([t]) => t)).toEqual(["one", "two"]);
    expect(got[0][1]).toEqual({ address: "127.0.0.1", port: 50000 });
    peer.send(bytes("three"), pre.local);
    clock.advance(10);
    expect(got.map(([t]) => t)).toEqual(["one", "two", "three"]);
    // A second open is a fresh socket (a server does not open more; a client would).
    const other = await pre.network.open("IPv4", "127.0.0.1", 0);
    expect(other.local.port).not.toBe(pre.local.port);
    for (const s of [other, sock, peer]) s.close();
  });
});
