// The keystroke-echo warm-up: runs every slice on its own objects, yields between slices, and stops when cancelled.
import { describe, expect, it } from "vitest";
import { warmUpKeyPath } from "./key-path-warmup.js";

describe("warmUpKeyPath", () => {
  it("types all its keys in slices, letting other work run between them", async () => {
    const deferred: Array<() => void> = [];
    const w = warmUpKeyPath({
      cols: 80,
      rows: 24,
      keys: 100,
      perSlice: 10,
      defer: (fn) => deferred.push(fn),
    });
    let slices = 0;
    while (deferred.length > 0) {
      (deferred.shift() as () => void)();
      slices++;
    }
    await w.done;
    // One deferral to start, then one per slice of 10 keys until the 100th.
    expect(slices).toBe(10);
    expect(w.cpuMs).toBeGreaterThan(0);
  });

  it("stops after the current slice when cancelled", async () => {
    const deferred: Array<() => void> = [];
    const w = warmUpKeyPath({
      cols: 40,
      rows: 10,
      keys: 1000,
      perSlice: 5,
      defer: (fn) => deferred.push(fn),
    });
    (deferred.shift() as () => void)();
    w.cancel();
    (deferred.shift() as () => void)();
    await w.done;
    expect(deferred).toHaveLength(0);
  });
});
