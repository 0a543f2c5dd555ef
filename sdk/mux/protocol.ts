// The mosh-mux socket protocol: its messages, JSON-lines framing, and the compact encoding of screen rows and frames.
//
// Wire format, between the mosh-mux background process (the server) and its clients (the mosh-mux
// TUI, `mosh-mux ls`, scripts through the SDK's MuxClient), over a Unix stream socket:
//
// - Every message is one JSON object on one line of UTF-8, ended by "\n" (JSON never holds a raw
//   newline). Field `t` names the message. Lines longer than MAX_LINE are a protocol error.
// - The client speaks first: `hello` with PROTOCOL_VERSION; the server answers `welcome` (its pid,
//   name, version) or `error` and closes.
// - Requests carry a numeric `id`; the server answers each with `ok` (same id, plus results) or
//   `error` (same id, code and message). Everything else the server sends is an event, without id.
// - A client becomes a view (the TUI) with `attach`: it then gets the layout, every pane's info and
//   screen (with overlays: predictions, mosh's notification bar), rows that scroll off (`scroll`,
//   first the backlog), questions, and `exit` when the server goes. Its size counts for the layout.
//   A client watches one pane with `watch`: info and screen of that pane only (the server's screen
//   without overlays unless `overlay`).
// - A screen row is [text, lens, styles, wrap]: `text` is every cell's grapheme back to back;
//   `lens` run-length pairs [graphemeLength, count, ...] over the cells (0 = empty cell); `styles`
//   run-length quads [count, meta, fg, bg, ...] (meta = width << 8 | attribute bits; colours packed
//   as in Frame); `wrap` 1 or 0. A `frame` event carries the pane's size, the rows that changed since
//   the last frame this client got for the pane as [y, row] pairs (every row when `full`), and the
//   frame's state (cursor, title, modes) when it changed.
import type { LinkDirectionProfile } from "../linkem/link-direction.js";
import {
  blankRow,
  Frame,
  type FrameState,
  INITIAL_STATE,
  type Row,
  Row as RowClass,
  rowEquals,
} from "../terminal/frame.js";
import { MuxError } from "./errors.js";

/** Version of this protocol; a server and client of different versions refuse each other. */
export const PROTOCOL_VERSION = 1;

/** Longest line accepted (a backlog of scrollback goes in chunks far below this). */
export const MAX_LINE = 16 * 1024 * 1024;

/** What a mux pane connects to. */
export type MuxPaneSource =
  | {
      /** A mosh server in the background process, on loopback (no SSH). */
      kind: "local";
      /** Program and arguments (default: the login shell). */
      command?: string[];
      /** Put a link emulator between the pane's client and server (delay, loss...). */
      link?: { toServer: LinkDirectionProfile; toClient: LinkDirectionProfile; seed?: number };
      /** Label shown in the pane's header and the status line. */
      label?: string;
    }
  | {
      /** `[user@]host[:command]` over the SSH bootstrap (its questions go to attached clients). */
      kind: "ssh";
      /** The target, as on mosh-mux's command line. */
      target: string;
    };

/** A pane's life: opening, live, stalled (no contact), ended, or failed to open. */
export type MuxPaneState = "connecting" | "live" | "stalled" | "ended" | "failed";

/** What a client learns about a pane. */
export interface MuxPaneInfo {
  /** Pane number (stable; shown in headers). */
  id: number;
  /** Header and status-line label. */
  label: string;
  /** What it connects to. */
  source: MuxPaneSource;
  /** Its state. */
  state: MuxPaneState;
  /** Smoothed round-trip time in ms (rounded), null before contact. */
  rtt: number | null;
  /** While stalled: since when (ms since the epoch) there was no contact; else null. */
  stalledSince: number | null;
  /** What a stall is about: no new server state (`contact`) or our input unacknowledged (`reply`). */
  stallKind: "contact" | "reply";
  /** How many times the session moved to a new local port (mosh's port hop after silence). */
  roams: number;
  /** Why opening failed (state `failed`), else "". */
  error: string;
  /** What SSH said while connecting (warnings, banner), one line each. */
  notes: string[];
  /** Size of the pane's screen. */
  cols: number;
  rows: number;
  /** Whether it has the focus. */
  focused: boolean;
  /** Rows in its scrollback. */
  scrollback: number;
  /** Most rows its scrollback keeps. */
  scrollbackLimit: number;
}

