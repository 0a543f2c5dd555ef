import { describe, expect, it } from "vitest";
import { KeyTokenizer, keyName, PrefixKeys } from "./key-input.js";

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

  it("names F-keys as tmux does (xterm's SS3 and CSI forms, rxvt's, with modifiers)", () => {
    const t = new KeyTokenizer();
    expect(t.push("\x1bOP\x1b[11~\x1b[15~\x1b[24~\x1b[1;5P\x1b[24;3~").map((k) => k.name)).toEqual([
      "F1",
      "F1",
      "F5",
      "F12",
      "C-F1",
      "M-F12",
    ]);
  });

  it("reads key names in tmux's spellings as the tokenizer names the key, and refuses names of no key", () => {
    const cases: Array<[string, string | null]> = [
      ["C-b", "C-b"],
      ["c-a", "C-a"],
      ["C-A", "C-a"],
      ["^A", "C-a"],
      ["^a", "C-a"],
      ["C-Space", "C-Space"],
      ["C-@", "C-Space"],
      ["C-i", "Tab"],
      ["C-m", "Enter"],
      ["C-[", "Escape"],
      ["C-\\", "C-\\"],
      ["C-]", "C-]"],
      ["M-x", "M-x"],
      ["M-C-a", "M-C-a"],
      ["C-M-a", "M-C-a"],
      ["M-Enter", "M-Enter"],
      ["F12", "F12"],
      ["f1", "F1"],
      ["C-F3", "C-F3"],
      ["M-C-Left", "C-M-Left"],
      ["PPage", "PageUp"],
      ["NPage", "PageDown"],
      ["S-Tab", "BTab"],
      ["`", "`"],
      ["%", "%"],
      ["-", "-"],
      ["M--", "M--"],
      [" ", "Space"],
      ["中", "中"],
      ["bogus", null],
      ["", null],
      ["C-", null],
      ["Ctrl-a", null],
      ["C-1", null],
      ["S-a", null],
      ["C-Enter", null],
      ["F13", null],
      ["\x01", null],
    ];
    for (const [input, want] of cases) expect([input, keyName(input)]).toEqual([input, want]);
    // Every name it returns is one the tokenizer gives its key.
    const t = new KeyTokenizer();
    expect(t.push("\x01\x00\x1b\x01\x1b[1;5R\x1b[Z\x1b\r").map((k) => k.name)).toEqual([
      keyName("C-a"),
      keyName("C-Space"),
      keyName("C-M-a"),
      keyName("C-F3"),
      keyName("S-Tab"),
      keyName("M-Enter"),
    ]);
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
