// The status line (session name, every pane's state, the prefix hint; or the dialog, prompt or notice) and the key-binding help box.
import { BlessedFlag, packAttr } from "./cell-style.js";
import type { CellSurface } from "./cell-surface.js";
import { COMMANDS } from "./config.js";
import type { Rect } from "./layout.js";
import type { Mode } from "./mode.js";
import type { PaneMirror } from "./view-state.js";

const STATUS_ATTR = packAttr(0, 0, 6);
const STATUS_FOCUS_ATTR = packAttr(BlessedFlag.bold, 15, 4);
const STATUS_STALL_ATTR = packAttr(BlessedFlag.bold, 15, 1);
const HELP_ATTR = packAttr(0, 15, 0);

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

/** Paints the status line (the last row). */
export function paintStatus(surface: CellSurface, o: StatusInfo): void {
  const y = surface.rows - 1;
  const w = surface.cols;
  const mode = o.mode;
  if (mode.kind === "confirm") {
    surface.text(y, 0, w, STATUS_FOCUS_ATTR, ` ${mode.question}`);
    return;
  }
  if (mode.kind === "prompt") {
    // A secret answer is not shown at all (as OpenSSH: nothing is echoed).
    surface.text(y, 0, w, STATUS_FOCUS_ATTR, ` ${mode.question}${mode.secret ? "" : mode.text}`);
    return;
  }
  if (o.notice) {
    surface.text(y, 0, w, STATUS_FOCUS_ATTR, ` ${o.notice}`);
    return;
  }
  let x = 0;
  const lead = o.armed ? ` ${o.prefix} ` : ` ${o.name} `;
  x += surface.text(y, x, w - x, STATUS_FOCUS_ATTR, lead, false);
  for (const id of o.order) {
    const p = o.panes.get(id);
    if (!p || x >= w) continue;
    const rtt = p.rtt;
    const st = p.state === "stalled" ? `stalled ${p.stalledSeconds(o.now)}s` : p.state;
    const item = ` ${id}:${p.label} ${rtt !== null && p.state === "live" ? `${Math.round(rtt)}ms ` : ""}${st} `;
    const attr = p.state === "stalled" ? STATUS_STALL_ATTR : id === o.focus ? STATUS_FOCUS_ATTR : STATUS_ATTR;
    x += surface.text(y, x, w - x, attr, item, false);
    if (x < w) x += surface.text(y, x, 1, STATUS_ATTR, "│", false);
  }
  const hint = ` ${o.prefix} ? help `;
  const rest = w - x;
  if (rest > 0) {
    const pad = rest > hint.length ? " ".repeat(rest - hint.length) + hint : " ".repeat(rest);
    surface.text(y, x, rest, STATUS_ATTR, pad);
  }
}

/** Paints the key-binding help box in the middle of `area`. */
export function paintHelp(
  surface: CellSurface,
  area: Rect,
  prefix: string,
  bindings: ReadonlyMap<string, string>,
): void {
  const lines = [
    `mosh-mux keys: press ${prefix}, then:`,
    "",
    ...[...bindings].map(([k, c]) => `  ${k.padEnd(8)} ${COMMANDS[c] ?? c}`),
    `  ${prefix.padEnd(8)} send ${prefix} to the pane`,
    "",
    "in scrollback: Up/Down/PgUp/PgDn g G, / search, n next, q leaves",
    "any key closes this help",
  ];
  const w = Math.min(area.w - 2, Math.max(...lines.map((l) => l.length)) + 4);
  const h = Math.min(area.h - 2, lines.length + 2);
  const x0 = area.x + Math.max(Math.floor((area.w - w) / 2), 0);
  const y0 = area.y + Math.max(Math.floor((area.h - h) / 2), 0);
  for (let y = 0; y < h; y++) {
    const text = y === 0 || y === h - 1 ? "" : `  ${lines[y - 1] ?? ""}`;
    surface.text(y0 + y, x0, w, HELP_ATTR, text);
  }
}
