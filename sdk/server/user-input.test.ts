import { describe, expect, it } from "vitest";
import { UserInputTranslator } from "./user-input.js";

const b = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const s = (u: Uint8Array) => Buffer.from(u).toString("latin1");

describe("UserInputTranslator", () => {
  it("turns ESC O A-D into ESC [ A-D unless DECCKM is on", () => {
    const t = new UserInputTranslator();
    expect(s(t.translate(b("\x1bOA\x1bOB\x1bOC\x1bOD"), false))).toBe("\x1b[A\x1b[B\x1b[C\x1b[D");
    expect(s(t.translate(b("\x1bOA\x1bOD"), true))).toBe("\x1bOA\x1bOD");
  });

  it("leaves other SS3 keys, plain text and other escapes alone", () => {
    const t = new UserInputTranslator();
    expect(s(t.translate(b("\x1bOP\x1bOH\x1b[A ls -l\r\x03"), false))).toBe("\x1bOP\x1bOH\x1b[A ls -l\r\x03");
    expect(s(t.translate(b("\x1b\x1bOA"), false))).toBe("\x1b\x1bOA");
    expect(s(t.translate(b("O"), false))).toBe("O");
  });

  it("holds an SS3 split between batches, as mosh does", () => {
    const t = new UserInputTranslator();
    expect(s(t.translate(b("x\x1b"), false))).toBe("x\x1b");
    expect(s(t.translate(b("O"), false))).toBe("");
    expect(s(t.translate(b("B"), false))).toBe("[B");
    expect(s(t.translate(b("\x1bO"), true))).toBe("\x1b");
    expect(s(t.translate(b("C"), true))).toBe("OC");
  });
});
