import { describe, expect, it } from "vitest";
import { KeyTokenizer, keyBytes, PrefixKeys } from "./key-input.js";

describe("KeyTokenizer", () => {
  it("names keys as tmux does and keeps their bytes", () => {
    const t = new KeyTokenizer();
    const toks = t.push("a%\x02\r\x1b[A\x1b[1;5C\x1b[5~\x1bOB\x1b1中");
    expect(toks.map((k) => k.name)).toEqual([
      "a",
      "%",
      "C-b",
      "Enter",
      "Up",
      "C-Right",
      "PageUp",
      "Down",
      "M-1",
      "中",
    ]);
    expect(toks.map((k) => k.bytes).join("")).toBe("a%\x02\r\x1b[A\x1b[1;5C\x1b[5~\x1bOB\x1b1中");
  });

  it("holds a CSI split across reads and decodes SGR mouse reports", () => {
    const t = new KeyTokenizer();
    expect(t.push("x\x1b[<0;5")).toEqual([{ name: "x", bytes: "x" }]);
    const [m] = t.push(";7M");
    expect(m.name).toBe("Mouse");
    expect(m.mouse).toEqual({ button: 0, x: 4, y: 6, release: false });
    expect(t.push("\x1b[M !!")[0]).toEqual({
      name: "Mouse",
      bytes: "\x1b[M !!",
      mouse: { button: 0, x: 0, y: 0, release: false },
    });
    expect(t.push("\x1b")[0].name).toBe("Escape");
  });

  it("parses prefix names", () => {
    expect(keyBytes("C-b")).toBe("\x02");
    expect(keyBytes("C-a")).toBe("\x01");
    expect(keyBytes("`")).toBe("`");
    expect(keyBytes("Enter")).toBeNull();
  });
});

describe("PrefixKeys", () => {
  it("forwards keys, runs bound commands after the prefix, and sends the prefix when pressed twice", () => {
    const p = new PrefixKeys("C-b", new Map([["%", "split-h"]]));
    const t = new KeyTokenizer();
    const acts = t.push("a\x02%\x02\x02\x02q").map((k) => p.feed(k));
    expect(acts).toEqual([
      { kind: "send", bytes: "a" },
      { kind: "command", command: "prefix", key: "C-b" },
      { kind: "command", command: "split-h", key: "%" },
      { kind: "command", command: "prefix", key: "C-b" },
      { kind: "send", bytes: "\x02" },
      { kind: "command", command: "prefix", key: "C-b" },
      { kind: "unbound", key: "q" },
    ]);
    expect(p.armed).toBe(false);
  });
});
