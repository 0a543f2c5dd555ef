import { describe, expect, it } from "vitest";
import { Layout, shares } from "./layout.js";

const area = { x: 0, y: 0, w: 101, h: 30 };

describe("Layout", () => {
  it("splits left/right with a 1-column border and top/bottom without a gap", () => {
    const l = new Layout(1);
    l.split(1, 2, "h");
    expect(l.geometry(area)).toEqual(
      new Map([
        [1, { x: 0, y: 0, w: 50, h: 30 }],
        [2, { x: 51, y: 0, w: 50, h: 30 }],
      ]),
    );
    l.split(2, 3, "v");
    const g = l.geometry(area);
    expect(g.get(2)).toEqual({ x: 51, y: 0, w: 50, h: 15 });
    expect(g.get(3)).toEqual({ x: 51, y: 15, w: 50, h: 15 });
    expect(l.panes()).toEqual([1, 2, 3]);
  });

  it("closing a pane gives its space back and collapses the split", () => {
    const l = new Layout(1);
    l.split(1, 2, "h");
    l.split(2, 3, "v");
    l.remove(3);
    expect(l.root).toEqual({
      kind: "split",
      dir: "h",
      children: [
        { kind: "pane", id: 1 },
        { kind: "pane", id: 2 },
      ],
      weights: [1, 1],
    });
    l.remove(1);
    expect(l.geometry(area)).toEqual(new Map([[2, area]]));
    l.remove(2);
    expect(l.panes()).toEqual([]);
  });

  it("same-direction splits become siblings sharing the split pane's space", () => {
    const l = new Layout(1);
    l.split(1, 2, "h");
    l.split(2, 3, "h");
    const g = l.geometry({ x: 0, y: 0, w: 99, h: 10 });
    expect(g.get(1)?.w).toBe(49);
    expect((g.get(2)?.w ?? 0) + (g.get(3)?.w ?? 0)).toBe(48);
    l.equalise();
    const e = l.geometry({ x: 0, y: 0, w: 98, h: 10 });
    expect([...e.values()].map((r) => r.w)).toEqual([32, 32, 32]);
  });

  it("zoom shows one pane over the whole area and toggles back", () => {
    const l = new Layout(1);
    l.split(1, 2, "h");
    l.toggleZoom(2);
    expect(l.geometry(area)).toEqual(new Map([[2, area]]));
    l.toggleZoom(2);
    expect(l.geometry(area).size).toBe(2);
  });

  it("finds neighbours in each direction", () => {
    const l = new Layout(1);
    l.split(1, 2, "h");
    l.split(2, 3, "v");
    expect(l.neighbour(1, "right", area)).toBe(2);
    expect(l.neighbour(2, "left", area)).toBe(1);
    expect(l.neighbour(2, "down", area)).toBe(3);
    expect(l.neighbour(3, "up", area)).toBe(2);
    expect(l.neighbour(3, "left", area)).toBe(1);
    expect(l.neighbour(1, "left", area)).toBeNull();
  });

  it("resizes a border and applies presets", () => {
    const l = new Layout(1);
    l.split(1, 2, "h");
    l.resize(1, "h", 10, 101);
    expect(l.geometry(area).get(1)?.w).toBe(60);
    l.split(2, 3, "v");
    l.split(3, 4, "h");
    l.applyPreset("tiled");
    const g = l.geometry({ x: 0, y: 0, w: 81, h: 20 });
    expect([...g.values()]).toEqual([
      { x: 0, y: 0, w: 40, h: 10 },
      { x: 41, y: 0, w: 40, h: 10 },
      { x: 0, y: 10, w: 40, h: 10 },
      { x: 41, y: 10, w: 40, h: 10 },
    ]);
    l.applyPreset("even-vertical");
    expect([...l.geometry({ x: 0, y: 0, w: 80, h: 20 }).values()].map((r) => r.h)).toEqual([5, 5, 5, 5]);
  });

  it("shares always sum to the space left after the gaps", () => {
    for (let total = 1; total < 60; total++)
      for (let n = 1; n < 6; n++) {
        const s = shares(total, new Array(n).fill(1), 1, 2);
        expect(s.reduce((a, b) => a + b, 0)).toBe(Math.max(total - (n - 1), 0));
      }
  });
});