/** A question an SSH pane asks (unknown host key, passphrase, password), waiting for an answer. */
export interface MuxQuestion {
  /** Question number (for {@link MuxClient.answer}). */
  id: number;
  /** The pane that asks. */
  pane: number;
  /** The question; its last line is the prompt itself. */
  text: string;
  /** Whether the answer may be shown (false: a secret). */
  echo: boolean;
}

/** Commands on the layout, as the prefix keys run them. */
export const LAYOUT_COMMANDS = [
  "split-h",
  "split-v",
  "focus-left",
  "focus-right",
  "focus-up",
  "focus-down",
  "focus-next",
  "focus",
  "zoom",
  "equalise",
  "resize-left",
  "resize-right",
  "resize-up",
  "resize-down",
  "layout-even-horizontal",
  "layout-even-vertical",
  "layout-tiled",
] as const;

/** A layout command. */
export type LayoutCommand = (typeof LAYOUT_COMMANDS)[number];

/** Preset layouts (tmux's). */
export type MuxPreset = "even-horizontal" | "even-vertical" | "tiled";

/** A compact screen row (see the header of this file). */
export type EncodedRow = [text: string, lens: number[], styles: number[], wrap: 0 | 1];

/** Demo link flapping, started on the panes labelled "flaky link" of an `open`. */
export interface FlapSpec {
  upMs: number;
  downMs: number;
}

/** Messages a client sends. */
export type ClientMessage =
  | { t: "hello"; v: number; version: string }
  | { t: "list"; id: number }
  | { t: "attach"; id: number; cols: number; rows: number }
  | { t: "watch"; id: number; pane: number; overlay?: boolean }
  | { t: "unwatch"; id: number; pane: number }
  | { t: "input"; pane?: number; data: string }
  | { t: "resize"; cols: number; rows: number }
  | { t: "command"; id?: number; name: LayoutCommand; pane?: number }
  | {
      t: "open";
      id: number;
      sources: MuxPaneSource[];
      layout?: MuxPreset;
      split?: "h" | "v";
      scrollbackLines?: number;
      flap?: FlapSpec;
    }
  | { t: "close"; id: number; pane: number }
  | { t: "answer"; q: number; text: string }
  | { t: "cancel"; q: number }
  | { t: "scrollback"; id: number; pane: number }
  | { t: "kill-server"; id: number };

/** Geometry of the shared view: the area's size, pane rectangles (header row included), focus, zoom. */
export interface LayoutMessage {
  t: "layout";
  /** Size of the client terminal the layout was made for (the status line is its last row). */
  cols: number;
  rows: number;
  focus: number;
  zoomed: number | null;
  /** Pane ids in layout order (left to right, top to bottom). */
  order: number[];
  /** [id, x, y, w, h] of each visible pane. */
  rects: Array<[number, number, number, number, number]>;
}

/** A pane's screen, as changes against the last one this client got. */
export interface FrameMessage {
  t: "frame";
  pane: number;
  cols: number;
  rows: number;
  /** Every row is in `lines` (the client starts from a blank screen). */
  full?: 1;
  /** [y, row] of the rows that changed. */
  lines: Array<[number, EncodedRow]>;
  /** The frame's state, when it changed. */
  state?: FrameState;
}

