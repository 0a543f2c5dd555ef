// Issue 13, case 6: bad command lines and environments get mosh's texts and exit statuses (or a clear one-line error where mosh hangs), never a stack trace or a hang.
import { afterEach, describe, expect, it } from "vitest";
import { cleanupAll } from "../bench/harness.js";
import { CLI_CASES, type CliProgram, judge, normalized, runCliCase } from "../bench/robust/cli-cases.js";

afterEach(cleanupAll);

// Cases that need mosh-client's 15 s connect timeout run in `npm run bench:robust` only, as do known differences.
const quick = CLI_CASES.filter((c) => !c.slow && !c.knownDifference);

const NAMES: Record<CliProgram, string> = {
  client: "mosh-ts-client against mosh-client",
  server: "mosh-ts-server against mosh-server",
  wrapper: "mosh-ts against mosh",
};

for (const program of ["client", "server", "wrapper"] as const) {
  describe(NAMES[program], () => {
    for (const c of quick.filter((x) => x.program === program)) {
      it(`${c.what}: ${c.compare}`, async () => {
        const mosh = await runCliCase("mosh", c);
        const ours = await runCliCase("mosh-ts", c);
        const j = judge(c, ours, mosh);
        if (!j.ok) {
          expect({ status: ours.status, output: normalized(ours.output) }).toEqual({
            status: mosh.status,
            output: normalized(mosh.output),
          });
        }
        expect(j.verdict).not.toMatch(/differs|NOT/);
        expect(j.ok).toBe(true);
      });
    }
  });
}

describe("mosh-ts-client where mosh-client waits 15 s for nothing", () => {
  for (const c of CLI_CASES.filter((x) => x.compare === "ours-better" && x.program === "client")) {
    it(`${c.what}: a usage error at once`, async () => {
      const ours = await runCliCase("mosh-ts", c);
      expect(ours.hung).toBe(false);
      expect(ours.status).toBe(1);
      expect(ours.output).toMatch(/^mosh-ts-client: Bad UDP port \(\d+\)\n\nmosh-ts-client \(mosh-ts /);
    });
  }
});
