// MuxApp: the mosh-mux TUI, a client attached to the background process: draws its panes, turns keys and the mouse into input, commands and copy mode, puts SSH panes' questions up, passes the clipboard on, detaches.
import type { MuxConnection } from "../sdk/mux/connection.js";
import { MuxError } from "../sdk/mux/errors.js";
import type { ClientMessage, LayoutCommand, ServerMessage } from "../sdk/mux/protocol.js";
import type { CellSurface } from "./cell-surface.js";
import { type CommandHost, runCommand } from "./commands.js";
import type { MuxConfig } from "./config.js";
import { type KeyToken, KeyTokenizer, PrefixKeys } from "./key-input.js";
import { dialogKey, type Mode } from "./mode.js";
import { mouseReport } from "./mouse-report.js";
import { newPaneView, type PaneView } from "./pane-painter.js";
import { QuestionQueue, questionMode } from "./question-queue.js";
import { focusedPane, paintScreen } from "./screen-painter.js";
import { type CopyHost, copyKey, enterCopyMode, wheel } from "./scroll-view.js";
import { BlessedSurface } from "./surface.js";
import { type PaneMirror, ViewState } from "./view-state.js";

/** Panes to open once attached (a new server's first panes, or targets given to a running one). */
export type OpenRequest = Omit<Extract<ClientMessage, { t: "open" }>, "t" | "id">;

/** Options of {@link MuxApp}. */
export interface MuxAppOptions {
  /** The connection to the background process (hello done). */
  conn: MuxConnection;
  /** Settings (prefix, bindings). */
  config: MuxConfig;
  /** Panes to open right after attaching. */
  open?: OpenRequest;
  /** A notice for the status line after attaching (a few seconds). */
  notice?: string;
  /** Smallest interval between two draws in ms (default 16: frames are coalesced to ~60 per second). */
  frameIntervalMs?: number;
  /** The outer terminal (default: a {@link BlessedSurface} on this process's terminal; tests pass a fake). */
  surface?: (onInput: (data: string) => void, onResize: () => void) => OuterSurface;
}

/** The outer terminal as the app holds it: a cell surface it gives back at the end. */
export interface OuterSurface extends CellSurface {
  /** Gives the terminal back. */
  restore(): void;
}

/** Lines one notch of the mouse wheel scrolls copy mode (tmux's 5). */
const WHEEL_LINES = 5;

/**
 * How the TUI ended: detached (C-b d, SIGTERM), the sessions ended (quit, last pane closed), the
 * server was killed by someone else, the server went away without a word, or the terminal hung up.
 */
export type MuxAppEnd = "detached" | "exited" | "server-exited" | "lost-server" | "hangup";

/** The mosh-mux TUI: {@link MuxApp.run} attaches and resolves when it detaches or the server ends. */
export class MuxApp {
  readonly #opts: MuxAppOptions;
  readonly #conn: MuxConnection;
  readonly #view = new ViewState();
  readonly #views = new Map<number, PaneView>();
  readonly #keys: PrefixKeys;
  readonly #tokenizer = new KeyTokenizer();
  readonly #questions = new QuestionQueue();
  #surface: OuterSurface | null = null;
  /** What copy mode copied last (C-b ] pastes it). */
  #pasteBuffer = "";
  #mode: Mode = { kind: "normal" };
  #notice = "";
  #noticeUntil = 0;
  #fullRedraw = true;
  #drawTimer: NodeJS.Timeout | null = null;
  #lastDraw = 0;
  #ticker: NodeJS.Timeout | null = null;
  #resolve: ((end: MuxAppEnd) => void) | null = null;
  #ended = false;
  #quitting = false;
  #typing = "";
  /** Panes this client asked to close: their questions are not put up meanwhile. */
  readonly #closing = new Set<number>();
  /** Number of times the screen was drawn (for the benchmark). */
  draws = 0;

  constructor(opts: MuxAppOptions) {
    this.#opts = opts;
    this.#conn = opts.conn;
    this.#keys = new PrefixKeys(opts.config.prefix, opts.config.bindings);
  }

  /** The server's socket name. */
  get name(): string {
    return this.#conn.welcome.name;
  }

