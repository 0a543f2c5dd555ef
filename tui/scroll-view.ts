// Browsing a pane in copy mode (tmux's): the keys, in tmux's vi and emacs tables, and what each does to the pane's copy mode (moving, scrolling, selecting, copying, searching, leaving), the wheel, entering.
import { CopyMode } from "./copy-mode.js";
import type { KeyToken } from "./key-input.js";
import type { PaneView } from "./pane-painter.js";
import type { PaneMirror } from "./view-state.js";

/** Which key table copy mode uses (tmux's `mode-keys`). */
export type ModeKeys = "vi" | "emacs";

/** What a key does in copy mode. */
export type CopyCommand =
  | "cancel"
  | "clear-or-cancel"
  | "left"
  | "right"
  | "up"
  | "down"
  | "line-start"
  | "line-end"
  | "first-nonblank"
  | "word-next"
  | "word-prev"
  | "word-end"
  | "top"
  | "bottom"
  | "view-top"
  | "view-middle"
  | "view-bottom"
  | "scroll-up"
  | "scroll-down"
  | "page-up"
  | "page-down"
  | "halfpage-up"
  | "halfpage-down"
  | "begin-selection"
  | "clear-selection"
  | "rectangle-toggle"
  | "copy"
  | "search-down"
  | "search-up"
  | "search-again"
  | "search-reverse";

const COMMON: Readonly<Record<string, CopyCommand>> = {
  Up: "up",
  Down: "down",
  Left: "left",
  Right: "right",
  PageUp: "page-up",
  PageDown: "page-down",
  Home: "line-start",
  End: "line-end",
  q: "cancel",
  "C-c": "cancel",
  Enter: "copy",
  n: "search-again",
  N: "search-reverse",
};

/** tmux's vi copy-mode keys (v starts a selection, as in vim; C-v makes it a rectangle). */
const VI: Readonly<Record<string, CopyCommand>> = {
  ...COMMON,
  h: "left",
  j: "down",
  k: "up",
  l: "right",
  "0": "line-start",
  "^": "first-nonblank",
  $: "line-end",
  w: "word-next",
  b: "word-prev",
  e: "word-end",
  g: "top",
  G: "bottom",
  H: "view-top",
  M: "view-middle",
  L: "view-bottom",
  "C-y": "scroll-up",
  "C-e": "scroll-down",
  "C-b": "page-up",
  "C-f": "page-down",
  "C-u": "halfpage-up",
  "C-d": "halfpage-down",
  Space: "begin-selection",
  v: "begin-selection",
  "C-v": "rectangle-toggle",
  Escape: "clear-or-cancel",
  y: "copy",
  "/": "search-down",
  "?": "search-up",
};

/** tmux's emacs copy-mode keys. */
const EMACS: Readonly<Record<string, CopyCommand>> = {
  ...COMMON,
  "C-b": "left",
  "C-f": "right",
  "C-p": "up",
  "C-n": "down",
  "C-a": "line-start",
  "C-e": "line-end",
  "M-m": "first-nonblank",
  "M-f": "word-end",
  "M-b": "word-prev",
  "M-<": "top",
  "M->": "bottom",
  "M-r": "view-middle",
  "M-v": "page-up",
  "C-v": "page-down",
  "M-Up": "halfpage-up",
  "M-Down": "halfpage-down",
  "C-Space": "begin-selection",
  "C-g": "clear-selection",
  R: "rectangle-toggle",
  Escape: "cancel",
  "M-w": "copy",
  "C-w": "copy",
  "C-s": "search-down",
  "C-r": "search-up",
};

/** The command of key `name` in copy mode, or undefined. */
export function copyCommand(name: string, keys: ModeKeys): CopyCommand | undefined {
  return (keys === "vi" ? VI : EMACS)[name];
}

/** What copy mode needs of the app. */
export interface CopyHost {
  /** Asks for a line of text on the status line. */
  prompt(question: string, onDone: (text: string) => void): void;
  /** Shows a notice on the status line for `ms`. */
  notice(text: string, ms: number): void;
  /** The view changed: redraw it. */
  redraw(): void;
  /** Whether `t` is the prefix key (then the key is the prefix's, not copy mode's). */
  isPrefix(t: KeyToken): boolean;
  /** Passes the prefix key on. */
  feedPrefix(t: KeyToken): void;
  /** The selection's text was copied (to mosh-mux's buffer and, by OSC 52, the terminal's clipboard). */
  copy(text: string): void;
}

