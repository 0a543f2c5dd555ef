// The status line (session name, every pane's state, the prefix hint; or the dialog, prompt or notice), shortened step by step when the panes do not fit, and the key-binding help box.
import { Attr } from "../sdk/terminal/frame.js";
import { type CellStyle, style } from "./cell-style.js";
import type { CellSurface } from "./cell-surface.js";
import { COMMANDS } from "./config.js";
import type { Rect } from "./layout.js";
import type { Mode } from "./mode.js";
import type { ModeKeys } from "./scroll-view.js";
import type { PaneMirror } from "./view-state.js";

const STATUS: CellStyle = style(0, 0, 6);
const STATUS_FOCUS: CellStyle = style(Attr.bold, 15, 4);
const STATUS_STALL: CellStyle = style(Attr.bold, 15, 1);
const HELP: CellStyle = style(0, 15, 0);

/** What the status line shows. */
export interface StatusInfo {
  mode: Mode;
  /** A notice shown instead of the panes ("" for none). */
  notice: string;
  /** The prefix was pressed. */
  armed: boolean;
  prefix: string;
  /** The server's socket name. */
  name: string;
  order: readonly number[];
  panes: ReadonlyMap<number, PaneMirror>;
  focus: number;
  now: number;
}

/** A run of text in one style. */
export interface Segment {
  text: string;
  style: CellStyle;
}

