// The session process's V8 flags: one list for the TypeScript side and the build scripts, flags this Node accepts.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "./server-node-flags.js";

describe("SERVER_NODE_FLAGS", () => {
  it("is the list the sh preamble uses", async () => {
    const url = pathToFileURL(join(__dirname, "..", "..", "build", "server-node-flags.mjs")).href;
    const scripts = (await import(url)) as { SERVER_NODE_FLAGS: string[] };
    expect(scripts.SERVER_NODE_FLAGS).toEqual([...SERVER_NODE_FLAGS]);
  });

  it("are accepted by this Node, whose young generation then stays at two 1 MiB semi-spaces under allocation", () => {
    const probe = [
      "const v8 = require('node:v8');",
      "const a = []; for (let i = 0; i < 200000; i++) a.push({ i, s: 'x' + i });",
      "const after = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');",
      "process.stdout.write(JSON.stringify({ after: after.space_size }));",
    ].join("\n");
    const plain = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8" });
    const flagged = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, "-e", probe], { encoding: "utf8" });
    expect(flagged.stderr).toBe("");
    const p = JSON.parse(plain.stdout) as { after: number };
    const f = JSON.parse(flagged.stdout) as { after: number };
    expect(f.after).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(p.after).toBeGreaterThan(f.after);
  });
});
