import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configPath, loadConfig, parseConfig } from "./config.js";

describe("config", () => {
  it("lives under XDG_CONFIG_HOME", () => {
    expect(configPath({ XDG_CONFIG_HOME: "/x" })).toBe("/x/mosh-mux/config.json");
  });

  it("overrides the prefix and bindings, removes with null, rejects unknown commands", () => {
    const c = parseConfig({ prefix: "C-a", bindings: { "|": "split-h", x: null }, scrollbackLines: 10 });
    expect(c.prefix).toBe("C-a");
    expect(c.bindings.get("|")).toBe("split-h");
    expect(c.bindings.has("x")).toBe(false);
    expect(c.bindings.get("%")).toBe("split-h");
    expect(c.scrollbackLines).toBe(10);
    expect(() => parseConfig({ bindings: { a: "explode" } })).toThrow(/unknown command explode/);
    expect(() => parseConfig([])).toThrow();
  });

  it("loads a file, defaults when missing, names the file when bad", () => {
    const dir = mkdtempSync(join(tmpdir(), "mux-cfg-"));
    try {
      const p = join(dir, "config.json");
      expect(loadConfig(p).prefix).toBe("C-b");
      writeFileSync(p, '{"prefix":"C-q"}');
      expect(loadConfig(p).prefix).toBe("C-q");
      writeFileSync(p, "{nope");
      expect(() => loadConfig(p)).toThrow(p);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
