// Paints one pane on the surface: its header (number, label, RTT, state) and its rows (screen, scrollback, or the text of a failed or connecting pane), skipping rows already drawn.
import type { Row } from "../sdk/terminal/frame.js";
import { BLESSED_DEFAULT, BlessedFlag, blessedAttr, packAttr } from "./cell-style.js";
import type { CellSurface } from "./cell-surface.js";
import type { Rect } from "./layout.js";
import type { PaneMirror } from "./view-state.js";

/** What the TUI shows of one pane, and what it drew there last. */
export interface PaneView {
  rect: Rect;
  /** What each content row shows: a Row (by identity) or a synthetic key. */
  drawn: Array<Row | string | null>;
  header: string;
  /** Scrollback browsing: rows up from the live screen (0 = live), and the search string. */
  scroll: number;
  search: string;
  /** Scrollback index of the last search hit (-1: none). */
  lastHit: number;
}

/** A fresh view of a pane (nothing drawn, not scrolled). */
export function newPaneView(): PaneView {
  return { rect: { x: 0, y: 0, w: 0, h: 0 }, drawn: [], header: "", scroll: 0, search: "", lastHit: -1 };
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

export const BORDER_ATTR = packAttr(0, 8, BLESSED_DEFAULT);
const HEADER_ATTR = packAttr(0, 7, 236);
const HEADER_FOCUS_ATTR = packAttr(BlessedFlag.bold, 0, 2);
const HEADER_STALL_ATTR = packAttr(BlessedFlag.bold, 15, 1);
const HEADER_ENDED_ATTR = packAttr(0, 15, 8);
const NOTICE_ATTR = packAttr(BlessedFlag.bold, 15, 8);

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
  // Header: number, label, RTT, state.
  let state = "";
  let attr = focused ? HEADER_FOCUS_ATTR : HEADER_ATTR;
  if (pane.state === "stalled") {
    state = ` ⚠ no ${pane.stallKind} ${pane.stalledSeconds(o.now)}s`;
    attr = HEADER_STALL_ATTR;
  } else if (pane.state === "ended") {
    state = " [ended]";
    attr = HEADER_ENDED_ATTR;
  } else if (pane.state === "failed") {
    state = " [failed]";
    attr = HEADER_ENDED_ATTR;
  } else if (pane.state === "connecting") {
    if (o.asking) state = " asking…";
    else if (o.waiting) state = " waiting to ask";
    else state = " connecting…";
  }
  const rtt = pane.rtt;
  const scroll = v.scroll > 0 ? ` [scroll ${v.scroll}/${pane.scrollback.length}]` : "";
  const zoom = o.zoomed ? " [Z]" : "";
  const header = `${focused ? "▶" : " "}${pane.id} ${pane.label}${rtt !== null && pane.state === "live" ? ` ${Math.round(rtt)}ms` : ""}${state}${zoom}${scroll} `;
  const hkey = `${header}|${attr}|${r.w}`;
  if (hkey !== v.header) {
    v.header = hkey;
    const used = surface.text(r.y, r.x, r.w, attr, header, false);
    for (let x = used; x < r.w; x++)
      surface.put(r.y, r.x + x, focused ? HEADER_FOCUS_ATTR : BORDER_ATTR, "─");
  }
  // Content rows.
  const rows = r.h - 1;
  const frame = pane.frame();
  const sb = pane.scrollback;
  // Text instead of the screen: why it failed, or what SSH says and asks while connecting.
  const text = paneText(pane, r.w, rows, o.asking);
  const def = surface.defaultAttr;
  for (let y = 0; y < rows; y++) {
    const sy = r.y + 1 + y;
    let want: Row | string | null;
    // (The lag warning is mosh's notification bar, drawn into the session's overlay frame.)
    if (pane.state === "failed") want = text[y] ?? null;
    else if (y < text.length) want = text[y];
    else if (y === rows - 1 && pane.state === "ended")
      want = `![session ended — press ${o.prefix} x to close]`;
    else {
      // With scroll = k the view starts k rows up into the scrollback.
      const idx = y - v.scroll;
      if (idx < 0) {
        const si = sb.length + idx;
        want = si >= 0 ? sb.row(si) : null;
      } else want = idx < frame.rows ? frame.row(idx) : null;
    }
    if (v.drawn[y] === want && want !== undefined && v.drawn.length > y) continue;
    v.drawn[y] = want;
    if (want === null) surface.text(sy, r.x, r.w, def, "");
    else if (typeof want === "string")
      surface.text(sy, r.x, r.w, want[0] === "!" ? NOTICE_ATTR : def, want.slice(1));
    else paintRow(surface, sy, r.x, r.w, want);
  }
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
  for (let x = 0; x < n; x++) {
    const width = row.cellWidth(x);
    const attr = blessedAttr(row.cellAttrs(x), row.fg[x], row.bg[x]);
    if (width === 0) {
      surface.put(sy, sx + x, attr, " ");
      continue;
    }
    let ch = row.cellEmpty(x) ? " " : row.cellText(x);
    if (width === 2 && x + 1 >= w) ch = " ";
    surface.put(sy, sx + x, attr, ch);
    // blessed prints a wide character and skips the cell after it; always repaint both.
    if (width === 2) surface.touch(sy);
  }
  const def = surface.defaultAttr;
  for (let x = n; x < w; x++) surface.put(sy, sx + x, def, " ");
}
