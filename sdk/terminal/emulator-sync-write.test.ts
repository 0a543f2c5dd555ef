// Emulator.write parses at once (no xterm setTimeout), in call order, before its promise settles.
import { describe, expect, it } from "vitest";
import { Emulator } from "./emulator.js";

describe("Emulator.write (synchronous parse)", () => {
  it("shows written bytes in a snapshot taken before the promise is awaited", async () => {
    const e = new Emulator(20, 3);
    try {
      const p = e.write("ab");
      const q = e.write(new TextEncoder().encode("\r\ncd"));
      const f = e.snapshot();
      expect(f.lines()[0]).toBe("ab");
      expect(f.lines()[1]).toBe("cd");
      expect(f.cursorRow).toBe(1);
      await Promise.all([p, q]);
    } finally {
      e.dispose();
    }
  });

  it("rejects writes after dispose", async () => {
    const e = new Emulator(10, 2);
    e.dispose();
    await expect(e.write("x")).rejects.toThrow("disposed");
    expect(() => e.writeNow("x")).toThrow("disposed");
  });

  it("writeNow parses at once, in order with write, and answers queries before it returns", async () => {
    const e = new Emulator(20, 3);
    const replies: string[] = [];
    e.onReply((r) => replies.push(r));
    try {
      await e.write("ab");
      expect(e.writeNow("\r\ncd\x1b[6n")).toBe(true);
      expect(replies).toEqual(["\x1b[2;3R"]);
      expect(e.writeNow(new TextEncoder().encode("é"))).toBe(true);
      const f = e.snapshot();
      expect(f.lines()).toEqual(["ab", "cdé", ""]);
    } finally {
      e.dispose();
    }
  });
});