/** Messages the server sends. */
export type ServerMessage =
  | { t: "welcome"; v: number; version: string; pid: number; name: string; created: number }
  | { t: "ok"; id: number; panes?: MuxPaneInfo[]; ids?: number[]; lines?: string[]; clients?: number }
  | { t: "error"; id?: number; code: string; message: string }
  | LayoutMessage
  | { t: "pane"; info: MuxPaneInfo }
  | FrameMessage
  | { t: "scroll"; pane: number; rows: EncodedRow[] }
  | { t: "gone"; pane: number }
  | { t: "questions"; list: MuxQuestion[] }
  | { t: "exit"; reason: "killed" | "empty" };

/** Splits a stream of text into lines; holds a partial line until its newline arrives. */
export class LineReader {
  #buf = "";

  /** The complete lines in `chunk` (and before it); throws a protocol MuxError on an overlong line. */
  push(chunk: string): string[] {
    const s = this.#buf + chunk;
    const parts = s.split("\n");
    this.#buf = parts.pop() ?? "";
    if (this.#buf.length > MAX_LINE) {
      this.#buf = "";
      throw new MuxError("protocol", `line longer than ${MAX_LINE} characters`);
    }
    return parts;
  }
}

/** One message as a line. */
export function encodeMessage(msg: ClientMessage | ServerMessage): string {
  return `${JSON.stringify(msg)}\n`;
}

/** Parses a line into an object with a string `t`; throws a protocol MuxError otherwise. */
export function decodeMessage<T extends { t: string }>(line: string): T {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new MuxError("protocol", "a line that is not JSON");
  }
  if (v === null || typeof v !== "object" || typeof (v as { t?: unknown }).t !== "string")
    throw new MuxError("protocol", "a message without a type");
  return v as T;
}

// ---- rows and frames ----

/** A row in the compact form. */
export function encodeRow(row: Row): EncodedRow {
  const lens: number[] = [];
  const styles: number[] = [];
  const { offsets, meta, fg, bg } = row;
  let len = -1;
  let lenCount = 0;
  let sMeta = -1;
  let sFg = -1;
  let sBg = -1;
  let sCount = 0;
  for (let x = 0; x < row.cols; x++) {
    const l = offsets[x + 1] - offsets[x];
    if (l === len) lenCount++;
    else {
      if (lenCount > 0) lens.push(len, lenCount);
      len = l;
      lenCount = 1;
    }
    if (meta[x] === sMeta && fg[x] === sFg && bg[x] === sBg) sCount++;
    else {
      if (sCount > 0) styles.push(sCount, sMeta, sFg, sBg);
      sMeta = meta[x];
      sFg = fg[x];
      sBg = bg[x];
      sCount = 1;
    }
  }
  if (lenCount > 0) lens.push(len, lenCount);
  if (sCount > 0) styles.push(sCount, sMeta, sFg, sBg);
  return [row.text, lens, styles, row.wrap ? 1 : 0];
}

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0;
}

function bad(what: string): MuxError {
  return new MuxError("protocol", `bad ${what} in a screen row`);
}

/**
 * A row from the compact form, checked; throws a protocol MuxError if it does not add up to `cols`
 * cells (default: as many as its cell lengths say).
 */
export function decodeRow(e: unknown, cols?: number): Row {
  if (!Array.isArray(e) || e.length !== 4) throw bad("row");
  const [text, lens, styles, wrap] = e as unknown[];
  if (typeof text !== "string" || !Array.isArray(lens) || !Array.isArray(styles)) throw bad("row");
  if (cols === undefined) {
    cols = 0;
    for (let i = 1; i < lens.length; i += 2) cols += isCount(lens[i]) ? lens[i] : 0;
    if (cols > 10000) throw bad("cell lengths");
  }
  const offsets = new Uint32Array(cols + 1);
  const meta = new Uint16Array(cols);
  const fg = new Uint32Array(cols);
  const bg = new Uint32Array(cols);
  let x = 0;
  let off = 0;
  for (let i = 0; i + 1 < lens.length; i += 2) {
    const l = lens[i];
    const n = lens[i + 1];
    if (!isCount(l) || !isCount(n) || x + n > cols) throw bad("cell lengths");
    for (let k = 0; k < n; k++) {
      offsets[x++] = off;
      off += l;
    }
  }
  if (x !== cols || off !== text.length) throw bad("cell lengths");
  offsets[cols] = off;
  x = 0;
  for (let i = 0; i + 3 < styles.length; i += 4) {
    const n = styles[i];
    const m = styles[i + 1];
    const f = styles[i + 2];
    const b = styles[i + 3];
    if (!isCount(n) || !isCount(m) || !isCount(f) || !isCount(b) || x + n > cols) throw bad("styles");
    meta.fill(m, x, x + n);
    fg.fill(f, x, x + n);
    bg.fill(b, x, x + n);
    x += n;
  }
  if (x !== cols) throw bad("styles");
  return new RowClass(text, offsets, meta, fg, bg, wrap === 1);
}