/** Cuts `s` to `n` characters, the last one an ellipsis when it was longer. */
function cut(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, Math.max(n - 1, 0)).join("")}…`;
}

/** How much of a pane's entry the status line shows, from everything (0) to its number alone (4). */
type Detail = 0 | 1 | 2 | 3 | 4;

/** One pane's entry at a level of detail: with its label (cut at 12, then 6 characters), RTT and state, down to its number and a mark. */
function entry(p: PaneMirror, id: number, d: Detail, now: number): string {
  const live = p.state === "live";
  const rtt = p.rtt !== null && live ? `${Math.round(p.rtt)}ms` : "";
  const stalled = p.state === "stalled";
  if (d === 4) return ` ${id}${stalled ? "!" : live ? "" : p.state === "connecting" ? "…" : "×"} `;
  const st = stalled ? `stalled ${p.stalledSeconds(now)}s` : p.state;
  if (d === 3)
    return ` ${id}${rtt ? ` ${rtt}` : ""}${live ? "" : ` ${stalled ? `!${p.stalledSeconds(now)}s` : st}`} `;
  const label = d === 0 || d === 1 ? p.label : cut(p.label, d === 2 ? 12 : 6);
  const tail = d === 0 ? ` ${rtt ? `${rtt} ` : ""}${st}` : `${rtt ? ` ${rtt}` : ""}${live ? "" : ` ${st}`}`;
  return ` ${id}:${label}${tail} `;
}

/**
 * The status line's segments for `width` cells: the lead (the socket name, or the prefix while
 * it is pressed), every pane's entry, the help hint. When they do not fit, the hint goes first,
 * then the panes lose detail step by step (the focused pane keeps more than the others), and as
 * a last resort the panes farthest from the focused one give way to a `+N` count. Never more
 * than `width` cells.
 */
export function statusSegments(o: StatusInfo, width: number): Segment[] {
  const lead: Segment = { text: o.armed ? ` ${o.prefix} ` : ` ${cut(o.name, 16)} `, style: STATUS_FOCUS };
  const hint: Segment = { text: ` ${o.prefix} ? help `, style: STATUS };
  const ids = o.order.filter((id) => o.panes.has(id));
  const styleOf = (id: number): CellStyle =>
    o.panes.get(id)?.state === "stalled" ? STATUS_STALL : id === o.focus ? STATUS_FOCUS : STATUS;
  const entries = (d: Detail, focusDetail: Detail, list: number[]): Segment[] => {
    const out: Segment[] = [];
    for (const id of list) {
      const p = o.panes.get(id);
      if (!p) continue;
      if (out.length > 0) out.push({ text: "│", style: STATUS });
      out.push({ text: entry(p, id, id === o.focus ? focusDetail : d, o.now), style: styleOf(id) });
    }
    return out;
  };
  const len = (segs: Segment[]): number => segs.reduce((n, s) => n + [...s.text].length, 0);
  const room = width - len([lead]);
  // Every pane in full with the hint; then without the hint, at less and less detail.
  const full = entries(0, 0, ids);
  const withHint = len(full) + len([hint]) + 1;
  if (withHint <= room) return [lead, ...full, ...pad(room - withHint + 1), hint];
  for (const [d, fd] of [
    [0, 0],
    [1, 1],
    [2, 1],
    [3, 1],
    [3, 2],
    [4, 2],
    [4, 3],
    [4, 4],
  ] as Array<[Detail, Detail]>) {
    const segs = entries(d, fd, ids);
    if (len(segs) <= room) return [lead, ...segs];
  }
  // Not even the numbers fit: the focused pane and its nearest neighbours, and how many are left out.
  const at = Math.max(ids.indexOf(o.focus), 0);
  let from = at;
  let to = at + 1;
  const more = (shown: number): Segment => ({ text: ` +${ids.length - shown} `, style: STATUS });
  for (;;) {
    const wider = [from > 0 ? [from - 1, to] : null, to < ids.length ? [from, to + 1] : null].filter(
      (r): r is number[] => r !== null,
    );
    let grown = false;
    for (const [f, t] of wider) {
      const segs = entries(4, 3, ids.slice(f, t));
      if (len(segs) + len([more(t - f)]) <= room) {
        from = f;
        to = t;
        grown = true;
        break;
      }
    }
    if (!grown) break;
  }
  const segs = entries(4, 3, ids.slice(from, to));
  if (len(segs) + len([more(to - from)]) > room)
    return [lead, { text: cut(segs.map((s) => s.text).join(""), room), style: STATUS_FOCUS }];
  return [lead, ...segs, more(to - from)];
}

function pad(n: number): Segment[] {
  return n > 0 ? [{ text: " ".repeat(n), style: STATUS }] : [];
}

/** Paints the status line (the last row). */
export function paintStatus(surface: CellSurface, o: StatusInfo): void {
  const y = surface.rows - 1;
  const w = surface.cols;
  const mode = o.mode;
  if (mode.kind === "confirm") {
    surface.text(y, 0, w, STATUS_FOCUS, ` ${mode.question}`);
    return;
  }
  if (mode.kind === "prompt") {
    // A secret answer is not shown at all (as OpenSSH: nothing is echoed).
    surface.text(y, 0, w, STATUS_FOCUS, ` ${mode.question}${mode.secret ? "" : mode.text}`);
    return;
  }
  if (o.notice) {
    surface.text(y, 0, w, STATUS_FOCUS, ` ${o.notice}`);
    return;
  }
  let x = 0;
  for (const seg of statusSegments(o, w)) x += surface.text(y, x, w - x, seg.style, seg.text, false);
  if (x < w) surface.text(y, x, w - x, STATUS, "");
}

/** Paints the key-binding help box in the middle of `area`. */
export function paintHelp(
  surface: CellSurface,
  area: Rect,
  prefix: string,
  bindings: ReadonlyMap<string, string>,
  modeKeys: ModeKeys,
): void {
  const lines = [
    `mosh-mux keys: press ${prefix}, then:`,
    "",
    ...[...bindings].map(([k, c]) => `  ${k.padEnd(8)} ${COMMANDS[c] ?? c}`),
    `  ${prefix.padEnd(8)} send ${prefix} to the pane`,
    "",
    ...(modeKeys === "vi"
      ? [
          "copy mode: arrows hjkl w b PgUp PgDn g G, Space/v select (C-v: block),",
          "  Enter/y copy, / ? search down/up, n N again, q Esc leave",
        ]
      : [
          "copy mode: arrows C-n C-p M-v C-v M-< M->, C-Space select (R: block),",
          "  M-w copy, C-s C-r search down/up, n N again, q Esc leave",
        ]),
    "any key closes this help",
  ];
  const w = Math.min(area.w - 2, Math.max(...lines.map((l) => l.length)) + 4);
  const h = Math.min(area.h - 2, lines.length + 2);
  const x0 = area.x + Math.max(Math.floor((area.w - w) / 2), 0);
  const y0 = area.y + Math.max(Math.floor((area.h - h) / 2), 0);
  for (let y = 0; y < h; y++) {
    const text = y === 0 || y === h - 1 ? "" : `  ${lines[y - 1] ?? ""}`;
    surface.text(y0 + y, x0, w, HELP, text);
  }
}
