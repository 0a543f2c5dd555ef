// The grid's renderer against an emulator: what it writes makes the terminal show the grid, in the terminal's colours, after any changes.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Emulator } from "../sdk/terminal/emulator.js";
import { Attr, type Frame, paletteColor, RGB, rgbColor } from "../sdk/terminal/frame.js";
import { CellGrid } from "./cell-grid.js";
import { PLAIN, reduceColor, style } from "./cell-style.js";
import { FULL_CAPS, type TerminalCaps } from "./terminal-caps.js";

const emulators: Emulator[] = [];
afterEach(() => {
  for (const e of emulators.splice(0)) e.dispose();
});

function terminal(cols: number, rows: number): Emulator {
  const e = new Emulator(cols, rows);
  emulators.push(e);
  return e;
}

/** Whether the emulator shows the grid cell for cell (colours as the terminal can show them). */
function expectShows(frame: Frame, grid: CellGrid, caps: TerminalCaps = FULL_CAPS): void {
  for (let y = 0; y < grid.rows; y++) {
    const row = frame.row(y);
    for (let x = 0; x < grid.cols; x++) {
      const c = grid.cell(y, x);
      const got = {
        ch: row.cellWidth(x) === 0 ? "" : row.cellEmpty(x) ? " " : row.cellText(x),
        attrs: row.cellAttrs(x),
        fg: row.fg[x],
        bg: row.bg[x],
      };
      const want = {
        ch: c.ch,
        attrs: c.attrs,
        fg: reduceColor(c.fg, caps.colors),
        bg: reduceColor(c.bg, caps.colors),
      };
      expect([y, x, got]).toEqual([y, x, want]);
    }
  }
}

describe("CellGrid", () => {
  it("draws text, colours, attributes and wide characters where the grid has them", async () => {
    const g = new CellGrid(20, 4);
    const t = terminal(20, 4);
    g.text(0, 0, 20, style(Attr.bold, 2, 236), "status 中文 ok");
    g.put(1, 3, "x", Attr.italic | Attr.dim | Attr.underline, rgbColor(10, 200, 30), 0);
    g.put(2, 19, "$", 0, paletteColor(9), paletteColor(4));
    g.text(3, 0, 5, PLAIN, "abc");
    await t.write(g.render(FULL_CAPS));
    expectShows(t.snapshot(), g);
    expect(g.rowText(0)).toBe("status 中文 ok");
    // Nothing changed: nothing written.
    expect(g.render(FULL_CAPS)).toBe("");
  });

  it("writes only what changed, and keeps wide characters whole when half of one is overwritten", async () => {
    const g = new CellGrid(12, 2);
    const t = terminal(12, 2);
    g.text(0, 0, 12, PLAIN, "ab中文cd");
    await t.write(g.render(FULL_CAPS));
    g.put(0, 3, "X", 0, 0, 0); // the right half of 中
    const out = g.render(FULL_CAPS);
    expect(out).not.toContain("a");
    await t.write(out);
    expect(g.rowText(0)).toBe("ab X文cd");
    expectShows(t.snapshot(), g);
    g.text(0, 0, 12, PLAIN, "中中中中中中");
    await t.write(g.render(FULL_CAPS));
    expectShows(t.snapshot(), g);
    g.text(0, 1, 3, style(0, 1), "xyz");
    await t.write(g.render(FULL_CAPS));
    expectShows(t.snapshot(), g);
  });

  it("reduces colours for 256, 16 and 8-colour terminals and drops what they lack", async () => {
    for (const caps of [
      { colors: 256, italic: true, dim: true },
      { colors: 16, italic: false, dim: true },
      { colors: 8, italic: false, dim: false },
    ] as TerminalCaps[]) {
      const g = new CellGrid(6, 1);
      const t = terminal(6, 1);
      g.put(0, 0, "a", Attr.italic, rgbColor(255, 0, 0), 0);
      g.put(0, 1, "b", Attr.dim, paletteColor(208), paletteColor(4));
      g.put(0, 2, "c", 0, paletteColor(3), rgbColor(0, 0, 200));
      await t.write(g.render(caps));
      const row = t.snapshot().row(0);
      for (let x = 0; x < 3; x++) {
        for (const c of [row.fg[x], row.bg[x]]) {
          expect(c & RGB).toBe(0);
          if (c !== 0) expect(c & 0xff).toBeLessThan(caps.colors);
        }
      }
      expect(row.cellAttrs(0) & Attr.italic).toBe(caps.italic ? Attr.italic : 0);
      expect(row.cellAttrs(1) & Attr.dim).toBe(caps.dim ? Attr.dim : 0);
      expect(row.fg[0]).toBe(
        caps.colors === 256 ? paletteColor(196) : paletteColor(caps.colors === 16 ? 9 : 1),
      );
      if (caps.colors === 8) expect(row.cellAttrs(0) & Attr.bold).toBe(Attr.bold);
    }
  });

  it("redraws everything after invalidate() and resize()", async () => {
    const g = new CellGrid(8, 2);
    g.text(0, 0, 8, PLAIN, "hello");
    g.render(FULL_CAPS);
    g.invalidate();
    const t = terminal(8, 2);
    await t.write(g.render(FULL_CAPS));
    expectShows(t.snapshot(), g);
    g.resize(10, 3);
    expect(g.rowText(0)).toBe("");
    g.text(2, 0, 10, PLAIN, "bottom");
    const t2 = terminal(10, 3);
    await t2.write(`garbage\r\nhere${g.render(FULL_CAPS)}`);
    expectShows(t2.snapshot(), g);
  });

  it("after any sequence of changes, the terminal shows the grid (property)", async () => {
    const chars = ["a", "b", " ", "中", "─", "é"];
    const styles = [PLAIN, style(Attr.bold, 2), style(0, -1, 4), style(Attr.inverse, 9, 236)];
    const op = fc.record({
      y: fc.nat(2),
      x: fc.nat(9),
      ch: fc.constantFrom(...chars),
      s: fc.nat(styles.length - 1),
      text: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        async (rounds) => {
          const g = new CellGrid(10, 3);
          const t = new Emulator(10, 3);
          try {
            for (const ops of rounds) {
              for (const o of ops) {
                const st = styles[o.s];
                if (o.text) g.text(o.y, o.x, 10 - o.x, st, o.ch.repeat(3), false);
                else if (o.ch === "中") {
                  if (o.x + 1 < 10) {
                    g.put(o.y, o.x, o.ch, st.attrs, st.fg, st.bg);
                    g.put(o.y, o.x + 1, "", st.attrs, st.fg, st.bg);
                  }
                } else g.put(o.y, o.x, o.ch, st.attrs, st.fg, st.bg);
              }
              await t.write(g.render(FULL_CAPS));
              // Cells the renderer normalised (a half without its other half) now read as spaces.
              const frame = t.snapshot();
              for (let y = 0; y < 3; y++)
                for (let x = 0; x < 10; x++) {
                  const c = g.cell(y, x);
                  const row = frame.row(y);
                  const ch = row.cellWidth(x) === 0 ? "" : row.cellEmpty(x) ? " " : row.cellText(x);
                  if (ch !== c.ch || row.fg[x] !== c.fg || row.bg[x] !== c.bg || row.cellAttrs(x) !== c.attrs)
                    throw new Error(
                      `cell ${y},${x}: terminal ${JSON.stringify(ch)} grid ${JSON.stringify(c)}`,
                    );
                }
            }
          } finally {
            t.dispose();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