function sameState(a: Frame, b: Frame): boolean {
  return (
    a.cursorRow === b.cursorRow &&
    a.cursorCol === b.cursorCol &&
    a.cursorVisible === b.cursorVisible &&
    a.title === b.title &&
    a.iconName === b.iconName &&
    a.titleSet === b.titleSet &&
    a.clipboard === b.clipboard &&
    a.bellCount === b.bellCount &&
    a.reverseVideo === b.reverseVideo &&
    a.bracketedPaste === b.bracketedPaste &&
    a.mouseMode === b.mouseMode &&
    a.mouseEncoding === b.mouseEncoding &&
    a.focusEvents === b.focusEvents
  );
}

/** Turns successive frames of one pane into `frame` messages for one client: only what changed. */
export class FrameEncoder {
  #last: Frame | null = null;

  /** The message taking the client from the last frame to `frame`, or null when nothing changed. */
  encode(pane: number, frame: Frame): FrameMessage | null {
    const last = this.#last;
    if (last === frame) return null;
    this.#last = frame;
    const full = !last || last.cols !== frame.cols || last.rows !== frame.rows;
    const lines: Array<[number, EncodedRow]> = [];
    for (let y = 0; y < frame.rows; y++) {
      const row = frame.grid[y];
      if (!full && last && (last.grid[y] === row || rowEquals(last.grid[y], row))) continue;
      lines.push([y, encodeRow(row)]);
    }
    const stateChanged = full || !last || !sameState(last, frame);
    if (!full && lines.length === 0 && !stateChanged) return null;
    const msg: FrameMessage = { t: "frame", pane, cols: frame.cols, rows: frame.rows, lines };
    if (full) msg.full = 1;
    if (stateChanged) msg.state = frame.state();
    return msg;
  }
}

/** Rebuilds a pane's frames from `frame` messages (unchanged rows stay the same objects). */
export class FrameDecoder {
  #frame: Frame | null = null;

  /** The current frame (null before the first message). */
  get frame(): Frame | null {
    return this.#frame;
  }

  /** Applies a message; returns the new frame. Throws a protocol MuxError on a malformed one. */
  apply(msg: FrameMessage): Frame {
    const cols = msg.cols;
    const rows = msg.rows;
    if (!isCount(cols) || !isCount(rows) || cols < 1 || rows < 1 || cols > 10000 || rows > 10000)
      throw new MuxError("protocol", "bad frame size");
    const prev = this.#frame;
    const resized = !prev || prev.cols !== cols || prev.rows !== rows;
    const grid: Row[] = resized || msg.full ? new Array<Row>(rows).fill(blankRow(cols)) : [...prev.grid];
    if (!Array.isArray(msg.lines)) throw new MuxError("protocol", "bad frame rows");
    for (const entry of msg.lines) {
      if (!Array.isArray(entry) || !isCount(entry[0]) || entry[0] >= rows)
        throw new MuxError("protocol", "bad frame row index");
      grid[entry[0]] = decodeRow(entry[1], cols);
    }
    const state: FrameState = msg.state ?? (resized || !prev ? INITIAL_STATE : prev.state());
    this.#frame = new Frame(cols, rows, grid, state);
    return this.#frame;
  }
}
