// Tests of FakeClock and SimNetwork themselves: timer order, seeded conditions, NAT translation.
import { describe, expect, it } from "vitest";
import type { Endpoint } from "../../sdk/transport/ports.js";
import { FakeClock, SimNetwork } from "./sim-network.js";

describe("FakeClock", () => {
  it("runs due timers in time order, ties in setting order, including timers set while advancing", () => {
    const c = new FakeClock(0);
    const order: string[] = [];
    c.setTimer(10, () => order.push("a10"));
    c.setTimer(5, () => {
      order.push("b5");
      c.setTimer(2, () => order.push("d7"));
    });
    c.setTimer(10, () => order.push("c10"));
    const cancel = c.setTimer(8, () => order.push("never"));
    cancel();
    c.advance(9);
    expect(order).toEqual(["b5", "d7"]);
    expect(c.now()).toBe(9);
    c.advance(1);
    expect(order).toEqual(["b5", "d7", "a10", "c10"]);
    expect(c.pendingTimers).toBe(0);
  });

  it("advanceAsync lets promises settle between timers", async () => {
    const c = new FakeClock(0);
    const seen: number[] = [];
    c.setTimer(5, () => {
      void Promise.resolve().then(() => c.setTimer(1, () => seen.push(c.now())));
    });
    await c.advanceAsync(20);
    expect(seen).toEqual([6]);
  });
});

describe("SimNetwork", () => {
  async function pairOn(net: SimNetwork) {
    const a = await net.open("IPv4");
    const b = await net.open("IPv4");
    const got: Array<{ data: number; from: Endpoint }> = [];
    b.onMessage((d, from) => got.push({ data: d[0], from }));
    return { a, b, got };
  }

  it("delivers after the delay, and the same seed gives the same losses", async () => {
    const run = async (seed: number) => {
      const clock = new FakeClock();
      const net = new SimNetwork(clock, { seed, defaults: { loss: 0.5, delay: 10 } });
      const { a, b, got } = await pairOn(net);
      for (let k = 0; k < 100; k++) a.send(Uint8Array.of(k), b.local);
      clock.advance(9);
      expect(got).toHaveLength(0);
      clock.advance(1);
      return got.map((g) => g.data);
    };
    const x = await run(7);
    expect(x.length).toBeGreaterThan(20);
    expect(x.length).toBeLessThan(80);
    expect(await run(7)).toEqual(x);
    expect(await run(8)).not.toEqual(x);
  });

  it("duplicates and reorders when asked, and counts it", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock, { defaults: { duplicate: 0.5, reorder: 0.3, delay: 5 } });
    const { a, b, got } = await pairOn(net);
    for (let k = 0; k < 50; k++) a.send(Uint8Array.of(k), b.local);
    clock.advance(100);
    expect(got.length).toBe(50 + net.counters.duplicated);
    expect(net.counters.duplicated).toBeGreaterThan(0);
    const order = got.map((g) => g.data);
    expect(order).not.toEqual([...order].sort((p, q) => p - q));
  });

  it("applies rules per direction (later rules win)", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock);
    const { a, b, got } = await pairOn(net);
    const back: number[] = [];
    a.onMessage((d) => back.push(d[0]));
    net.setConditions({ loss: 1 }, { toPort: b.local.port });
    a.send(Uint8Array.of(1), b.local);
    b.send(Uint8Array.of(2), a.local);
    clock.advance(5);
    expect(got).toHaveLength(0);
    expect(back).toEqual([2]);
    net.setConditions({ loss: 0 }, { toPort: b.local.port });
    a.send(Uint8Array.of(3), b.local);
    clock.advance(5);
    expect(got.map((g) => g.data)).toEqual([3]);
  });

  it("translates a socket's apparent endpoint both ways, and drops replies to the old one", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock);
    const { a, b, got } = await pairOn(net);
    const back: number[] = [];
    a.onMessage((d) => back.push(d[0]));
    const apparent = { address: "127.0.0.5", port: 1234 };
    net.translate(a.local, apparent);
    a.send(Uint8Array.of(1), b.local);
    clock.advance(5);
    expect(got[0].from).toEqual(apparent);
    b.send(Uint8Array.of(2), apparent);
    b.send(Uint8Array.of(3), a.local);
    clock.advance(5);
    expect(back).toEqual([2]);
    expect(net.counters.undeliverable).toBe(1);
  });

  it("fails oversize sends with EMSGSIZE and refuses a port in use", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock, { defaults: { maxDatagram: 10 } });
    const { a, b } = await pairOn(net);
    const errs: string[] = [];
    a.onError((e) => errs.push((e as Error & { code: string }).code));
    a.send(new Uint8Array(11), b.local);
    expect(errs).toEqual(["EMSGSIZE"]);
    await expect(net.open("IPv4", b.local.address, b.local.port)).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    b.close();
    await expect(net.open("IPv4", b.local.address, b.local.port)).resolves.toBeDefined();
  });
});
