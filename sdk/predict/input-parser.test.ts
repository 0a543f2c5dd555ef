// InputParser: keystroke bytes to the actions mosh's prediction engine reacts to.
import { describe, expect, it } from "vitest";
import { InputActionKind, InputParser } from "./input-parser.js";

function parse(bytes: string | number[]): Array<[string, string]> {
  const p = new InputParser();
  const names = ["print", "execute", "esc", "csi"];
  const out: Array<[string, string]> = [];
  const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Uint8Array.from(bytes);
  for (const b of data) p.byte(b, (k, cp) => out.push([names[k], String.fromCodePoint(cp)]));
  return out;
}

describe("InputParser", () => {
  it("prints printable characters, DEL and UTF-8 code points", () => {
    expect(parse("a\x7f中")).toEqual([
      ["print", "a"],
      ["print", "\x7f"],
      ["print", "中"],
    ]);
  });

  it("reports C0 controls as executes, and arrows as CSI finals (ESC O x read as ESC [ x)", () => {
    expect(parse("\r\t\x1b[D\x1bOC\x1b[1;5A")).toEqual([
      ["execute", "\r"],
      ["execute", "\t"],
      ["csi", "D"],
      ["csi", "C"],
      ["csi", "A"],
    ]);
  });

  it("reports ESC sequences, and swallows OSC and DCS strings", () => {
    expect(parse("\x1bc\x1b]0;t\x07x\x1bPq#\x1b\\y")).toEqual([
      ["esc", "c"],
      ["print", "x"],
      ["esc", "\\"],
      ["print", "y"],
    ]);
  });

  it("turns ill-formed UTF-8 into U+FFFD and recovers", () => {
    expect(parse([0xe4, 0x41, 0xff, 0x42])).toEqual([
      ["print", "\ufffd"],
      ["print", "A"],
      ["print", "\ufffd"],
      ["print", "B"],
    ]);
    expect(InputActionKind.Print).toBe(0);
  });
});
