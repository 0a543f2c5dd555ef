// The mosh-mux protocol's codecs: rows and frames survive the trip exactly, only changes are sent, bad input is refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  blankFrame,
  type Frame,
  frameEquals,
  paletteColor,
  RowBuilder,
  rgbColor,
  rowEquals,
} from "../terminal/frame.js";
import { MuxError } from "./errors.js";
import {
  decodeMessage,
  decodeRow,
  encodeMessage,
  encodeRow,
  FrameDecoder,
  FrameEncoder,
  LineReader,
  MAX_LINE,
} from "./protocol.js";

function sampleRow(cols = 12) {
  const b = new RowBuilder(cols);
  b.setCell(0, "a", 1, 1, paletteColor(1));
  b.setCell(1, "中", 2, 4, rgbColor(1, 2, 3), paletteColor(200));
  b.setCell(3, "e\u0301", 1, 0);
  b.setCell(4, " ", 1, 16);
  b.setCell(6, "🙂", 2);
  return b.setWrap(true).build();
}

describe("rows", () => {
  it("round-trip exactly: graphemes, wide and empty cells, attributes, colours, wrap", () => {
    const row = sampleRow();
    const enc = encodeRow(row);
    expect(rowEquals(decodeRow(enc, 12), row)).toBe(true);
    expect(rowEquals(decodeRow(JSON.parse(JSON.stringify(enc))), row)).toBe(true);
    expect(decodeRow(enc).hash).toBe(row.hash);
  });

  it("run-length encode: a blank row is a few numbers", () => {
    const enc = encodeRow(new RowBuilder(80).build());
    expect(enc).toEqual(["", [0, 80], [80, 256, 0, 0], 0]);
  });

  it("round-trip any row (property)", () => {
    const cell = fc.record({
      text: fc.constantFrom("", "x", " ", "é", "e\u0301", "中", "🙂"),
      attrs: fc.integer({ min: 0, max: 0x7f }),
      fg: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 }).map(paletteColor)),
      bg: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 0xffffff }).map((v) => rgbColor(v >> 16, v >> 8, v)),
      ),
    });
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 40 }), fc.boolean(), (cells, wrap) => {
        const b = new RowBuilder(cells.length);
        cells.forEach((c, x) => {
          const wide = c.text === "中" || c.text === "🙂";
          b.setCell(x, c.text, wide && x + 1 < cells.length ? 2 : 1, c.attrs, c.fg, c.bg);
        });
        const row = b.setWrap(wrap).build();
        expect(rowEquals(decodeRow(JSON.parse(JSON.stringify(encodeRow(row)))), row)).toBe(true);
      }),
    );
  });

  it("refuse rows that do not add up", () => {
    const [text, lens, styles, wrap] = encodeRow(sampleRow());
    expect(() => decodeRow([text, lens, styles, wrap], 13)).toThrow(MuxError);
    expect(() => decodeRow([`${text}x`, lens, styles, wrap], 12)).toThrow(/cell lengths/);
    expect(() => decodeRow([text, lens, styles.slice(4), wrap], 12)).toThrow(/styles/);
    expect(() => decodeRow([text, [1, -1], styles, wrap])).toThrow(MuxError);
    expect(() => decodeRow("row")).toThrow(MuxError);
    expect(() => decodeRow([1, [], [], 0])).toThrow(MuxError);
  });
});

describe("frames", () => {
  const withText = (f: Frame, y: number, text: string): Frame => {
    const b = new RowBuilder(f.cols);
    for (const [x, ch] of [...text].entries()) b.setCell(x, ch, 1);
    const grid = [...f.grid];
    grid[y] = b.build();
    return f.with({}, grid);
  };

  it("send everything first, then only the rows and state that changed; the copy equals the original", () => {
    const enc = new FrameEncoder();
    const dec = new FrameDecoder();
    let f = withText(blankFrame(10, 4), 1, "hello");
    const first = enc.encode(7, f);
    expect(first?.full).toBe(1);
    expect(first?.lines).toHaveLength(4);
    expect(frameEquals(dec.apply(JSON.parse(JSON.stringify(first))), f)).toBe(true);

    expect(enc.encode(7, f)).toBeNull();
    expect(enc.encode(7, f.with({}))).toBeNull();

    const before = dec.frame;
    f = withText(f, 3, "world");
    const second = enc.encode(7, f);
    expect(second?.full).toBeUndefined();
    expect(second?.lines.map(([y]) => y)).toEqual([3]);
    expect(second?.state).toBeUndefined();
    const copy = dec.apply(JSON.parse(JSON.stringify(second)));
    expect(frameEquals(copy, f)).toBe(true);
    // Unchanged rows are the same objects (the painter skips them by identity).
    expect(copy.grid[1]).toBe(before?.grid[1]);

    f = f.with({ cursorRow: 2, cursorCol: 5, title: "t" });
    const third = enc.encode(7, f);
    expect(third?.lines).toEqual([]);
    expect(third?.state?.title).toBe("t");
    expect(frameEquals(dec.apply(JSON.parse(JSON.stringify(third))), f)).toBe(true);

    // A new size starts over.
    const big = withText(blankFrame(12, 5), 0, "resized");
    const fourth = enc.encode(7, big);
    expect(fourth?.full).toBe(1);
    expect(frameEquals(dec.apply(JSON.parse(JSON.stringify(fourth))), big)).toBe(true);
  });

  it("refuse malformed frame messages", () => {
    const dec = new FrameDecoder();
    expect(() => dec.apply({ t: "frame", pane: 1, cols: 0, rows: 2, lines: [] })).toThrow(MuxError);
    expect(() =>
      dec.apply({
        t: "frame",
        pane: 1,
        cols: 2,
        rows: 2,
        lines: [[5, encodeRow(new RowBuilder(2).build())]],
      }),
    ).toThrow(/row index/);
  });
});

describe("lines and messages", () => {
  it("split a stream into lines whatever the chunks", () => {
    const r = new LineReader();
    const text =
      encodeMessage({ t: "input", data: "a\nb" }) + encodeMessage({ t: "resize", cols: 3, rows: 4 });
    const out: string[] = [];
    for (const ch of text) out.push(...r.push(ch));
    expect(out.map((l) => decodeMessage(l))).toEqual([
      { t: "input", data: "a\nb" },
      { t: "resize", cols: 3, rows: 4 },
    ]);
  });

  it("refuse an endless line, non-JSON and messages without a type", () => {
    const r = new LineReader();
    expect(() => r.push("x".repeat(MAX_LINE + 1))).toThrow(/longer than/);
    expect(() => decodeMessage("{oops")).toThrow(/not JSON/);
    expect(() => decodeMessage('{"x":1}')).toThrow(/without a type/);
    expect(() => decodeMessage("null")).toThrow(MuxError);
  });
});
