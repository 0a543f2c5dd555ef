// Paints the whole TUI screen from the view: the borders (and what lies beyond the shared layout), every pane, the status line, the help box, and where the cursor goes.
import type { CellSurface } from "./cell-surface.js";
import type { Rect } from "./layout.js";
import type { Mode } from "./mode.js";
import { ACTIVE_BORDER, BORDER, type PaneView, paintPane } from "./pane-painter.js";
import { type ModeKeys, viewHeight } from "./scroll-view.js";
import { paintHelp, paintStatus } from "./status-line.js";
import type { PaneMirror, ViewState } from "./view-state.js";

/** What fills this terminal beyond the shared layout (when another client's size sets it). */
const OUTSIDE = "·";

/** Everything a paint of the screen reads. */
export interface ScreenState {
  /** The mirror of the server's view (layout, panes, focus). */
  view: ViewState;
  /** This client's view of each pane (what it drew, scrollback position). */
  views: ReadonlyMap<number, PaneView>;
  mode: Mode;
  /** A notice for the status line ("" for none). */
  notice: string;
  /** The prefix was pressed. */
  armed: boolean;
  prefix: string;
  bindings: ReadonlyMap<string, string>;
  /** Copy mode's key table (for the help). */
  modeKeys: ModeKeys;
  /** The server's socket name. */
  name: string;
  /** Whether pane `id` has an SSH question waiting for its turn. */
  waiting(id: number): boolean;
  now: number;
}

/** The shared layout's area on this terminal (the status line is this terminal's last row). */
export function layoutArea(view: ViewState, surface: CellSurface): Rect {
  const cols = view.cols > 0 ? view.cols : surface.cols;
  const rows = view.rows > 0 ? view.rows : surface.rows;
  return { x: 0, y: 0, w: cols, h: Math.max(rows - 1, 1) };
}

/**
 * Paints the screen and sends it: with `full`, first the borders everywhere (dots beyond the
 * layout, as tmux does) and every pane afresh; otherwise only what changed. Then places the cursor.
 */
export function paintScreen(s: CellSurface, st: ScreenState, full: boolean): void {
  const a = layoutArea(st.view, s);
  if (full) {
    // Borders everywhere, panes over them; what lies beyond the layout (another client set its
    // size) is dotted, as tmux does.
    const { attrs, fg, bg } = BORDER;
    for (let y = 0; y < s.rows - 1; y++)
      for (let x = 0; x < s.cols; x++)
        s.put(y, x, y < a.y + a.h && x < a.x + a.w ? "│" : OUTSIDE, attrs, fg, bg);
    paintActiveBorder(s, st.view, a);
    for (const v of st.views.values()) {
      v.drawn = [];
      v.header = "";
    }
  }
  const { mode, view } = st;
  for (const [id, r] of view.rects) {
    const pane = view.panes.get(id);
    const v = st.views.get(id);
    if (!pane || !v || r.w <= 0 || r.h <= 0) continue;
    const asking = mode.kind === "prompt" && mode.paneId === id;
    paintPane(s, pane, v, {
      focused: id === view.focus,
      zoomed: view.zoomed === id,
      asking: asking ? { body: mode.body ?? [], secret: mode.secret === true } : null,
      waiting: st.waiting(id),
      prefix: st.prefix,
      now: st.now,
    });
  }
  paintStatus(s, {
    mode,
    notice: st.notice,
    armed: st.armed,
    prefix: st.prefix,
    name: st.name,
    order: view.order,
    panes: view.panes,
    focus: view.focus,
    now: st.now,
  });
  if (mode.kind === "help") paintHelp(s, a, st.prefix, st.bindings, st.modeKeys);
  s.flush();
  placeCursor(s, st);
}

/** The border cells beside the focused pane in green (tmux's active border), when there are other panes. */
function paintActiveBorder(s: CellSurface, view: ViewState, a: Rect): void {
  const r = view.rects.get(view.focus);
  if (!r || view.rects.size < 2) return;
  const { attrs, fg, bg } = ACTIVE_BORDER;
  for (let y = r.y; y < Math.min(r.y + r.h, a.y + a.h); y++) {
    if (r.x > a.x) s.put(y, r.x - 1, "│", attrs, fg, bg);
    if (r.x + r.w < a.x + a.w) s.put(y, r.x + r.w, "│", attrs, fg, bg);
  }
}

/** The focused pane and this client's view of it. */
export function focusedPane(
  st: Pick<ScreenState, "view" | "views">,
): { pane: PaneMirror; view: PaneView } | null {
  const pane = st.view.panes.get(st.view.focus);
  const view = st.views.get(st.view.focus);
  return pane && view ? { pane, view } : null;
}

/**
 * Puts the cursor where the user types: after the question of a dialog on the status line; at
 * copy mode's cursor while the focused pane is in copy mode; else at the focused pane's cursor
 * when the pane shows its live screen with the cursor visible and inside the pane; hidden otherwise.
 */
export function placeCursor(s: CellSurface, st: ScreenState): void {
  const mode = st.mode;
  if (mode.kind === "prompt" || mode.kind === "confirm") {
    const len =
      mode.kind === "prompt" ? [...mode.question].length + (mode.secret ? 0 : [...mode.text].length) + 1 : 0;
    s.showCursor(s.rows - 1, Math.min(len, s.cols - 1));
    return;
  }
  const f = focusedPane(st);
  const r = f ? st.view.rects.get(f.pane.id) : undefined;
  if (!f || !r || mode.kind === "help" || f.pane.state === "failed") {
    s.hideCursor();
    return;
  }
  const copy = f.view.copy;
  if (copy) {
    const cy = copy.cy - copy.top;
    if (cy < 0 || cy >= viewHeight(f.view) || copy.cx >= r.w) s.hideCursor();
    else s.showCursor(r.y + 1 + cy, r.x + copy.cx);
    return;
  }
  const frame = f.pane.frame();
  const cy = frame.cursorRow;
  const cx = frame.cursorCol;
  if (
    !frame.cursorVisible ||
    cy >= r.h - 1 ||
    cx >= r.w ||
    r.y + 1 + cy >= s.rows - 1 ||
    r.x + cx >= s.cols
  ) {
    s.hideCursor();
    return;
  }
  s.showCursor(r.y + 1 + cy, r.x + cx);
}
