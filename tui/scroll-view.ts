// Browsing a pane's scrollback in the TUI: moving the view up and down, and searching upwards for text.
import type { KeyToken } from "./key-input.js";
import type { PaneView } from "./pane-painter.js";
import type { PaneMirror } from "./view-state.js";

/** What scrolling needs of the app. */
export interface ScrollHost {
  /** Asks for a line of text on the status line. */
  prompt(question: string, onDone: (text: string) => void): void;
  /** Shows a notice on the status line for `ms`. */
  notice(text: string, ms: number): void;
  /** The view changed: redraw it all. */
  redraw(): void;
  /** Whether `t` is the prefix key (then the key is the prefix's, not the scroll view's). */
  isPrefix(t: KeyToken): boolean;
  /** Passes the prefix key on. */
  feedPrefix(t: KeyToken): void;
}

/** Moves the view `delta` rows up (negative: down), within the scrollback. */
export function scrollBy(view: PaneView, pane: PaneMirror, delta: number, host: ScrollHost): void {
  view.scroll = Math.min(Math.max(view.scroll + delta, 0), pane.scrollback.length);
  host.redraw();
}

/** A key while the view is scrolled back (less-like keys; q or Escape leaves). */
export function scrollKey(t: KeyToken, view: PaneView, pane: PaneMirror, host: ScrollHost): void {
  const page = Math.max(view.rect.h - 2, 1);
  switch (t.name) {
    case "Up":
    case "k":
    case "C-y":
      scrollBy(view, pane, 1, host);
      return;
    case "Down":
    case "j":
    case "C-e":
      scrollBy(view, pane, -1, host);
      return;
    case "PageUp":
    case "C-b":
      scrollBy(view, pane, page, host);
      return;
    case "PageDown":
    case "C-f":
    case "Space":
      scrollBy(view, pane, -page, host);
      return;
    case "g":
      scrollBy(view, pane, Number.MAX_SAFE_INTEGER, host);
      return;
    case "G":
    case "q":
    case "Escape":
      scrollBy(view, pane, -Number.MAX_SAFE_INTEGER, host);
      return;
    case "/":
    case "?":
      host.prompt("search up: ", (text) => {
        view.search = text;
        view.lastHit = -1;
        searchNext(view, pane, host);
      });
      return;
    case "n":
      searchNext(view, pane, host);
      return;
    default:
      if (host.isPrefix(t)) host.feedPrefix(t);
  }
}

/** Shows the next match of the view's search further up, at the top of the view. */
export function searchNext(view: PaneView, pane: PaneMirror, host: ScrollHost): void {
  if (view.search.length === 0) return;
  const sb = pane.scrollback;
  // The top row on screen is scrollback index len - scroll. A repeated search starts above the
  // previous hit (shown at the top); a new one from the lowest scrollback row in view.
  const top = sb.length - view.scroll;
  const from = view.lastHit === top ? top - 1 : Math.min(sb.length - 1, top + view.rect.h - 2);
  const at = sb.find(view.search, from);
  if (at < 0) {
    host.notice(`not found: ${view.search}`, 2000);
    return;
  }
  view.lastHit = at;
  scrollBy(view, pane, sb.length - at - view.scroll, host);
}
