// Tests the seeded fate of datagrams in one direction of the emulated link.
import { describe, expect, it } from "vitest";
import { LinkDirection, mulberry32 } from "./link-direction.js";

function fates(seed: number, n: number, profile: ConstructorParameters<typeof LinkDirection>[1]): string[] {
  const dir = new LinkDirection(seed, profile);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = dir.decide(100);
    out.push(`${f.copies}:${f.delay0.toFixed(3)}:${f.delay1.toFixed(3)}`);
  }
  return out;
}

describe("mulberry32", () => {
  it("is reproducible per seed and stays in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe("LinkDirection", () => {
  it("a perfect link delivers every datagram once, at once", () => {
    const dir = new LinkDirection(1);
    for (let i = 0; i < 100; i++) {
      const f = dir.decide(10);
      expect(f).toEqual({ copies: 1, delay0: 0, delay1: 0 });
    }
    expect(dir.snapshot()).toEqual({ datagrams: 100, bytes: 1000, dropped: 0, duplicated: 0, delivered: 0 });
  });

  it("gives the same fates for the same seed and profile, different ones for another seed", () => {
    const profile = { loss: 0.2, duplicate: 0.1, jitterMs: 10, delayMs: 5, reorder: 0.1 };
    expect(fates(7, 500, profile)).toEqual(fates(7, 500, profile));
    expect(fates(8, 500, profile)).not.toEqual(fates(7, 500, profile));
  });

  it("loss, duplication and reordering occur at about their rates", () => {
    const dir = new LinkDirection(123, { loss: 0.3, duplicate: 0.2, reorder: 0.25, reorderDelayMs: 100 });
    let reordered = 0;
    for (let i = 0; i < 2000; i++) {
      const f = dir.decide(1);
      if (f.copies > 0 && f.delay0 === 100) reordered++;
    }
    const s = dir.snapshot();
    expect(s.dropped).toBeGreaterThan(450);
    expect(s.dropped).toBeLessThan(750);
    // duplication is only drawn for datagrams that survive loss: ~0.2 * 0.7 * 2000 = 280
    expect(s.duplicated).toBeGreaterThan(180);
    expect(s.duplicated).toBeLessThan(380);
    expect(reordered).toBeGreaterThan(250);
    expect(reordered).toBeLessThan(450);
  });

  it("delay is delayMs plus jitter in [0, jitterMs)", () => {
    const dir = new LinkDirection(5, { delayMs: 40, jitterMs: 10 });
    const delays: number[] = [];
    for (let i = 0; i < 500; i++) delays.push(dir.decide(1).delay0);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...delays)).toBeLessThan(50);
    expect(new Set(delays).size).toBeGreaterThan(400);
  });

  it("loss=1 and down drop everything; setProfile restores", () => {
    const dir = new LinkDirection(9, { loss: 1 });
    for (let i = 0; i < 10; i++) expect(dir.decide(1).copies).toBe(0);
    dir.setProfile({ down: true, duplicate: 1 });
    for (let i = 0; i < 10; i++) expect(dir.decide(1).copies).toBe(0);
    expect(dir.dropAtDelivery()).toBe(true);
    dir.setProfile({ duplicate: 1 });
    expect(dir.decide(1).copies).toBe(2);
    expect(dir.dropAtDelivery()).toBe(false);
    expect(dir.snapshot()).toMatchObject({ datagrams: 21, dropped: 21, duplicated: 1 });
  });
});
