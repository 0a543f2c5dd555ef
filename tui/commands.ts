// What the prefix keys' commands do in the TUI: layout commands go to the background process; dialogs (close, quit, new pane), copy mode, paste, help and detach are the client's.
import type { LayoutCommand } from "../sdk/mux/protocol.js";
import { LAYOUT_COMMANDS } from "../sdk/mux/protocol.js";
import type { Mode } from "./mode.js";
import type { PaneView } from "./pane-painter.js";
import { type PaneSource, sourceFromText } from "./pane-source.js";
import type { PaneMirror } from "./view-state.js";

/** What commands need of the app. */
export interface CommandHost {
  /** The focused pane and its view. */
  focused(): { pane: PaneMirror; view: PaneView } | null;
  /** Every pane. */
  panes(): Iterable<PaneMirror>;
  /** Sends a layout command to the server. */
  layout(cmd: LayoutCommand): void;
  /** Asks the server to close a pane. */
  closePane(id: number): void;
  /** Asks the server to open a pane next to the focused one. */
  openPane(src: PaneSource): void;
  /** Ends every session and the server. */
  quit(): void;
  /** Leaves the sessions running and exits. */
  detach(): void;
  setMode(mode: Mode): void;
  notice(text: string, ms: number): void;
  /** Enters copy mode in a pane (`pageUp`: and goes a page up). */
  copyMode(view: PaneView, pane: PaneMirror, pageUp: boolean): void;
  /** Pastes what copy mode copied last into the focused pane. */
  paste(): void;
}

/** Runs a bound command. */
export function runCommand(cmd: string, host: CommandHost): void {
  if ((LAYOUT_COMMANDS as readonly string[]).includes(cmd)) {
    host.layout(cmd as LayoutCommand);
    return;
  }
  const f = host.focused();
  switch (cmd) {
    case "prefix":
      return;
    case "close": {
      if (!f) return;
      const { pane } = f;
      if (!pane.live) host.closePane(pane.id);
      else
        host.setMode({
          kind: "confirm",
          question: `Close pane ${pane.id} (${pane.label})? (y/n)`,
          onYes: () => host.closePane(pane.id),
        });
      return;
    }
    case "new-pane":
      host.setMode({
        kind: "prompt",
        question: "New pane ([user@]host[:command], local[:command]): ",
        text: "",
        onDone: (text) => {
          if (text.trim().length === 0) return;
          const src = sourceFromText(text);
          if (src) host.openPane(src);
          else host.notice(`bad target: ${text.trim()}`, 3000);
        },
      });
      return;
    case "copy-mode":
    case "scrollback":
      // Also with nothing scrolled off yet: the screen itself can be searched and copied.
      if (f) host.copyMode(f.view, f.pane, cmd === "scrollback");
      return;
    case "paste":
      host.paste();
      return;
    case "quit": {
      const live = [...host.panes()].filter((p) => p.live).length;
      if (live === 0) host.quit();
      else
        host.setMode({
          kind: "confirm",
          question: `Quit mosh-mux and end ${live} live session${live === 1 ? "" : "s"}? (y/n)`,
          onYes: () => host.quit(),
        });
      return;
    }
    case "detach":
      host.detach();
      return;
    case "help":
      host.setMode({ kind: "help" });
      return;
  }
}
