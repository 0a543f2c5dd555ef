// The TUI's copy of the background process's view: layout, focus, each pane's state, screen and scrollback, and the questions waiting, kept up to date from server messages.
import {
  decodeRow,
  FrameDecoder,
  type MuxPaneInfo,
  type MuxQuestion,
  type ServerMessage,
} from "../sdk/mux/protocol.js";
import { blankFrame, type Frame } from "../sdk/terminal/frame.js";
import type { Rect } from "./layout.js";
import { Scrollback } from "./scrollback.js";

/** One pane as the TUI knows it. */
export class PaneMirror {
  readonly id: number;
  #info: MuxPaneInfo;
  readonly #decoder = new FrameDecoder();
  #scrollback: Scrollback;
  /** The clipboard (OSC 52) of the last screen (null before the first), and a change not yet taken. */
  #clipboard: string | null = null;
  #clipboardNew: string | null = null;

  constructor(info: MuxPaneInfo) {
    this.id = info.id;
    this.#info = info;
    this.#scrollback = new Scrollback(info.scrollbackLimit);
  }

  /** Everything the server says about it. */
  get info(): MuxPaneInfo {
    return this.#info;
  }

  set info(info: MuxPaneInfo) {
    this.#info = info;
    if (info.scrollbackLimit !== this.#scrollback.limit) {
      const old = this.#scrollback;
      this.#scrollback = new Scrollback(info.scrollbackLimit);
      for (let i = 0; i < old.length; i++) this.#scrollback.push(old.row(i));
    }
  }

  get label(): string {
    return this.#info.label;
  }

  get state(): MuxPaneInfo["state"] {
    return this.#info.state;
  }

  /** Smoothed RTT (ms) once live, else null. */
  get rtt(): number | null {
    return this.#info.rtt;
  }

  get stallKind(): "contact" | "reply" {
    return this.#info.stallKind;
  }

  get error(): string {
    return this.#info.error;
  }

  get notes(): readonly string[] {
    return this.#info.notes;
  }

  /** Whether the session still runs (closing or quitting asks first). */
  get live(): boolean {
    const s = this.#info.state;
    return s === "live" || s === "stalled" || s === "connecting";
  }

  /** Whole seconds without contact while stalled (0 otherwise). */
  stalledSeconds(now = Date.now()): number {
    const since = this.#info.stalledSince;
    return this.#info.state === "stalled" && since !== null
      ? Math.max(0, Math.floor((now - since) / 1000))
      : 0;
  }

  /** The screen to draw (with predictions and the notification bar). */
  frame(): Frame {
    return this.#decoder.frame ?? blankFrame(Math.max(this.#info.cols, 1), Math.max(this.#info.rows, 1));
  }

  /** Rows that scrolled off its screen (as the server kept them). */
  get scrollback(): Scrollback {
    return this.#scrollback;
  }

  /** @internal */
  applyFrame(msg: Extract<ServerMessage, { t: "frame" }>): void {
    const clip = this.#decoder.apply(msg).clipboard;
    if (this.#clipboard !== null && clip !== this.#clipboard && clip !== "") this.#clipboardNew = clip;
    this.#clipboard = clip;
  }

  /**
   * What the session put on the clipboard (OSC 52's base64 payload) since the last call, if it
   * changed after the first screen this client got (that one's is old news), else null.
   */
  takeClipboard(): string | null {
    const c = this.#clipboardNew;
    this.#clipboardNew = null;
    return c;
  }
}

/** What a server message changed, for the app to redraw accordingly. */
export type ViewChange = "layout" | "pane" | "frame" | "scroll" | "gone" | "questions" | "exit" | null;

/** The mirror of the server's view. */
export class ViewState {
  /** Panes by id. */
  readonly panes = new Map<number, PaneMirror>();
  /** Visible panes' rectangles (header row included). */
  readonly rects = new Map<number, Rect>();
  /** Pane ids in layout order. */
  order: number[] = [];
  focus = 0;
  zoomed: number | null = null;
  /** Size the layout was made for (the status line is its last row). */
  cols = 0;
  rows = 0;
  /** Questions of SSH panes, in the order asked. */
  questions: readonly MuxQuestion[] = [];
  /** Why the server went away, once it said so. */
  exitReason: "killed" | "empty" | null = null;

  /** The visible pane at cell (x, y) of the layout, or null. */
  paneAt(x: number, y: number): number | null {
    for (const [id, r] of this.rects) if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) return id;
    return null;
  }

  /** Applies a server event; returns what it changed. Throws a protocol MuxError on a malformed one. */
  apply(msg: ServerMessage): ViewChange {
    switch (msg.t) {
      case "layout":
        this.cols = msg.cols;
        this.rows = msg.rows;
        this.focus = msg.focus;
        this.zoomed = msg.zoomed;
        this.order = msg.order;
        this.rects.clear();
        for (const [id, x, y, w, h] of msg.rects) this.rects.set(id, { x, y, w, h });
        return "layout";
      case "pane": {
        const p = this.panes.get(msg.info.id);
        if (p) p.info = msg.info;
        else this.panes.set(msg.info.id, new PaneMirror(msg.info));
        return "pane";
      }
      case "frame":
        this.panes.get(msg.pane)?.applyFrame(msg);
        return "frame";
      case "scroll": {
        const p = this.panes.get(msg.pane);
        if (p) for (const r of msg.rows) p.scrollback.push(decodeRow(r));
        return "scroll";
      }
      case "gone":
        this.panes.delete(msg.pane);
        this.rects.delete(msg.pane);
        this.order = this.order.filter((id) => id !== msg.pane);
        return "gone";
      case "questions":
        this.questions = msg.list;
        return "questions";
      case "exit":
        this.exitReason = msg.reason;
        return "exit";
      default:
        return null;
    }
  }
}
