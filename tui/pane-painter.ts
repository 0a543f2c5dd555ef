// Paints one pane on the surface: its header (number, label, RTT, state) and its rows (screen, copy mode with its selection and search matches, or the text of a failed or connecting pane), skipping rows already drawn.
import { ATTR_MASK, Attr, type Row } from "../sdk/terminal/frame.js";
import { type CellStyle, PLAIN, style } from "./cell-style.js";
import type { CellSurface } from "./cell-surface.js";
import type { CopyMode } from "./copy-mode.js";
import type { Rect } from "./layout.js";
import type { PaneMirror } from "./view-state.js";

/** What the TUI shows of one pane, and what it drew there last. */
export interface PaneView {
  rect: Rect;
  /** What each content row shows: a Row (by identity) or a synthetic key. */
  drawn: Array<Row | string | null>;
  header: string;
  /** Copy mode (scrollback, selection, search), or null. */
  copy: CopyMode | null;
}

/** A fresh view of a pane (nothing drawn, not in copy mode). */
export function newPaneView(): PaneView {
  return { rect: { x: 0, y: 0, w: 0, h: 0 }, drawn: [], header: "", copy: null };
}

/** The question a pane asks on the status line now, as its pane shows it. */
export interface PaneAsking {
  /** The question's earlier lines (its last line is on the status line). */
  body: readonly string[];
  /** The answer is secret. */
  secret: boolean;
}

/** How to paint a pane. */
export interface PaintOptions {
  focused: boolean;
  zoomed: boolean;
  /** The question it asks now, if any. */
  asking: PaneAsking | null;
  /** It has a question waiting for its turn. */
  waiting: boolean;
  /** The prefix key's name (for the "session ended" hint). */
  prefix: string;
  now: number;
}

/**
 * Borders between panes: the terminal's own foreground on its own background, so they show on
 * dark and light themes alike (as tmux's pane-border-style); the focused pane's are green (as
 * tmux's pane-active-border-style).
 */
export const BORDER: CellStyle = PLAIN;
export const ACTIVE_BORDER: CellStyle = style(0, 2);
const HEADER: CellStyle = style(0, 7, 236);
const HEADER_FOCUS: CellStyle = style(Attr.bold, 0, 2);
const HEADER_STALL: CellStyle = style(Attr.bold, 15, 1);
const HEADER_ENDED: CellStyle = style(0, 15, 8);
const NOTICE: CellStyle = style(Attr.bold, 15, 8);
/** Copy mode: the selection, search matches and the match at the cursor (tmux's mode-style and match styles). */
const SELECTION: CellStyle = style(0, 0, 3);
const MATCH: CellStyle = style(0, 0, 6);
const CURRENT_MATCH: CellStyle = style(0, 0, 5);

/** Splits `text` into lines of at most `w` characters, breaking at spaces where it can. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(width, 1);
  const out: string[] = [];
  for (const line of text.split("\n")) {
    let rest = [...line];
    if (rest.length === 0) out.push("");
    while (rest.length > 0) {
      if (rest.length <= w) {
        out.push(rest.join(""));
        break;
      }
      let cut = rest.lastIndexOf(" ", w);
      if (cut <= 0) cut = w;
      out.push(rest.slice(0, cut).join(""));
      rest = rest.slice(rest[cut] === " " ? cut + 1 : cut);
    }
  }
  return out;
}

/** Paints pane `pane` into `v.rect` (row 0 its header). */
export function paintPane(surface: CellSurface, pane: PaneMirror, v: PaneView, o: PaintOptions): void {
  const r = v.rect;
  const focused = o.focused;
  const copy = v.copy;
  const rows = r.h - 1;
  // Header: number, label, RTT, state.
  let state = "";
  let hs = focused ? HEADER_FOCUS : HEADER;
  if (pane.state === "stalled") {
    state = ` ⚠ no ${pane.stallKind} ${pane.stalledSeconds(o.now)}s`;
    hs = HEADER_STALL;
  } else if (pane.state === "ended") {
    state = " [ended]";
    hs = HEADER_ENDED;
  } else if (pane.state === "failed") {
    state = " [failed]";
    hs = HEADER_ENDED;
  } else if (pane.state === "connecting") {
    if (o.asking) state = " asking…";
    else if (o.waiting) state = " waiting to ask";
    else state = " connecting…";
  }
  const rtt = pane.rtt;
  let mode = "";
  if (copy) {
    const { up, max } = copy.position(Math.max(rows, 1));
    mode = ` [scroll ${up}/${max}]${copy.anchor ? (copy.rect ? " [rect]" : " [sel]") : ""}`;
  }
  const zoom = o.zoomed ? " [Z]" : "";
  const header = `${focused ? "▶" : " "}${pane.id} ${pane.label}${rtt !== null && pane.state === "live" ? ` ${Math.round(rtt)}ms` : ""}${state}${zoom}${mode} `;
  const hkey = `${header}|${hs === HEADER_FOCUS ? 1 : 0}${hs === HEADER_STALL ? 2 : 0}${hs === HEADER_ENDED ? 3 : 0}|${r.w}`;
  if (hkey !== v.header) {
    v.header = hkey;
    const used = surface.text(r.y, r.x, r.w, hs, header, false);
    const fill = focused ? HEADER_FOCUS : BORDER;
    for (let x = used; x < r.w; x++) surface.put(r.y, r.x + x, "─", fill.attrs, fill.fg, fill.bg);
  }
  // Content rows.
  const frame = pane.frame();
  // Text instead of the screen: why it failed, or what SSH says and asks while connecting.
  const text = paneText(pane, r.w, rows, o.asking);
  // Copy mode's rows carry highlights: drawn afresh every time (the grid sends only what changed).
  if (copy) v.drawn = [];
  for (let y = 0; y < rows; y++) {
    const sy = r.y + 1 + y;
    let want: Row | string | null;
    // (The lag warning is mosh's notification bar, drawn into the session's overlay frame.)
    if (pane.state === "failed") want = text[y] ?? null;
    else if (y < text.length) want = text[y];
    else if (y === rows - 1 && pane.state === "ended" && !copy)
      want = `![session ended — press ${o.prefix} x to close]`;
    else if (copy) {
      const n = copy.top + y;
      const row = copy.line(n);
      if (row) {
        paintRow(surface, sy, r.x, r.w, row);
        highlight(surface, sy, r.x, r.w, row, copy, n);
        continue;
      }
      want = null;
    } else want = y < frame.rows ? frame.row(y) : null;
    if (v.drawn[y] === want && want !== undefined && v.drawn.length > y) continue;
    v.drawn[y] = want;
    if (want === null) surface.text(sy, r.x, r.w, PLAIN, "");
    else if (typeof want === "string")
      surface.text(sy, r.x, r.w, want[0] === "!" ? NOTICE : PLAIN, want.slice(1));
    else paintRow(surface, sy, r.x, r.w, want);
  }
}

