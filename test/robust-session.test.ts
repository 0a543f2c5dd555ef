// Issue 13, cases 2-4 (short): 50 % round-trip loss, three roams, SIGSTOP of client and server, with mosh-ts-server and mosh-ts-client; `npm run bench:robust` runs them at full length beside mosh.
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAll } from "../bench/harness.js";
import { keySequence, lossCase, roamCase, sleepCase } from "../bench/robust/cases.js";
import { MOSH_TS } from "../bench/robust/rig.js";

afterEach(cleanupAll);

describe("mosh-ts-server with mosh-ts-client in tmux, on bad links and sleeping processes", () => {
  it("200 keys typed over 50 % round-trip loss with reordering and duplication arrive exactly once, in order", async () => {
    const r = await lossCase(MOSH_TS, { keys: 200, seed: 3 });
    expect(r.typed).toBe(keySequence(200));
    expect(r.received).toBe(r.typed);
    expect(r.exactlyOnceInOrder).toBe(true);
    expect(Number.isFinite(r.screenConvergeMs)).toBe(true);
    // the link really was that bad
    expect(r.link.dropped).toBeGreaterThan(r.link.datagrams * 0.2);
    expect(r.link.duplicated).toBeGreaterThan(0);
  });

  it("the server follows the client to a new port, then to 127.0.0.2 and 127.0.0.3", async () => {
    const steps = await roamCase(MOSH_TS);
    expect(steps.map((s) => s.from.split(":")[0])).toEqual(["127.0.0.1", "127.0.0.2", "127.0.0.3"]);
    expect(new Set(steps.map((s) => s.from)).size).toBe(3);
    for (const s of steps) {
      expect(s.followed).toBe(true);
      expect(Number.isFinite(s.screenMs)).toBe(true);
    }
  });

  it("after SIGSTOP of the client, then of the server, the session resumes and nothing typed meanwhile is lost", async () => {
    const r = await sleepCase(MOSH_TS, { clientStopMs: 2000, serverStopMs: 2000 });
    expect(r.log).toBe("c-5\ns-7\n");
    expect(r.nothingLost).toBe(true);
    expect(r.echoes).toBe(true);
  });
});
