import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PROGRESS_DELAY_MS, SlowProgress } from "./slow-progress.js";

describe("SlowProgress", () => {
  let lines: string[];
  beforeEach(() => {
    vi.useFakeTimers();
    lines = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a bootstrap faster than the delay shows nothing", () => {
    const p = new SlowProgress((l) => lines.push(l), { enabled: true });
    p.start();
    p.step("connecting");
    vi.advanceTimersByTime(100);
    p.step("authenticating");
    vi.advanceTimersByTime(PROGRESS_DELAY_MS - 101);
    p.step("listening");
    p.stop();
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual([]);
  });

  it("once slow: the step in progress, then each later one as it comes", () => {
    const p = new SlowProgress((l) => lines.push(l), { enabled: true });
    p.start();
    p.step("connecting");
    p.step("authenticating");
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(PROGRESS_DELAY_MS);
    expect(lines).toEqual(["authenticating"]);
    p.step("starting");
    expect(lines).toEqual(["authenticating", "starting"]);
    p.stop();
    p.step("late");
    expect(lines).toEqual(["authenticating", "starting"]);
  });

  it("is silent while a question is asked, and the clock starts again after it", () => {
    const p = new SlowProgress((l) => lines.push(l), { enabled: true });
    p.start();
    p.step("connecting");
    vi.advanceTimersByTime(100);
    p.pause();
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual([]);
    p.resume();
    p.step("authenticating");
    vi.advanceTimersByTime(PROGRESS_DELAY_MS - 1);
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(lines).toEqual(["authenticating"]);
  });

  it("disabled (-q, or stderr is no terminal): nothing, however slow", () => {
    const p = new SlowProgress((l) => lines.push(l), { enabled: false });
    p.start();
    p.step("connecting");
    vi.advanceTimersByTime(60_000);
    p.step("authenticating");
    expect(lines).toEqual([]);
  });
});
