// The prefix keys' commands: layout commands go to the server, the rest open dialogs, copy mode, paste, detach or quit, and ask first when sessions would end.
import { describe, expect, it } from "vitest";
import { type CommandHost, runCommand } from "./commands.js";
import { mirroredPane, paneInfo } from "./fake-surface.fixture.js";
import type { Mode } from "./mode.js";
import { newPaneView } from "./pane-painter.js";
import type { PaneMirror } from "./view-state.js";

/** A host recording what the commands asked for, with `panes` (the first focused). */
function host(panes: PaneMirror[]) {
  const log: string[] = [];
  let mode: Mode = { kind: "normal" };
  const view = newPaneView();
  view.rect = { x: 0, y: 0, w: 20, h: 10 };
  const h: CommandHost = {
    focused: () => (panes[0] ? { pane: panes[0], view } : null),
    panes: () => panes,
    layout: (cmd) => log.push(`layout ${cmd}`),
    closePane: (id) => log.push(`close ${id}`),
    openPane: (src) => log.push(`open ${JSON.stringify(src)}`),
    quit: () => log.push("quit"),
    detach: () => log.push("detach"),
    setMode: (m) => {
      mode = m;
    },
    notice: (text) => log.push(`notice ${text}`),
    copyMode: (_v, pane, pageUp) => log.push(`copy-mode ${pane.id}${pageUp ? " page-up" : ""}`),
    paste: () => log.push("paste"),
  };
  return { h, log, mode: () => mode, view };
}

describe("runCommand", () => {
  it("sends layout commands to the server", () => {
    const t = host([mirroredPane(paneInfo(1))]);
    for (const cmd of ["split-h", "split-v", "zoom", "focus-next", "equalise"]) runCommand(cmd, t.h);
    expect(t.log).toEqual([
      "layout split-h",
      "layout split-v",
      "layout zoom",
      "layout focus-next",
      "layout equalise",
    ]);
  });

  it("closes an ended pane at once, and asks before closing a live one", () => {
    const ended = host([mirroredPane(paneInfo(3, { state: "ended" }))]);
    runCommand("close", ended.h);
    expect(ended.log).toEqual(["close 3"]);
    const live = host([mirroredPane(paneInfo(1, { label: "web" }))]);
    runCommand("close", live.h);
    expect(live.log).toEqual([]);
    const m = live.mode();
    expect(m).toMatchObject({ kind: "confirm", question: "Close pane 1 (web)? (y/n)" });
    if (m.kind === "confirm") m.onYes();
    expect(live.log).toEqual(["close 1"]);
  });

  it("asks before quitting while sessions live, naming how many", () => {
    const t = host([mirroredPane(paneInfo(1)), mirroredPane(paneInfo(2, { state: "stalled" }))]);
    runCommand("quit", t.h);
    expect(t.mode()).toMatchObject({
      kind: "confirm",
      question: "Quit mosh-mux and end 2 live sessions? (y/n)",
    });
    const done = host([mirroredPane(paneInfo(1, { state: "failed" }))]);
    runCommand("quit", done.h);
    expect(done.log).toEqual(["quit"]);
  });

  it("asks for a new pane's target and opens it, or says it is bad", () => {
    const t = host([mirroredPane(paneInfo(1))]);
    runCommand("new-pane", t.h);
    const m = t.mode();
    if (m.kind !== "prompt") throw new Error("no prompt");
    m.onDone("me@example.org:top");
    m.onDone("   ");
    expect(t.log).toEqual(['open {"kind":"ssh","target":"me@example.org:top"}']);
    m.onDone("local:htop");
    expect(t.log.at(-1)).toMatch(/^open \{"kind":"local"/);
  });

  it("enters copy mode (a page up with scrollback), also with nothing scrolled off yet; pastes; detaches; shows the help", () => {
    // Nothing scrolled off: copy mode all the same (the screen can be searched and copied).
    const none = host([mirroredPane(paneInfo(1))]);
    runCommand("copy-mode", none.h);
    expect(none.log).toEqual(["copy-mode 1"]);
    const some = host([mirroredPane(paneInfo(1), [], ["old"])]);
    runCommand("scrollback", some.h);
    expect(some.log).toEqual(["copy-mode 1 page-up"]);
    runCommand("paste", some.h);
    expect(some.log.at(-1)).toBe("paste");
    runCommand("detach", some.h);
    expect(some.log.at(-1)).toBe("detach");
    runCommand("help", some.h);
    expect(some.mode()).toEqual({ kind: "help" });
  });

  it("does nothing without a focused pane where one is needed", () => {
    const t = host([]);
    runCommand("close", t.h);
    runCommand("scrollback", t.h);
    runCommand("copy-mode", t.h);
    runCommand("prefix", t.h);
    expect(t.log).toEqual([]);
    expect(t.mode()).toEqual({ kind: "normal" });
  });
});