  /** Takes over the terminal, attaches, and resolves with how it ended (the terminal is restored by then). */
  async run(): Promise<MuxAppEnd> {
    const finished = new Promise<MuxAppEnd>((resolve) => {
      this.#resolve = resolve;
    });
    const onInput = (d: string): void => this.#onInput(d);
    const onResize = (): void => this.#onResize();
    const surface = this.#opts.surface
      ? this.#opts.surface(onInput, onResize)
      : new BlessedSurface(onInput, onResize);
    this.#surface = surface;
    this.#conn.on("message", (m) => this.#onServer(m));
    this.#conn.on("close", () => this.#end(this.#view.exitReason ? this.#exitEnd() : "lost-server"));
    this.#ticker = setInterval(() => this.#scheduleDraw(), 500);
    try {
      await this.#conn.request({ t: "attach", cols: surface.cols, rows: surface.rows });
      if (this.#opts.open) await this.#conn.request({ t: "open", ...this.#opts.open });
      if (this.#opts.notice) this.#setNotice(this.#opts.notice, 4000);
    } catch (err) {
      if (!(err instanceof MuxError && err.code === "closed")) this.#setNotice((err as Error).message, 5000);
    }
    this.#scheduleDraw();
    return finished;
  }

  /** Detaches: the sessions go on in the background process. */
  detach(): void {
    this.#end("detached");
  }

  /** The terminal hung up: leave without drawing (counts as a detach for the sessions). */
  hangup(): void {
    this.#end("hangup");
  }

  /** Restores the terminal at once (after a crash). */
  restoreTerminal(): void {
    this.#surface?.restore();
  }

  #exitEnd(): MuxAppEnd {
    return this.#view.exitReason === "killed" && !this.#quitting ? "server-exited" : "exited";
  }

  #end(how: MuxAppEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#flushTyping();
    if (this.#ticker) clearInterval(this.#ticker);
    if (this.#drawTimer) clearTimeout(this.#drawTimer);
    this.#drawTimer = null;
    this.#surface?.restore();
    this.#surface = null;
    this.#conn.close();
    this.#resolve?.(how);
  }

  // ---- the server's messages ----

  #onServer(m: ServerMessage): void {
    if (this.#ended) return;
    let change: ReturnType<ViewState["apply"]>;
    try {
      change = this.#view.apply(m);
    } catch {
      this.#end("lost-server");
      return;
    }
    switch (change) {
      case "layout":
        for (const [id, r] of this.#view.rects) this.#viewOf(id).rect = r;
        for (const [id, v] of this.#views) if (!this.#view.rects.has(id)) v.rect = { x: 0, y: 0, w: 0, h: 0 };
        this.#fullRedraw = true;
        break;
      case "gone": {
        const id = (m as { pane: number }).pane;
        this.#views.delete(id);
        this.#closing.delete(id);
        // Its question, if up, goes with it.
        if (this.#mode.kind === "prompt" && this.#mode.paneId === id) this.#mode = { kind: "normal" };
        this.#fullRedraw = true;
        this.#askNext();
        break;
      }
      case "questions":
        this.#questions.update(this.#view.questions);
        // The question up now was answered elsewhere or withdrawn (its pane closed).
        if (
          this.#mode.kind === "prompt" &&
          this.#mode.questionId !== undefined &&
          !this.#questions.has(this.#mode.questionId)
        ) {
          this.#mode = { kind: "normal" };
          this.#fullRedraw = true;
        }
        this.#askNext();
        break;
      case "pane":
        // A question may have come before its pane.
        if (this.#view.questions.length > 0) this.#askNext();
        break;
      case "frame": {
        // What a session puts on the clipboard goes to the terminal's (as mosh-client does).
        const clip = this.#view.panes.get((m as { pane: number }).pane)?.takeClipboard();
        if (clip && this.#opts.config.setClipboard === "on") this.#surface?.write(`\x1b]52;c;${clip}\x07`);
        break;
      }
      case "exit":
        // The socket closes next; the end follows from there.
        return;
    }
    this.#scheduleDraw();
  }

  #viewOf(id: number): PaneView {
    let v = this.#views.get(id);
    if (!v) {
      v = newPaneView();
      this.#views.set(id, v);
    }
    return v;
  }

  #onResize(): void {
    const s = this.#surface;
    if (!s) return;
    this.#send({ t: "resize", cols: s.cols, rows: s.rows });
    this.#fullRedraw = true;
    this.#scheduleDraw();
  }

  #send(msg: ClientMessage): void {
    this.#conn.send(msg);
  }

  #layoutCommand(name: LayoutCommand, pane?: number): void {
    this.#send({ t: "command", name, pane });
  }

  // ---- input ----

  #onInput(data: string): void {
    if (this.#ended || this.#quitting) return;
    for (const t of this.#tokenizer.push(data)) {
      this.#onKey(t);
      if (this.#ended) return;
      // A waiting question comes up as soon as the user is done with a dialog or the prefix.
      this.#askNext();
    }
    this.#flushTyping();
  }

  /** Keys for the focused pane collect into one write per read, as mosh-client sends one keystroke event per read. */
  #typed(bytes: string): void {
    this.#typing += bytes;
  }

  #flushTyping(): void {
    if (this.#typing.length === 0) return;
    const data = this.#typing;
    this.#typing = "";
    this.#send({ t: "input", data });
  }

  #onKey(t: KeyToken): void {
    // Focus reports from the outer terminal are ours, not the sessions'.
    if (t.name === "CSI-I" || t.name === "CSI-O") return;
    const mode = this.#mode;
    if (mode.kind !== "normal") {
      const r = dialogKey(mode, t);
      if (r.kind === "ignored") return;
      if (r.kind === "closed") {
        this.#mode = { kind: "normal" };
        r.action?.();
      }
      // The help box, or a pane's question body when answered, leaves the screen.
      if (
        mode.kind === "help" ||
        (mode.kind === "prompt" && mode.paneId !== undefined && this.#mode !== mode)
      )
        this.#fullRedraw = true;
      this.#scheduleDraw();
      return;
    }
    const focused = this.#focused();
    if (focused?.view.copy && !this.#keys.armed && t.name !== "Mouse") {
      copyKey(t, focused.view, this.#opts.config.modeKeys, this.#copyHost);
      this.#scheduleDraw();
      return;
    }
    const wasArmed = this.#keys.armed;
    const action = this.#keys.feed(t);
    if (action.kind === "send") {
      this.#typed(action.bytes);
      // Typing changes nothing of ours: the pane redraws when its session shows the echo (or a
      // prediction), without a draw now delaying that one by a frame interval.
      if (!wasArmed) return;
    }
    // Whatever else the key does, what was typed before it goes first.
    this.#flushTyping();
    if (action.kind === "mouse") this.#onMouse(t);
    else if (action.kind === "command") runCommand(action.command, this.#commandHost);
    else if (action.kind === "unbound")
      this.#setNotice(`${action.key}: not bound (${this.#opts.config.prefix} ? lists the keys)`, 2000);
    this.#scheduleDraw();
  }

  #focused(): { pane: PaneMirror; view: PaneView } | null {
    return focusedPane({ view: this.#view, views: this.#views });
  }

  #onMouse(t: KeyToken): void {
    const m = t.mouse;
    if (!m) return;
    // The wheel (buttons 64 and 65, any modifiers): a press without a release.
    if (m.button & 0x40) {
      if (!m.release && (m.button & 3) < 2) this.#onWheel(m.x, m.y, (m.button & 3) === 0);
      return;
    }
    // A press of the left button focuses the pane under it.
    if (m.release || (m.button & 0x23) !== 0) return;
    const id = this.#view.paneAt(m.x, m.y);
    if (id !== null) this.#focusPane(id);
  }

  /**
   * The wheel over a pane, as in tmux: a program that asked for the mouse gets it; otherwise up
   * enters (and scrolls) copy mode, down scrolls it back and leaves at the bottom.
   */
  #onWheel(x: number, y: number, up: boolean): void {
    const id = this.#view.paneAt(x, y);
    const pane = id === null ? undefined : this.#view.panes.get(id);
    const view = id === null ? undefined : this.#views.get(id);
    if (id === null || !pane || !view) return;
    if (!view.copy) {
      const r = view.rect;
      const report = mouseReport(pane.frame(), up ? 64 : 65, x - r.x, Math.max(y - r.y - 1, 0));
      if (report) {
        this.#send({ t: "input", pane: id, data: report });
        return;
      }
      if (!up) return;
      enterCopyMode(view, pane, { wheel: true });
    }
    wheel(view, up ? WHEEL_LINES : -WHEEL_LINES);
    this.#fullRedraw = true;
  }

  #focusPane(id: number): void {
    if (id === this.#view.focus) return;
    // Shown at once; the server's layout confirms it.
    this.#view.focus = id;
    this.#layoutCommand("focus", id);
    this.#fullRedraw = true;
  }

  readonly #copyHost: CopyHost = {
    prompt: (question, onDone) => {
      this.#mode = { kind: "prompt", question, text: "", onDone };
      this.#scheduleDraw();
    },
    notice: (text, ms) => {
      this.#setNotice(text, ms);
      this.#scheduleDraw();
    },
    redraw: () => {
      this.#fullRedraw = true;
      this.#scheduleDraw();
    },
    isPrefix: (t) => t.name === this.#opts.config.prefix,
    feedPrefix: (t) => {
      this.#keys.feed(t);
      this.#scheduleDraw();
    },
    copy: (text) => this.#copied(text),
  };

  /** Copy mode copied `text`: it is the paste buffer, and goes to the terminal's clipboard (OSC 52). */
  #copied(text: string): void {
    this.#pasteBuffer = text;
    if (this.#opts.config.setClipboard !== "off")
      this.#surface?.write(`\x1b]52;c;${Buffer.from(text, "utf8").toString("base64")}\x07`);
    const n = [...text].length;
    this.#setNotice(
      `copied ${n} character${n === 1 ? "" : "s"} (${this.#opts.config.prefix} ] pastes)`,
      2000,
    );
  }

  /** Types the paste buffer into the focused pane (bracketed when its program asked for that). */
  #paste(): void {
    const f = this.#focused();
    if (!f || this.#pasteBuffer.length === 0) return;
    // As typed Enter: line ends are CR.
    const text = this.#pasteBuffer.replace(/\r?\n/g, "\r");
    const data = f.pane.frame().bracketedPaste ? `\x1b[200~${text}\x1b[201~` : text;
    this.#send({ t: "input", pane: f.pane.id, data });
  }

  readonly #commandHost: CommandHost = {
    focused: () => this.#focused(),
    panes: () => this.#view.panes.values(),
    layout: (cmd) => this.#layoutCommand(cmd),
    closePane: (id) => {
      this.#closing.add(id);
      this.#conn.request({ t: "close", pane: id }).catch(() => undefined);
    },
    openPane: (src) => {
      this.#conn.request({ t: "open", sources: [src] }).catch((err: Error) => {
        this.#setNotice(err.message, 3000);
        this.#scheduleDraw();
      });
    },
    quit: () => this.#quit(),
    detach: () => this.detach(),
    setMode: (mode) => {
      this.#mode = mode;
      if (mode.kind === "help") this.#fullRedraw = true;
    },
    notice: (text, ms) => this.#setNotice(text, ms),
    copyMode: (view, pane, pageUp) => {
      enterCopyMode(view, pane, { pageUp });
      this.#fullRedraw = true;
    },
    paste: () => this.#paste(),
  };

  /** Ends every session: the server closes them, says `exit` and goes. */
  #quit(): void {
    if (this.#quitting) return;
    this.#quitting = true;
    this.#setNotice("closing sessions…", 5000);
    this.#scheduleDraw();
    this.#conn.request({ t: "kill-server" }).catch(() => undefined);
  }

  // ---- questions from SSH panes ----

  /** Puts the next waiting question up, unless the user is in a dialog or pressed the prefix. */
  #askNext(): void {
    if (this.#mode.kind !== "normal" || this.#keys.armed || this.#quitting || this.#ended) return;
    const q = this.#questions.take((pane) => this.#closing.has(pane) || !this.#view.panes.has(pane));
    if (!q) return;
    this.#focusPane(q.pane);
    const view = this.#views.get(q.pane);
    if (view) view.copy = null;
    this.#mode = questionMode(
      q,
      (answer) => this.#send({ t: "answer", q: q.id, text: answer }),
      () => this.#send({ t: "cancel", q: q.id }),
    );
    this.#fullRedraw = true;
    this.#scheduleDraw();
  }

  // ---- drawing ----

  #setNotice(text: string, ms: number): void {
    this.#notice = text;
    this.#noticeUntil = Date.now() + ms;
  }

  #scheduleDraw(): void {
    if (this.#drawTimer || !this.#surface) return;
    const wait = Math.max(0, (this.#opts.frameIntervalMs ?? 16) - (Date.now() - this.#lastDraw));
    this.#drawTimer = setTimeout(() => {
      this.#drawTimer = null;
      this.#lastDraw = Date.now();
      this.#draw();
    }, wait);
  }

  #draw(): void {
    const s = this.#surface;
    if (!s) return;
    this.draws++;
    const now = Date.now();
    const full = this.#fullRedraw;
    this.#fullRedraw = false;
    paintScreen(
      s,
      {
        view: this.#view,
        views: this.#views,
        mode: this.#mode,
        notice: this.#notice && now < this.#noticeUntil ? this.#notice : "",
        armed: this.#keys.armed,
        prefix: this.#opts.config.prefix,
        bindings: this.#opts.config.bindings,
        modeKeys: this.#opts.config.modeKeys,
        name: this.name,
        waiting: (id) => this.#questions.waiting(id),
        now,
      },
      full,
    );
  }
}
