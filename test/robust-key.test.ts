// Issue 13, case 5: the session key is in no process's argv or environment, no log, no message; the session writes no unsafe files.
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAll } from "../bench/harness.js";
import { keyCase, wrapperKeyCase } from "../bench/robust/cases.js";
import { MOSH_TS } from "../bench/robust/rig.js";

afterEach(cleanupAll);

describe("the session key", () => {
  it("mosh-ts-client (key in MOSH_KEY) with mosh-ts-server -v: in no argv or environment, log, message or file", async () => {
    const r = await keyCase(MOSH_TS);
    expect(r.argv).toEqual([]);
    // mosh-client leaves MOSH_KEY in its /proc/PID/environ; mosh-ts-client zeroes it there.
    expect(r.environ).toEqual([]);
    expect(r.inServerLog).toBe(false);
    expect(r.inClientMessages).toBe(false);
    expect(r.unsafeFiles).toEqual([]);
  });

  it("mosh-ts --local: the key reaches no other process", async () => {
    const r = await wrapperKeyCase("mosh-ts");
    expect(r.started).toBe(true);
    expect(r.argv).toEqual([]);
    expect(r.environ).toEqual([]);
    expect(r.onScreen).toBe(false);
  });
});
