// Tests for BufferReader: its fast path over xterm's packed cells reads exactly what the public cell API reads.
import type { IBuffer, IBufferLine } from "@xterm/headless";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BufferReader } from "./buffer-reader.js";
import { Emulator } from "./emulator.js";
import { hashRow, rowEquals } from "./frame.js";

/** The same buffer seen only through the public API (no packed cells, so no fast path). */
function publicOnly(buffer: IBuffer): IBuffer {
  const wrapLine = (line: IBufferLine | undefined): IBufferLine | undefined =>
    line && {
      get isWrapped() {
        return line.isWrapped;
      },
      get length() {
        return line.length;
      },
      getCell: (x, cell) => line.getCell(x, cell),
      translateToString: (trim, start, end) => line.translateToString(trim, start, end),
    };
  return {
    get type() {
      return buffer.type;
    },
    get cursorY() {
      return buffer.cursorY;
    },
    get cursorX() {
      return buffer.cursorX;
    },
    get viewportY() {
      return buffer.viewportY;
    },
    get baseY() {
      return buffer.baseY;
    },
    get length() {
      return buffer.length;
    },
    getLine: (y) => wrapLine(buffer.getLine(y)),
    getNullCell: () => buffer.getNullCell(),
  };
}

const TOKENS = [
  "hello",
  "x",
  " ",
  "\u00e9",
  "\u00ff",
  "\u0300",
  "e\u0301",
  "\u4e2d",
  "\ud83d\ude00",
  "\u200b",
  "\x1b[1m",
  "\x1b[31m",
  "\x1b[44m",
  "\x1b[38;2;1;2;3m",
  "\x1b[7m",
  "\x1b[2m",
  "\x1b[0m",
  "\x1b[K",
  "\x1b[3X",
  "\x1b[5G",
  "\x1b[H",
  "\x1b[2;70H",
  "\r\n",
  "\x1b[L",
  "\x1b[2P",
  "\x1b[4@",
];

describe("BufferReader", () => {
  it("reads the same rows with and without xterm's packed cells", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...TOKENS), { maxLength: 200 }),
        fc.integer({ min: 2, max: 30 }),
        async (tokens, cols) => {
          const emu = new Emulator(cols, 6);
          try {
            await emu.write(tokens.join(""));
            const buffer = emu.terminal.buffer.active;
            const fast = new BufferReader().read(buffer, cols, 6, null);
            const slow = new BufferReader().read(publicOnly(buffer), cols, 6, null);
            for (let y = 0; y < 6; y++) {
              expect(rowEquals(fast[y], slow[y])).toBe(true);
              const r = fast[y];
              expect(r.hash).toBe(hashRow(r.text, r.offsets, r.meta, r.fg, r.bg, r.wrap));
            }
          } finally {
            emu.dispose();
          }
        },
      ),
      { seed: 5, numRuns: 150 },
    );
  });

  it("reuses unchanged rows of the previous read", async () => {
    const emu = new Emulator(20, 4);
    try {
      await emu.write("one\r\ntwo\r\nthree");
      const reader = new BufferReader();
      const buffer = emu.terminal.buffer.active;
      const first = reader.read(buffer, 20, 4, null);
      await emu.write("\x1b[2;1Hbee");
      const second = reader.read(buffer, 20, 4, first);
      expect(second[0]).toBe(first[0]);
      expect(second[1]).not.toBe(first[1]);
      expect(second[1].toString()).toBe("bee");
      expect(second[2]).toBe(first[2]);
    } finally {
      emu.dispose();
    }
  });
});
