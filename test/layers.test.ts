// Enforces the layer rule of ARCHITECTURE.md: imports only point down, and each heavy dependency stays in its layer.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ORDER = [
  "crypto",
  "wire",
  "transport",
  "terminal",
  "state",
  "predict",
  "client",
  "server",
  "bootstrap",
  "mux",
];
const root = join(import.meta.dirname, "..");

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith(".ts") && !p.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  return [...src.matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
}

function layerOf(file: string): string | null {
  const parts = relative(root, file).split("/");
  return parts[0] === "sdk" && parts.length > 2 ? parts[1] : null;
}

describe("layering", () => {
  const sdkFiles = files(join(root, "sdk"));

  it("sdk never imports tui/ or bin/", () => {
    const bad = sdkFiles.filter((f) => imports(f).some((i) => /(^|\/)(tui|bin)\//.test(i)));
    expect(bad).toEqual([]);
  });

  it("sdk layers only import the same or lower layers", () => {
    const bad: string[] = [];
    for (const f of sdkFiles) {
      const mine = layerOf(f);
      if (!mine || !ORDER.includes(mine)) continue;
      for (const i of imports(f)) {
        if (!i.startsWith(".")) continue;
        const target = layerOf(join(f, "..", i));
        if (target && ORDER.includes(target) && ORDER.indexOf(target) > ORDER.indexOf(mine)) {
          bad.push(`${relative(root, f)} -> ${i}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("node-pty, ssh2 and blessed stay in their layers", () => {
    const rules: Array<[RegExp, RegExp]> = [
      [/^node-pty$/, /^sdk\/server\//],
      [/^ssh2$/, /^sdk\/bootstrap\//],
      [/^blessed$/, /^tui\//],
    ];
    const bad: string[] = [];
    for (const f of sdkFiles) {
      for (const i of imports(f)) {
        for (const [dep, allowed] of rules) {
          if (dep.test(i) && !allowed.test(relative(root, f))) bad.push(`${relative(root, f)} imports ${i}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
