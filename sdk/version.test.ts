// The version has one place, package.json: the SDK, the programs' --version and mosh-mux read it from there.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTree } from "../build/check-layers.mjs";
import { VERSION, versionBlock } from "./version.js";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

describe("version", () => {
  it("is package.json's, in the programs' version block", () => {
    expect(VERSION).toBe(pkg.version);
    expect(versionBlock("mosh-ts-client")).toMatch(
      new RegExp(
        `^mosh-ts-client \\(mosh-ts ${VERSION.replace(/\./g, "\\.")}\\) \\[compatible with mosh 1\\.4\\.0\\]\\n`,
      ),
    );
  });

  it("is written nowhere else in the source", () => {
    const literal = JSON.stringify(pkg.version);
    const copies = [...readTree(root)]
      .filter(([f, text]) => f !== "package.json" && text.includes(literal))
      .map(([f]) => f);
    expect(copies).toEqual([]);
  });
});
