// The status line and the help box on a fake surface: panes and their states, the prefix, dialogs, notices, secrets never shown.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "./config.js";
import { FakeSurface, lookOf, mirroredPane, paneInfo } from "./fake-surface.fixture.js";
import type { Mode } from "./mode.js";
import { paintHelp, paintStatus, type StatusInfo } from "./status-line.js";
import type { PaneMirror } from "./view-state.js";

function panes(...list: PaneMirror[]): Map<number, PaneMirror> {
  return new Map(list.map((p) => [p.id, p]));
}

const info = (o: Partial<StatusInfo> = {}): StatusInfo => ({
  mode: { kind: "normal" },
  notice: "",
  armed: false,
  prefix: "C-b",
  name: "default",
  order: [1, 2],
  panes: panes(
    mirroredPane(paneInfo(1, { label: "web", rtt: 20.4 })),
    mirroredPane(paneInfo(2, { label: "db", state: "stalled", stalledSince: 0 })),
  ),
  focus: 1,
  now: 12_000,
  ...o,
});

describe("paintStatus", () => {
  it("shows the session name, each pane with its RTT or state, and the help hint at the right", () => {
    const s = new FakeSurface(60, 3);
    paintStatus(s, info());
    expect(s.line(2)).toBe(" default  1:web 20ms live │ 2:db stalled 12s     C-b ? help ");
    // The focused pane and the stalled one stand out from the rest.
    const attrOf = (text: string) => s.attrAt(2, s.line(2).indexOf(text));
    expect(attrOf("1:web")).not.toBe(attrOf("C-b ? help"));
    expect(attrOf("2:db")).not.toBe(attrOf("1:web"));
    // Only the last row.
    expect(s.lines().slice(0, 2)).toEqual(["", ""]);
  });

  it("shows the prefix once pressed, drops the hint and shortens entries rather than cutting them, and a notice instead of the panes", () => {
    const s = new FakeSurface(30, 2);
    paintStatus(s, info({ armed: true }));
    // The focused pane keeps its label and RTT; the stalled one its number and time.
    expect(s.line(1)).toBe(" C-b  1:web 20ms │ 2 !12s     ");
    paintStatus(s, info({ notice: "closing sessions…" }));
    expect(s.line(1).trimEnd()).toBe(" closing sessions…");
  });

  it("shows a yes/no question, a typed answer, and nothing of a secret one", () => {
    const s = new FakeSurface(40, 2);
    const confirm: Mode = { kind: "confirm", question: "Close pane 1 (web)? (y/n)", onYes: () => undefined };
    paintStatus(s, info({ mode: confirm }));
    expect(s.line(1).trimEnd()).toBe(" Close pane 1 (web)? (y/n)");
    const prompt: Mode = { kind: "prompt", question: "search up: ", text: "err", onDone: () => undefined };
    paintStatus(s, info({ mode: prompt }));
    expect(s.line(1).trimEnd()).toBe(" search up: err");
    const secret: Mode = { ...prompt, question: "Password: ", text: "hunter2", secret: true };
    paintStatus(s, info({ mode: secret }));
    expect(s.line(1).trimEnd()).toBe(" Password:");
    expect(s.line(1)).not.toContain("hunter2");
  });
});

describe("paintHelp", () => {
  it("lists every binding and the prefix in a box in the middle of the area", () => {
    const config = defaultConfig();
    const s = new FakeSurface(80, 40);
    paintHelp(s, { x: 0, y: 0, w: 80, h: 39 }, "C-b", config.bindings, "vi");
    const text = s.lines().join("\n");
    expect(text).toContain("mosh-mux keys: press C-b, then:");
    expect(text).toContain("send C-b to the pane");
    for (const key of config.bindings.keys()) expect(text).toContain(`  ${key.padEnd(8)} `);
    // Centred: the box starts as far from the left as its right edge is from the right.
    const rows = s.lines().filter((l) => l.includes("mosh-mux keys"));
    expect(rows).toHaveLength(1);
    const boxRow = s.grid.findIndex((r) => r.some((c) => c.ch === "m"));
    const left = s.grid[boxRow].findIndex((c) => lookOf(c) !== s.defaultLook);
    const last = s.grid[boxRow].map((c) => lookOf(c) !== s.defaultLook).lastIndexOf(true);
    const right = 80 - 1 - last;
    expect(Math.abs(left - right)).toBeLessThanOrEqual(1);
  });
});
