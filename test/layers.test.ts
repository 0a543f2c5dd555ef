// The layer rule (build/check-layers.mjs, run by `npm run lint`): the tree keeps it, and each kind of wrong import is caught.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALLOWED, checkLayers, readTree, SDK_STACK, unitOf } from "../build/check-layers.mjs";

const root = join(import.meta.dirname, "..");
const tree = readTree(root);

/** The real tree with `file` added (or replaced) holding `source`. */
function withFile(file: string, source: string): Map<string, string> {
  return new Map([...tree, [file, source]]);
}

describe("layering", () => {
  it("the tree keeps the rule: every import points down, no test code shipped, no cycle", () => {
    expect(tree.size).toBeGreaterThan(200);
    expect(checkLayers(tree)).toEqual([]);
  });

  it("every source folder has a rule, and every unit in the table exists in the tree", () => {
    const units = new Set([...tree.keys()].filter((f) => /\.(ts|mjs|cts)$/.test(f)).map((f) => unitOf(f)));
    expect(units.has(null)).toBe(false);
    for (const unit of Object.keys(ALLOWED)) if (unit !== "package.json") expect(units, unit).toContain(unit);
    expect(SDK_STACK.flat()).toContain("sdk/linkem");
    expect(SDK_STACK.flat()).toContain("sdk/mux");
  });

  it("an SDK layer importing a higher layer or a sibling fails", () => {
    const up = checkLayers(
      withFile("sdk/wire/oops.ts", 'import { MoshSession } from "../client/mosh-session.js";\n'),
    );
    expect(up).toEqual([
      expect.stringMatching(/^sdk\/wire\/oops\.ts: imports \.\.\/client\/mosh-session\.js \(sdk\/client\)/),
    ]);
    const sibling = checkLayers(
      withFile("sdk/server/oops.ts", 'import type { MoshSession } from "../client/mosh-session.js";\n'),
    );
    expect(sibling).toHaveLength(1);
    const linkem = checkLayers(
      withFile("sdk/linkem/oops.ts", 'import { Emulator } from "../terminal/emulator.js";\n'),
    );
    expect(linkem).toHaveLength(1);
  });

  it("the SDK importing a program, the TUI or the build fails", () => {
    for (const target of [
      "../../frontend/client/terminal-client.js",
      "../../tui/layout.js",
      "../../build/launch.cjs",
    ]) {
      expect(checkLayers(withFile("sdk/mux/oops.ts", `import "${target}";\n`)), target).toHaveLength(1);
    }
  });

  it("programs stay apart: the client and server front ends never import each other, the TUI no program", () => {
    expect(
      checkLayers(withFile("frontend/client/oops.ts", 'import "../server/server-config.js";\n')),
    ).toHaveLength(1);
    expect(
      checkLayers(withFile("frontend/server/oops.ts", 'import "../client/escape-key.js";\n')),
    ).toHaveLength(1);
    expect(checkLayers(withFile("tui/oops.ts", 'import "../frontend/client/escape-key.js";\n'))).toHaveLength(
      1,
    );
    expect(checkLayers(withFile("tui/oops.ts", 'import "./server/mux-server.js";\n'))).toHaveLength(1);
    // The wrapper runs the client front end in-process: allowed.
    expect(checkLayers(withFile("frontend/mosh-ts/fine.ts", 'import "../client/escape-key.js";\n'))).toEqual(
      [],
    );
  });

  it("bin entries call programs only; examples use the public API only", () => {
    expect(checkLayers(withFile("bin/oops.ts", 'import "../sdk/client/mosh-session.js";\n'))).toHaveLength(1);
    expect(
      checkLayers(withFile("examples/oops.ts", 'import "../sdk/client/mosh-session.js";\n')),
    ).toHaveLength(1);
    expect(
      checkLayers(withFile("examples/fine.ts", 'import { MoshSession } from "../sdk/index.js";\n')),
    ).toEqual([]);
  });

  it("shipped code importing test code fails, dynamic imports and export-from included", () => {
    expect(
      checkLayers(
        withFile("sdk/transport/oops.ts", 'export { FakeClock } from "../../test/helpers/sim-network.js";\n'),
      ),
    ).toHaveLength(1);
    expect(
      checkLayers(
        withFile("sdk/wire/oops.ts", 'const m = await import("./messages-reference.js");\nexport { m };\n'),
      ),
    ).toHaveLength(1);
    expect(checkLayers(withFile("sdk/wire/oops.ts", 'import "./gen/userinput_pb.js";\n'))).toHaveLength(1);
  });

  it("heavy dependencies stay in their place", () => {
    expect(checkLayers(withFile("sdk/client/oops.ts", 'import { spawn } from "node-pty";\n'))).toHaveLength(
      1,
    );
    expect(checkLayers(withFile("tui/oops.ts", 'import blessed from "blessed";\n'))).toHaveLength(1);
    expect(checkLayers(withFile("sdk/server/oops.ts", 'import { Client } from "ssh2";\n'))).toHaveLength(1);
    expect(checkLayers(withFile("sdk/state/oops.ts", 'import xterm from "@xterm/headless";\n'))).toHaveLength(
      1,
    );
    expect(
      checkLayers(withFile("frontend/client/oops.ts", 'import { fc } from "fast-check";\n')),
    ).toHaveLength(1);
  });

  it("a folder without a rule, an unresolved import and an import cycle fail", () => {
    expect(checkLayers(withFile("lib/new.ts", "export const x = 1;\n"))).toEqual([
      expect.stringMatching(/^lib\/new\.ts: no layer rule/),
    ]);
    expect(checkLayers(withFile("sdk/wire/oops.ts", 'import "./nowhere.js";\n'))).toHaveLength(1);
    const files = withFile("frontend/server/a.ts", 'import "./b.js";\n');
    files.set("frontend/server/b.ts", 'import "./a.js";\n');
    expect(checkLayers(files)).toEqual(["import cycle: frontend/server/a.ts -> frontend/server/b.ts"]);
  });
});
