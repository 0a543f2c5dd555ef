// The TUI's mirror of the server's view: layout, panes, screens, scrollback and questions from server messages.
import { describe, expect, it } from "vitest";
import { encodeRow, FrameEncoder, type MuxPaneInfo } from "../sdk/mux/protocol.js";
import { blankFrame, RowBuilder } from "../sdk/terminal/frame.js";
import { paneInfo } from "./fake-surface.fixture.js";
import { ViewState } from "./view-state.js";

const info = (id: number, o: Partial<MuxPaneInfo> = {}): MuxPaneInfo =>
  paneInfo(id, { cols: 4, rows: 2, scrollbackLimit: 3, ...o });

describe("ViewState", () => {
  it("follows layout, pane, frame, scroll, gone and questions messages", () => {
    const v = new ViewState();
    expect(
      v.apply({
        t: "layout",
        cols: 10,
        rows: 5,
        focus: 1,
        zoomed: null,
        order: [1, 2],
        rects: [[1, 0, 0, 5, 4]],
      }),
    ).toBe("layout");
    expect(v.rects.get(1)).toEqual({ x: 0, y: 0, w: 5, h: 4 });
    v.apply({ t: "pane", info: info(1) });
    v.apply({ t: "pane", info: info(2, { state: "stalled", stalledSince: Date.now() - 7500 }) });
    expect(v.panes.get(2)?.stalledSeconds()).toBe(7);
    expect(v.panes.get(2)?.live).toBe(true);

    const row = new RowBuilder(4).setCell(0, "h", 1).setCell(1, "i", 1).build();
    const frame = blankFrame(4, 2).with({ cursorCol: 2 }, [row, blankFrame(4, 2).grid[1]]);
    const msg = new FrameEncoder().encode(1, frame);
    if (!msg) throw new Error("no message");
    v.apply(msg);
    expect(v.panes.get(1)?.frame().lines()).toEqual(["hi", ""]);
    expect(v.panes.get(1)?.frame().cursorCol).toBe(2);

    // Scrollback keeps at most the pane's limit.
    for (let i = 0; i < 4; i++) v.apply({ t: "scroll", pane: 1, rows: [encodeRow(row)] });
    expect(v.panes.get(1)?.scrollback.length).toBe(3);

    v.apply({ t: "questions", list: [{ id: 1, pane: 2, text: "sure?", echo: true }] });
    expect(v.questions).toHaveLength(1);
    expect(v.apply({ t: "gone", pane: 2 })).toBe("gone");
    expect(v.panes.has(2)).toBe(false);
    expect(v.order).toEqual([1]);
    expect(v.apply({ t: "exit", reason: "killed" })).toBe("exit");
    expect(v.exitReason).toBe("killed");
  });

  it("finds the visible pane at a cell of the layout", () => {
    const v = new ViewState();
    v.apply({
      t: "layout",
      cols: 21,
      rows: 6,
      focus: 1,
      zoomed: null,
      order: [1, 2],
      rects: [
        [1, 0, 0, 10, 5],
        [2, 11, 0, 10, 5],
      ],
    });
    expect(v.paneAt(0, 0)).toBe(1);
    expect(v.paneAt(9, 4)).toBe(1);
    expect(v.paneAt(10, 2)).toBeNull();
    expect(v.paneAt(11, 2)).toBe(2);
    expect(v.paneAt(5, 5)).toBeNull();
  });
});
