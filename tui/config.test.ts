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

  it("takes key names in tmux's spellings and refuses names of no key", () => {
    const c = parseConfig({ prefix: "^A", bindings: { "c-v": "split-v", ppage: "scrollback" } });
    expect(c.prefix).toBe("C-a");
    expect(c.bindings.get("C-v")).toBe("split-v");
    expect(c.bindings.get("PageUp")).toBe("scrollback");
    expect(() => parseConfig({ prefix: "bogus" })).toThrow('prefix: "bogus" is not a key name');
    expect(() => parseConfig({ prefix: "" })).toThrow('prefix: "" is not a key name');
    expect(() => parseConfig({ bindings: { "Ctrl-x": "zoom" } })).toThrow(
      'bindings: "Ctrl-x" is not a key name',
    );
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