/** Restyles the cells of line `n` that copy mode highlights: search matches, the match at the cursor, the selection. */
function highlight(
  surface: CellSurface,
  sy: number,
  sx: number,
  w: number,
  row: Row,
  copy: CopyMode,
  n: number,
): void {
  const restyle = (from: number, to: number, st: CellStyle): void => {
    for (let x = Math.max(from, 0); x <= Math.min(to, w - 1, row.cols - 1); x++) {
      const width = row.cellWidth(x);
      const ch =
        width === 0 ? "" : row.cellEmpty(x) ? " " : width === 2 && x + 1 >= w ? " " : row.cellText(x);
      surface.put(sy, sx + x, ch, st.attrs | (row.meta[x] & (Attr.bold | Attr.underline)), st.fg, st.bg);
    }
  };
  for (const m of copy.matchesOn(n))
    restyle(m.x, m.x + m.w - 1, copy.isCurrentMatch(n, m) ? CURRENT_MATCH : MATCH);
  const sel = copy.selectedOn(n);
  if (sel) restyle(sel[0], sel[1], SELECTION);
}

/**
 * The text rows a pane shows instead of its screen (`!` notice, `~` plain): a failed pane's
 * error; a connecting pane's SSH messages and the earlier lines of the question it asks.
 */
function paneText(pane: PaneMirror, w: number, rows: number, asking: PaneAsking | null): string[] {
  if (pane.state === "failed")
    return wrap(`failed: ${pane.error}`, w).map((l, i) => (i === 0 ? "!" : "~") + l);
  if (pane.state !== "connecting") return [];
  if (pane.notes.length === 0 && !asking) return [];
  const out: string[] = [];
  for (const note of pane.notes) for (const l of wrap(note, w)) out.push(`~${l}`);
  if (asking) {
    for (const b of asking.body) for (const l of wrap(b, w)) out.push(`~${l}`);
    out.push(`!${asking.secret ? "typing is not shown" : "answer below"}: Enter answers, Esc cancels`);
  }
  return out.length > rows ? out.slice(out.length - rows) : out;
}

function paintRow(surface: CellSurface, sy: number, sx: number, w: number, row: Row): void {
  const n = Math.min(w, row.cols);
  const { meta, fg, bg } = row;
  for (let x = 0; x < n; x++) {
    const width = meta[x] >> 8;
    const attrs = meta[x] & ATTR_MASK;
    if (width === 0) {
      surface.put(sy, sx + x, x > 0 ? "" : " ", attrs, fg[x], bg[x]);
      continue;
    }
    // A wide character cut by the pane's edge shows as a space.
    const ch = row.cellEmpty(x) || (width === 2 && x + 1 >= w) ? " " : row.cellText(x);
    surface.put(sy, sx + x, ch, attrs, fg[x], bg[x]);
  }
  for (let x = n; x < w; x++) surface.put(sy, sx + x, " ", 0, 0, 0);
}
