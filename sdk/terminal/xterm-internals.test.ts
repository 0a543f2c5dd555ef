// @xterm/headless internals that mosh-ts reads or patches: the dependency is pinned to one exact version, and each use of its internals still applies to it (else the fallbacks would hide the loss).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import xterm from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { CODEPOINT, COMBINED, packedCells, WIDTH_1 } from "./buffer-reader.js";
import { Emulator } from "./emulator.js";
import { patchXterm } from "./xterm-fixes.js";

const root = join(import.meta.dirname, "..", "..");

/** Parses `data` at once in a fresh terminal, patched or not; what it threw, if anything. */
function parseError(data: string, patch: boolean): unknown {
  const term = new xterm.Terminal({ cols: 8, rows: 2, allowProposedApi: true, logLevel: "off" });
  try {
    if (patch) expect(patchXterm(term)).toBe(true);
    const core = (term as unknown as { _core: { _writeBuffer: { writeSync(d: string): void } } })._core;
    core._writeBuffer.writeSync(data);
    return null;
  } catch (err) {
    return err;
  } finally {
    term.dispose();
  }
}

describe("@xterm/headless internals", () => {
  it("is pinned to one exact version in package.json and the lock, the version installed", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const spec: string = pkg.dependencies["@xterm/headless"];
    expect(spec).toMatch(/^\d+\.\d+\.\d+$/);
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
    expect(lock.packages[""].dependencies["@xterm/headless"]).toBe(spec);
    expect(lock.packages["node_modules/@xterm/headless"].version).toBe(spec);
    const installed = createRequire(join(root, "package.json"))("@xterm/headless/package.json");
    expect(installed.version).toBe(spec);
  });

  it("the ED 1 work-around (xterm-fixes.ts) patches the input handler, and the pinned xterm needs it", async () => {
    // ED 1 with the cursor in the bottom-right corner: unpatched, xterm throws inside its write loop.
    const edInCorner = "abcdefgh\r\nabcdefgh\x1b[1J";
    expect(parseError(edInCorner, false)).toBeInstanceOf(TypeError);
    expect(parseError(edInCorner, true)).toBeNull();
    const e = new Emulator(8, 2);
    try {
      await e.write(edInCorner);
      expect(e.snapshot().lines()).toEqual(["", ""]);
    } finally {
      e.dispose();
    }
  });

  it("the emulator parses at once through xterm's internal write buffer (writeNow)", () => {
    const e = new Emulator(10, 2);
    try {
      expect(e.writeNow("hi")).toBe(true);
      expect(e.snapshot().lines()[0]).toBe("hi");
    } finally {
      e.dispose();
    }
  });

  it("the buffer reader's fast path finds xterm's packed cells, laid out as it reads them", () => {
    const e = new Emulator(10, 2);
    try {
      e.writeNow("A\u00e9\u6f22e\u0301");
      const line = e.terminal.buffer.active.getLine(0);
      const packed = packedCells(line);
      expect(packed).not.toBeNull();
      if (!packed) return;
      expect(packed.cells).toBe(10);
      const content = (x: number) => packed.data[x * 3];
      // 'A' and 'é': one code point, width 1; '漢': width 2, then its right half; 'e' + U+0301: a combined cell.
      expect(content(0)).toBe(0x41 | WIDTH_1);
      expect(content(1) & CODEPOINT).toBe(0xe9);
      expect(content(2) & CODEPOINT).toBe(0x6f22);
      expect(content(2) >>> 22).toBe(2);
      expect(content(3) >>> 22).toBe(0);
      expect(content(4) & COMBINED).toBe(COMBINED);
    } finally {
      e.dispose();
    }
  });

  it("reflow stays off through the windowsPty option (the only switch xterm offers)", async () => {
    const plain = new Emulator(10, 3);
    const reflowing = new Emulator(10, 3, { reflow: true, scrollback: 10 });
    try {
      // A soft-wrapped line, then a wider screen: xterm's reflow would join its two rows.
      for (const e of [plain, reflowing]) {
        await e.write("abcdefghijkl\r\nxy");
        e.resize(20, 3);
      }
      expect(plain.snapshot().lines()).toEqual(["abcdefghij", "kl", "xy"]);
      expect(reflowing.snapshot().lines()).toEqual(["abcdefghijkl", "xy", ""]);
    } finally {
      plain.dispose();
      reflowing.dispose();
    }
  });
});
