// Tests that need something from the machine skip without it locally, but fail in CI (CI must run them all).
import type { TestContext } from "vitest";

/** Skips the test when `ok` is false, unless running in CI, where that is an error. */
export function requireOrSkip(ctx: TestContext, ok: boolean, what: string): void {
  if (ok) return;
  if (process.env.CI) throw new Error(`CI must run this test, but ${what} is missing`);
  ctx.skip(`${what} is missing`);
}