/** Rows of content a pane shows (its height without the header). */
export function viewHeight(view: PaneView): number {
  return Math.max(view.rect.h - 1, 1);
}

/** Enters copy mode in a pane (if not in it yet); `pageUp` also scrolls a page up (tmux's copy-mode -u). */
export function enterCopyMode(
  view: PaneView,
  pane: PaneMirror,
  opts: { pageUp?: boolean; wheel?: boolean } = {},
): CopyMode {
  const h = viewHeight(view);
  if (!view.copy) view.copy = new CopyMode(pane.scrollback, pane.frame(), h, { exitAtBottom: opts.wheel });
  if (opts.pageUp) view.copy.page(Math.max(h - 1, 1), h);
  return view.copy;
}

/** Scrolls a pane's copy mode by `n` lines (the wheel); one entered by the wheel ends at the bottom. */
export function wheel(view: PaneView, n: number): void {
  const c = view.copy;
  if (!c) return;
  const h = viewHeight(view);
  c.scroll(n, h);
  if (n < 0 && c.exitAtBottom && c.atBottom(h) && !c.anchor) view.copy = null;
}

function runSearch(c: CopyMode, text: string, down: boolean, h: number, host: CopyHost): void {
  const r = c.find(text, down, h);
  if (!r) host.notice(`not found: ${text}`, 2000);
  else if (r.wrapped) host.notice(`search wrapped to the ${down ? "top" : "bottom"}: ${text}`, 1500);
}

/** A key in a pane's copy mode. */
export function copyKey(t: KeyToken, view: PaneView, keys: ModeKeys, host: CopyHost): void {
  const c = view.copy;
  if (!c) return;
  const cmd = copyCommand(t.name, keys);
  if (!cmd) {
    if (host.isPrefix(t)) host.feedPrefix(t);
    return;
  }
  const h = viewHeight(view);
  const half = Math.max(Math.floor(h / 2), 1);
  switch (cmd) {
    case "cancel":
      view.copy = null;
      break;
    case "clear-or-cancel":
      if (c.anchor) c.clearSelection();
      else view.copy = null;
      break;
    case "left":
      c.move(-1, 0, h);
      break;
    case "right":
      c.move(1, 0, h);
      break;
    case "up":
      c.move(0, -1, h);
      break;
    case "down":
      c.move(0, 1, h);
      break;
    case "line-start":
      c.lineStart();
      break;
    case "line-end":
      c.lineEnd();
      break;
    case "first-nonblank":
      c.firstNonBlank();
      break;
    case "word-next":
      c.wordNext(h);
      break;
    case "word-prev":
      c.wordPrev(h);
      break;
    case "word-end":
      c.wordEnd(h);
      break;
    case "top":
      c.moveTo(0, c.first, h);
      break;
    case "bottom":
      c.moveTo(c.cx, c.last, h);
      break;
    case "view-top":
      c.viewRow(0, h);
      break;
    case "view-middle":
      c.viewRow(Math.floor((h - 1) / 2), h);
      break;
    case "view-bottom":
      c.viewRow(h - 1, h);
      break;
    case "scroll-up":
      c.scroll(1, h);
      break;
    case "scroll-down":
      c.scroll(-1, h);
      break;
    case "page-up":
      c.page(Math.max(h - 1, 1), h);
      break;
    case "page-down":
      c.page(-Math.max(h - 1, 1), h);
      break;
    case "halfpage-up":
      c.page(half, h);
      break;
    case "halfpage-down":
      c.page(-half, h);
      break;
    case "begin-selection":
      c.beginSelection();
      break;
    case "clear-selection":
      c.clearSelection();
      break;
    case "rectangle-toggle":
      c.rect = !c.rect;
      if (!c.anchor) c.beginSelection();
      break;
    case "copy": {
      const text = c.selectedText();
      view.copy = null;
      if (text.length > 0) host.copy(text);
      break;
    }
    case "search-down":
    case "search-up": {
      const down = cmd === "search-down";
      host.prompt(down ? "search down: " : "search up: ", (text) => {
        // An empty search repeats the last one, as in vi.
        runSearch(c, text.length > 0 ? text : c.search, down, viewHeight(view), host);
        host.redraw();
      });
      return;
    }
    case "search-again":
    case "search-reverse": {
      if (c.search.length === 0) return;
      // N goes the other way once; the search keeps its direction.
      const down = c.searchDown;
      runSearch(c, c.search, cmd === "search-again" ? down : !down, h, host);
      c.searchDown = down;
      break;
    }
  }
  host.redraw();
}
