// Issue 13, case 1 (short): 10^4 hostile datagrams at mosh-ts-server and at mosh-ts-client in a live session; `npm run bench:robust` runs 10^6 beside mosh.
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAll } from "../bench/harness.js";
import { hostileCase } from "../bench/robust/cases.js";
import { MOSH_TS } from "../bench/robust/rig.js";

afterEach(cleanupAll);

describe("mosh-ts under hostile datagrams (random, bit-flipped, truncated, replayed; half from the peer's address)", () => {
  for (const target of ["server", "client"] as const) {
    it(`the ${target} stays up, the session still echoes, and nothing reaches the shell or the screen`, async () => {
      const r = await hostileCase(MOSH_TS, target, 10_000, { deadlineMs: 60_000 });
      expect(r.sent).toBe(10_000);
      expect(Object.values(r.byKind).reduce((a, b) => a + b, 0)).toBe(10_000);
      expect(r.byKind.replay).toBeGreaterThan(1000);
      expect(r.alive).toBe(true);
      expect(r.echoes).toBe(true);
      expect(r.screenAfter).toMatch(/^after-42$/m);
      expect(r.screenIntact).toBe(true);
    });
  }

  // Debian's mosh-server and mosh-client abort on the first few of these (a fatal assertion in
  // transportfragment.cc); only a holder of the key can send them.
  for (const target of ["server", "client"] as const) {
    it(`the ${target} survives datagrams sealed with the session key that carry garbage inside`, async () => {
      const r = await hostileCase(MOSH_TS, target, 1000, { kinds: ["sealed-garbage"], deadlineMs: 60_000 });
      expect(r.byKind["sealed-garbage"]).toBe(1000);
      expect(r.alive).toBe(true);
      expect(r.echoes).toBe(true);
      expect(r.screenIntact).toBe(true);
    });
  }
});
