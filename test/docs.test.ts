// The documents in docs/: there, cited by path, every cited section of the protocol reference exists, and the architecture page names every folder of the layer rule.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALLOWED, readTree } from "../build/check-layers.mjs";

const root = join(import.meta.dirname, "..");
const protocol = readFileSync(join(root, "docs", "mosh-protocol.md"), "utf8");
const architecture = readFileSync(join(root, "docs", "ARCHITECTURE.md"), "utf8");
/** Source files (but this one), .proto files and the README. */
const texts = new Map(
  [...readTree(root)]
    .filter(([f]) => f !== "package.json" && f !== "test/docs.test.ts")
    .concat(
      [
        "sdk/wire/proto/hostinput.proto",
        "sdk/wire/proto/userinput.proto",
        "sdk/wire/proto/transportinstruction.proto",
        "README.md",
      ].map((f) => [f, readFileSync(join(root, f), "utf8")]),
    ),
);

/** Section numbers of the protocol reference (`## 11.` and `### 11.6`). */
const sections = new Set([...protocol.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]));

/** § citations of the protocol reference in `text` (RFC sections excluded). */
function citations(text: string): string[] {
  return [...text.matchAll(/(RFC \d+ )?§(\d+(?:\.\d+)?)/g)].filter((m) => !m[1]).map((m) => m[2]);
}

describe("docs", () => {
  it("the protocol reference and the architecture page are in docs/", () => {
    expect(existsSync(join(root, "docs", "mosh-protocol.md"))).toBe(true);
    expect(sections.has("11.6")).toBe(true);
    expect(architecture).toMatch(/^# mosh-ts: architecture/);
  });

  it("every file that cites the protocol reference cites it at docs/mosh-protocol.md, and none points outside the repository", () => {
    const bad: string[] = [];
    let citing = 0;
    for (const [file, text] of texts) {
      if (/\.\.\/shared\/|(?<!docs\/)mosh-protocol\.md/.test(text))
        bad.push(`${file}: cites it outside docs/`);
      const refs = citations(text);
      if (refs.length === 0) continue;
      citing++;
      if (!text.includes("docs/mosh-protocol.md"))
        bad.push(`${file}: cites § without naming docs/mosh-protocol.md`);
      for (const r of refs)
        if (!sections.has(r)) bad.push(`${file}: §${r} is not a section of docs/mosh-protocol.md`);
    }
    expect(bad).toEqual([]);
    expect(citing).toBeGreaterThan(30);
  });

  it("the architecture page names every folder the layer rule knows", () => {
    const units = Object.keys(ALLOWED).filter(
      (u) =>
        !["package.json", "root", "sdk/base", "sdk/index", "sdk/wire/gen", "examples", "scripts"].includes(u),
    );
    for (const unit of units) expect(architecture, unit).toContain(unit);
    for (const topic of ["linkem", "code cache", "hand-written", "reference", "sdk/mux", "tui/server"])
      expect(architecture, topic).toContain(topic);
  });
});
