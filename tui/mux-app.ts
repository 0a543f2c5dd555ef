// MuxApp: the mosh-mux full-screen program (blessed screen, panes in a layout, prefix keys, coalesced row-diff drawing).
import { StringDecoder } from "node:string_decoder";
import blessed from "blessed";
import { BootstrapError } from "../sdk/bootstrap/errors.js";
import type { Row } from "../sdk/terminal/frame.js";
import { BLESSED_DEFAULT, BlessedFlag, blessedAttr, packAttr } from "./cell-style.js";
import { COMMANDS, type MuxConfig } from "./config.js";
import { type KeyToken, KeyTokenizer, PrefixKeys } from "./key-input.js";
import { Layout, type Rect, type SplitDir } from "./layout.js";
import { Pane, type PaneSource, parseTarget } from "./pane.js";

/** Options of {@link MuxApp}. */
export interface MuxAppOptions {
  /** Panes to open at start (in order, tiled). */
  sources: PaneSource[];
  /** Settings (prefix, bindings, scrollback size). */
  config: MuxConfig;
  /** Preset layout for the initial panes (default: side by side for 2, tiled beyond). */
  layout?: "even-horizontal" | "even-vertical" | "tiled";
  /** Called once the panes are open (the demo starts its link flapping here). */
  onStarted?: (panes: readonly Pane[]) => void;
  /** Smallest interval between two draws in ms (default 16: frames are coalesced to ~60 per second). */
  frameIntervalMs?: number;
}

/** blessed's screen cells (not in @types/blessed). */
type Cell = [number, string];
type Line = Cell[] & { dirty?: boolean };
interface ScreenInternals {
  lines: Line[];
  cols: number;
  rows: number;
  dattr: number;
  draw(start: number, end: number): void;
  program: blessed.BlessedProgram & { input: NodeJS.ReadableStream; cursorHidden?: boolean };
}

type Mode =
  | { kind: "normal" }
  | { kind: "confirm"; question: string; onYes: () => void }
  | {
      kind: "prompt";
      /** The line shown on the status line, the answer typed after it. */
      question: string;
      text: string;
      onDone: (text: string) => void;
      /** Escape / C-c / C-g. */
      onCancel?: () => void;
      /** A pane's SSH question: that pane shows `body` (the question's earlier lines) while it connects. */
      paneId?: number;
      body?: readonly string[];
      /** The answer is secret: nothing of it is shown. */
      secret?: boolean;
    }
  | { kind: "help" };

/** A question a pane's SSH connection asks, waiting for its turn. */
interface Question {
  paneId: number;
  text: string;
  echo: boolean;
  resolve: (answer: string) => void;
  reject: (err: Error) => void;
}

/** Splits `text` into lines of at most `w` characters, breaking at spaces where it can. */
function wrap(text: string, width: number): string[] {
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

interface PaneView {
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

const BORDER_ATTR = packAttr(0, 8, BLESSED_DEFAULT);
const HEADER_ATTR = packAttr(0, 7, 236);
const HEADER_FOCUS_ATTR = packAttr(BlessedFlag.bold, 0, 2);
const HEADER_STALL_ATTR = packAttr(BlessedFlag.bold, 15, 1);
const HEADER_ENDED_ATTR = packAttr(0, 15, 8);
const STATUS_ATTR = packAttr(0, 0, 6);
const STATUS_FOCUS_ATTR = packAttr(BlessedFlag.bold, 15, 4);
const STATUS_STALL_ATTR = packAttr(BlessedFlag.bold, 15, 1);
const NOTICE_ATTR = packAttr(BlessedFlag.bold, 15, 8);
const HELP_ATTR = packAttr(0, 15, 0);

/** Creates the blessed screen, falling back to xterm-256color when the terminal's terminfo trips blessed. */
function createScreen(): blessed.Widgets.Screen {
  const base = {
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    warnings: false,
    autoPadding: false,
    dockBorders: false,
    title: "mosh-mux",
  };
  const term = process.env.TERM ?? "xterm-256color";
  const known = /^(xterm|screen|tmux|rxvt|linux|vt1|vt2|putty|st-|alacritty)/.test(term)
    ? term
    : "xterm-256color";
  try {
    return blessed.screen({ ...base, terminal: known });
  } catch {
    return blessed.screen({ ...base, terminal: "xterm-256color" });
  }
}

/** The mosh-mux program: open it with {@link MuxApp.run}, which resolves when the user quits. */
export class MuxApp {
  readonly #opts: MuxAppOptions;
  readonly #layout = new Layout();
  readonly #panes = new Map<number, Pane>();
  readonly #views = new Map<number, PaneView>();
  readonly #keys: PrefixKeys;
  readonly #tokenizer = new KeyTokenizer();
  #screen: blessed.Widgets.Screen | null = null;
  #s: ScreenInternals | null = null;
  #focus = 0;
  #nextId = 1;
  #mode: Mode = { kind: "normal" };
  #notice = "";
  #noticeUntil = 0;
  #fullRedraw = true;
  #drawTimer: NodeJS.Timeout | null = null;
  #lastDraw = 0;
  #ticker: NodeJS.Timeout | null = null;
  #done: (() => void) | null = null;
  #quitting = false;
  #typing = "";
  /** SSH questions waiting for the prompt (asked one at a time, in order). */
  readonly #questions: Question[] = [];
  /** Number of times the screen was drawn (for the benchmark). */
  draws = 0;

  constructor(opts: MuxAppOptions) {
    this.#opts = opts;
    this.#keys = new PrefixKeys(opts.config.prefix, opts.config.bindings);
  }

  /** The open panes, by id. */
  get panes(): ReadonlyMap<number, Pane> {
    return this.#panes;
  }

  /** The focused pane's id. */
  get focused(): number {
    return this.#focus;
  }

  /** Takes over the terminal, opens the panes, and resolves after the user quit and everything was closed. */
  async run(): Promise<void> {
    const screen = createScreen();
    this.#screen = screen;
    this.#s = screen as unknown as ScreenInternals;
    // Box-drawing characters go out as UTF-8, never through the alternate character set.
    (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
    // Clicks only (1000), reported in SGR form (1006); undone in restoreTerminal().
    this.#s.program.setMouse({ vt200Mouse: true, sgrMouse: true }, true);
    // A keypress listener is what makes blessed put the terminal in raw mode and read it.
    this.#s.program.on("keypress", () => undefined);
    const decoder = new StringDecoder("utf8");
    this.#s.program.input.on("data", (d: Buffer | string) => {
      this.#onInput(typeof d === "string" ? d : decoder.write(d));
    });
    screen.on("resize", () => this.#relayout());
    const finished = new Promise<void>((resolve) => {
      this.#done = resolve;
    });
    let last: number | null = null;
    for (const src of this.#opts.sources) last = this.#addPane(src, last, "h", false).id;
    const n = this.#panes.size;
    this.#layout.applyPreset(this.#opts.layout ?? (n <= 3 ? "even-horizontal" : "tiled"));
    this.#focus = this.#layout.panes()[0] ?? 0;
    this.#relayout();
    this.#ticker = setInterval(() => this.#tick(), 500);
    const opened = [...this.#panes.values()].map((p) => p.open());
    void Promise.all(opened).then(() => this.#opts.onStarted?.([...this.#panes.values()]));
    await finished;
  }

  /** Ends every session and restores the terminal. */
  async quit(): Promise<void> {
    if (this.#quitting) return;
    this.#quitting = true;
    this.#withdrawQuestions(null);
    this.#setNotice("closing sessions…", 5000);
    this.#scheduleDraw();
    await Promise.all([...this.#panes.values()].map((p) => p.close()));
    if (this.#ticker) clearInterval(this.#ticker);
    if (this.#drawTimer) clearTimeout(this.#drawTimer);
    this.restoreTerminal();
    this.#done?.();
  }

  /** Restores the terminal at once (after a crash); sessions are left to die with the process. */
  restoreTerminal(): void {
    this.#s?.program.setMouse({ vt200Mouse: false, sgrMouse: false }, false);
    this.#screen?.destroy();
    this.#s = null;
    this.#screen = null;
  }

  #area(): Rect {
    const s = this.#s;
    if (!s) return { x: 0, y: 0, w: 80, h: 23 };
    return { x: 0, y: 0, w: s.cols, h: Math.max(s.rows - 1, 1) };
  }

  #addPane(src: PaneSource, target: number | null, dir: SplitDir, open = true): Pane {
    const id = this.#nextId++;
    const pane = new Pane(
      id,
      src,
      80,
      24,
      this.#opts.config.scrollbackLines,
      () => this.#scheduleDraw(),
      (question, { echo }) => this.#ask(id, question, echo),
    );
    this.#panes.set(id, pane);
    this.#views.set(id, {
      rect: { x: 0, y: 0, w: 0, h: 0 },
      drawn: [],
      header: "",
      scroll: 0,
      search: "",
      lastHit: -1,
    });
    this.#layout.split(target, id, dir);
    if (open) {
      this.#focus = id;
      this.#relayout();
      void pane.open();
    }
    return pane;
  }

  /** Recomputes every pane's rectangle, resizes the sessions, and redraws everything. */
  #relayout(): void {
    const geo = this.#layout.geometry(this.#area());
    for (const [id, pane] of this.#panes) {
      const r = geo.get(id);
      const view = this.#views.get(id);
      if (!view) continue;
      if (r) {
        view.rect = r;
        // Sizes are re-sent only when they change (Pane.resize ignores repeats).
        pane.resize(Math.max(r.w, 1), Math.max(r.h - 1, 1));
      } else view.rect = { x: 0, y: 0, w: 0, h: 0 };
    }
    this.#fullRedraw = true;
    this.#scheduleDraw();
  }

  #tick(): void {
    // Stall seconds and notices change with time.
    this.#scheduleDraw();
  }

  #scheduleDraw(): void {
    if (this.#drawTimer || !this.#s) return;
    const wait = Math.max(0, (this.#opts.frameIntervalMs ?? 16) - (Date.now() - this.#lastDraw));
    this.#drawTimer = setTimeout(() => {
      this.#drawTimer = null;
      this.#lastDraw = Date.now();
      this.#draw();
    }, wait);
  }

  // ---- input ----

  #onInput(data: string): void {
    if (this.#quitting) return;
    for (const t of this.#tokenizer.push(data)) {
      this.#onKey(t);
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
    const bytes = this.#typing;
    this.#typing = "";
    this.#panes.get(this.#focus)?.write(bytes);
  }

  // ---- questions from SSH panes ----

  /** The {@link Pane}'s prompt: queues the question; it is asked when its turn comes. */
  #ask(paneId: number, text: string, echo: boolean): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (this.#quitting || !this.#panes.has(paneId)) {
        reject(new BootstrapError("aborted", "pane closed"));
        return;
      }
      this.#questions.push({ paneId, text, echo, resolve, reject });
      this.#askNext();
      this.#scheduleDraw();
    });
  }

  /** Puts the next waiting question up, unless the user is in a dialog or pressed the prefix. */
  #askNext(): void {
    if (this.#mode.kind !== "normal" || this.#keys.armed || this.#quitting) return;
    const q = this.#questions.shift();
    if (!q) return;
    const lines = q.text.split("\n");
    const last = lines.pop() ?? "";
    this.#setFocus(q.paneId);
    const view = this.#views.get(q.paneId);
    if (view) view.scroll = 0;
    this.#mode = {
      kind: "prompt",
      question: last,
      text: "",
      paneId: q.paneId,
      body: lines,
      secret: !q.echo,
      onDone: (answer) => q.resolve(answer),
      onCancel: () => q.reject(new BootstrapError("aborted", "cancelled at the prompt")),
    };
    this.#fullRedraw = true;
    this.#scheduleDraw();
  }

  /** Withdraws the questions of pane `paneId` (all panes: null), rejecting them. */
  #withdrawQuestions(paneId: number | null): void {
    const gone = new BootstrapError("aborted", "pane closed");
    for (let i = this.#questions.length - 1; i >= 0; i--) {
      const q = this.#questions[i];
      if (paneId !== null && q.paneId !== paneId) continue;
      this.#questions.splice(i, 1);
      q.reject(gone);
    }
    const mode = this.#mode;
    if (mode.kind === "prompt" && mode.paneId !== undefined && (paneId === null || mode.paneId === paneId)) {
      this.#mode = { kind: "normal" };
      mode.onCancel?.();
      this.#fullRedraw = true;
    }
    this.#askNext();
    this.#scheduleDraw();
  }

  #onKey(t: KeyToken): void {
    // Focus reports from the outer terminal are ours, not the sessions'.
    if (t.name === "CSI-I" || t.name === "CSI-O") return;
    const mode = this.#mode;
    if (mode.kind === "help") {
      if (t.name !== "Mouse") {
        this.#mode = { kind: "normal" };
        this.#fullRedraw = true;
        this.#scheduleDraw();
      }
      return;
    }
    if (mode.kind === "confirm") {
      if (t.name === "Mouse") return;
      this.#mode = { kind: "normal" };
      if (t.name === "y" || t.name === "Y") mode.onYes();
      this.#scheduleDraw();
      return;
    }
    if (mode.kind === "prompt") {
      if (t.name === "Mouse") return;
      if (t.name === "Enter") {
        this.#mode = { kind: "normal" };
        mode.onDone(mode.text);
      } else if (t.name === "Escape" || t.name === "C-c" || t.name === "C-g") {
        this.#mode = { kind: "normal" };
        mode.onCancel?.();
      } else if (t.name === "BSpace" || t.name === "C-h") mode.text = [...mode.text].slice(0, -1).join("");
      else if (t.name === "C-u") mode.text = "";
      else if (t.bytes.length > 0 && t.bytes >= " " && !t.bytes.startsWith("\x1b")) mode.text += t.bytes;
      // A pane's question body leaves its pane when answered.
      if (mode.paneId !== undefined && this.#mode !== mode) this.#fullRedraw = true;
      this.#scheduleDraw();
      return;
    }
    const view = this.#views.get(this.#focus);
    if (view && view.scroll > 0 && !this.#keys.armed && t.name !== "Mouse") {
      this.#scrollKey(t, view);
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
    else if (action.kind === "command") this.#command(action.command);
    else if (action.kind === "unbound")
      this.#setNotice(`${action.key}: not bound (${this.#opts.config.prefix} ? lists the keys)`, 2000);
    this.#scheduleDraw();
  }

  #onMouse(t: KeyToken): void {
    const m = t.mouse;
    if (!m || m.release || (m.button & 0x23) !== 0) {
      // Wheel up over a pane enters its scrollback.
      if (m && !m.release && (m.button & 0x43) === 0x40) {
        const id = this.#paneAt(m.x, m.y);
        const view = id === null ? undefined : this.#views.get(id);
        if (id !== null && view) {
          this.#focus = id;
          this.#scrollBy(view, 3);
        }
      }
      return;
    }
    const id = this.#paneAt(m.x, m.y);
    if (id !== null && id !== this.#focus) {
      this.#focus = id;
      this.#fullRedraw = true;
    }
  }

  #paneAt(x: number, y: number): number | null {
    for (const [id, v] of this.#views)
      if (x >= v.rect.x && x < v.rect.x + v.rect.w && y >= v.rect.y && y < v.rect.y + v.rect.h) return id;
    return null;
  }

  #command(cmd: string): void {
    const focus = this.#focus;
    const pane = this.#panes.get(focus);
    switch (cmd) {
      case "prefix":
        return;
      case "split-h":
      case "split-v": {
        const src: PaneSource =
          pane?.source.kind === "local" ? { kind: "local", command: pane.source.command } : { kind: "local" };
        this.#addPane(src, focus, cmd === "split-h" ? "h" : "v");
        return;
      }
      case "focus-left":
      case "focus-right":
      case "focus-up":
      case "focus-down": {
        const dir = cmd.slice(6) as "left" | "right" | "up" | "down";
        const next = this.#layout.neighbour(focus, dir, this.#area());
        if (next !== null) this.#setFocus(next);
        return;
      }
      case "focus-next": {
        const ids = this.#layout.zoomed !== null ? [this.#layout.zoomed] : this.#layout.panes();
        const i = ids.indexOf(focus);
        this.#setFocus(ids[(i + 1) % ids.length]);
        return;
      }
      case "close":
        if (!pane) return;
        if (!pane.live) this.#closePane(focus);
        else
          this.#mode = {
            kind: "confirm",
            question: `Close pane ${focus} (${pane.label})? (y/n)`,
            onYes: () => this.#closePane(focus),
          };
        return;
      case "zoom":
        this.#layout.toggleZoom(focus);
        this.#relayout();
        return;
      case "new-pane":
        this.#mode = {
          kind: "prompt",
          question: "New pane ([user@]host[:command], local[:command]): ",
          text: "",
          onDone: (text) => this.#openTarget(text),
        };
        return;
      case "scrollback": {
        const view = this.#views.get(focus);
        if (view && pane) {
          if (pane.scrollback.length === 0) this.#setNotice("no scrollback yet", 1500);
          else this.#scrollBy(view, Math.max(view.rect.h - 2, 1));
        }
        return;
      }
      case "quit": {
        const live = [...this.#panes.values()].filter((p) => p.live).length;
        if (live === 0) void this.quit();
        else
          this.#mode = {
            kind: "confirm",
            question: `Quit mosh-mux and end ${live} live session${live === 1 ? "" : "s"}? (y/n)`,
            onYes: () => void this.quit(),
          };
        return;
      }
      case "help":
        this.#mode = { kind: "help" };
        this.#fullRedraw = true;
        return;
      case "equalise":
        this.#layout.equalise();
        this.#relayout();
        return;
      case "resize-left":
      case "resize-right":
      case "resize-up":
      case "resize-down": {
        const a = this.#area();
        const horiz = cmd === "resize-left" || cmd === "resize-right";
        const grow = cmd === "resize-right" || cmd === "resize-down" ? 2 : -2;
        this.#layout.resize(focus, horiz ? "h" : "v", grow, horiz ? a.w : a.h);
        this.#relayout();
        return;
      }
      case "layout-even-horizontal":
      case "layout-even-vertical":
      case "layout-tiled":
        this.#layout.applyPreset(cmd.slice(7) as "even-horizontal" | "even-vertical" | "tiled");
        this.#relayout();
        return;
    }
  }

  #openTarget(text: string): void {
    const t = text.trim();
    if (t.length === 0) return;
    let src: PaneSource;
    if (t === "local" || t.startsWith("local:")) {
      const cmd = t.slice(6).trim();
      src = { kind: "local", command: cmd.length > 0 ? cmd.split(/\s+/) : undefined };
    } else {
      if (parseTarget(t).host.length === 0) {
        this.#setNotice(`bad target: ${t}`, 3000);
        return;
      }
      src = { kind: "ssh", target: t };
    }
    this.#addPane(src, this.#focus, "h");
  }

  #setFocus(id: number): void {
    if (id === this.#focus || !this.#panes.has(id)) return;
    this.#focus = id;
    if (this.#layout.zoomed !== null && this.#layout.zoomed !== id) {
      this.#layout.toggleZoom(this.#layout.zoomed);
      this.#relayout();
    }
    this.#fullRedraw = true;
  }

  #closePane(id: number): void {
    const pane = this.#panes.get(id);
    if (!pane) return;
    const order = this.#layout.panes();
    const idx = order.indexOf(id);
    this.#layout.remove(id);
    this.#panes.delete(id);
    this.#views.delete(id);
    this.#withdrawQuestions(id);
    void pane.close();
    const rest = this.#layout.panes();
    if (rest.length === 0) {
      void this.quit();
      return;
    }
    if (this.#focus === id) this.#focus = rest[Math.min(Math.max(idx - 1, 0), rest.length - 1)];
    this.#relayout();
  }

  // ---- scrollback browsing ----

  #scrollBy(view: PaneView, delta: number): void {
    const pane = this.#panes.get(this.#focus);
    if (!pane) return;
    view.scroll = Math.min(Math.max(view.scroll + delta, 0), pane.scrollback.length);
    this.#fullRedraw = true;
    this.#scheduleDraw();
  }

  #scrollKey(t: KeyToken, view: PaneView): void {
    const page = Math.max(view.rect.h - 2, 1);
    const pane = this.#panes.get(this.#focus);
    switch (t.name) {
      case "Up":
      case "k":
      case "C-y":
        this.#scrollBy(view, 1);
        return;
      case "Down":
      case "j":
      case "C-e":
        this.#scrollBy(view, -1);
        return;
      case "PageUp":
      case "C-b":
        this.#scrollBy(view, page);
        return;
      case "PageDown":
      case "C-f":
      case "Space":
        this.#scrollBy(view, -page);
        return;
      case "g":
        this.#scrollBy(view, Number.MAX_SAFE_INTEGER);
        return;
      case "G":
      case "q":
      case "Escape":
        this.#scrollBy(view, -Number.MAX_SAFE_INTEGER);
        return;
      case "/":
      case "?":
        this.#mode = {
          kind: "prompt",
          question: "search up: ",
          text: "",
          onDone: (text) => {
            view.search = text;
            view.lastHit = -1;
            this.#searchNext(view);
          },
        };
        this.#scheduleDraw();
        return;
      case "n":
        this.#searchNext(view);
        return;
      default:
        if (t.name === this.#opts.config.prefix) {
          this.#keys.feed(t);
          this.#scheduleDraw();
        }
        void pane;
    }
  }

  #searchNext(view: PaneView): void {
    const pane = this.#panes.get(this.#focus);
    if (!pane || view.search.length === 0) return;
    const sb = pane.scrollback;
    // The top row on screen is scrollback index len - scroll. A repeated search starts above the
    // previous hit (shown at the top); a new one from the lowest scrollback row in view.
    const top = sb.length - view.scroll;
    const from = view.lastHit === top ? top - 1 : Math.min(sb.length - 1, top + view.rect.h - 2);
    const at = sb.find(view.search, from);
    if (at < 0) {
      this.#setNotice(`not found: ${view.search}`, 2000);
      this.#scheduleDraw();
      return;
    }
    view.lastHit = at;
    this.#scrollBy(view, sb.length - at - view.scroll);
  }

  #setNotice(text: string, ms: number): void {
    this.#notice = text;
    this.#noticeUntil = Date.now() + ms;
  }

  // ---- drawing ----

  #put(y: number, x: number, attr: number, ch: string): void {
    const line = this.#s?.lines[y];
    if (!line || x < 0 || x >= line.length) return;
    const cell = line[x];
    if (cell[0] !== attr || cell[1] !== ch) {
      cell[0] = attr;
      cell[1] = ch;
      line.dirty = true;
    }
  }

  /** Writes `text` at (x, y), clipped to `w` cells, padding with spaces; returns cells used. */
  #text(y: number, x: number, w: number, attr: number, text: string, pad = true): number {
    let col = 0;
    for (const ch of text) {
      if (col >= w) break;
      this.#put(y, x + col, attr, ch);
      col++;
    }
    if (pad) while (col < w) this.#put(y, x + col++, attr, " ");
    return col;
  }

  #draw(): void {
    const s = this.#s;
    if (!s || !this.#screen) return;
    this.draws++;
    const now = Date.now();
    if (this.#fullRedraw) {
      this.#fullRedraw = false;
      const a = this.#area();
      for (let y = a.y; y < a.y + a.h; y++)
        for (let x = a.x; x < a.x + a.w; x++) this.#put(y, x, BORDER_ATTR, "│");
      for (const v of this.#views.values()) {
        v.drawn = [];
        v.header = "";
      }
    }
    for (const [id, pane] of this.#panes) {
      pane.background = id !== this.#focus;
      const v = this.#views.get(id);
      if (v && v.rect.w > 0 && v.rect.h > 0) this.#drawPane(pane, v, now);
    }
    this.#drawStatus(now);
    if (this.#mode.kind === "help") this.#drawHelp();
    s.draw(0, s.rows - 1);
    this.#placeCursor();
  }

  #drawPane(pane: Pane, v: PaneView, now: number): void {
    const r = v.rect;
    const focused = pane.id === this.#focus;
    // Header: number, label, RTT, state.
    const stalledFor = pane.stalledSeconds(now);
    let state = "";
    let attr = focused ? HEADER_FOCUS_ATTR : HEADER_ATTR;
    if (pane.state === "stalled") {
      state = ` ⚠ no ${pane.stallKind} ${stalledFor}s`;
      attr = HEADER_STALL_ATTR;
    } else if (pane.state === "ended") {
      state = " [ended]";
      attr = HEADER_ENDED_ATTR;
    } else if (pane.state === "failed") {
      state = " [failed]";
      attr = HEADER_ENDED_ATTR;
    } else if (pane.state === "connecting") {
      const m = this.#mode;
      if (m.kind === "prompt" && m.paneId === pane.id) state = " asking…";
      else if (this.#questions.some((q) => q.paneId === pane.id)) state = " waiting to ask";
      else state = " connecting…";
    }
    const rtt = pane.rtt;
    const scroll = v.scroll > 0 ? ` [scroll ${v.scroll}/${pane.scrollback.length}]` : "";
    const zoom = this.#layout.zoomed === pane.id ? " [Z]" : "";
    const header = `${focused ? "▶" : " "}${pane.id} ${pane.label}${rtt !== null && pane.state === "live" ? ` ${Math.round(rtt)}ms` : ""}${state}${zoom}${scroll} `;
    const hkey = `${header}|${attr}|${r.w}`;
    if (hkey !== v.header) {
      v.header = hkey;
      const used = this.#text(r.y, r.x, r.w, attr, header, false);
      for (let x = used; x < r.w; x++)
        this.#put(r.y, r.x + x, focused ? HEADER_FOCUS_ATTR : BORDER_ATTR, "─");
    }
    // Content rows.
    const rows = r.h - 1;
    const frame = pane.frame();
    const sb = pane.scrollback;
    // Text instead of the screen: why it failed, or what SSH says and asks while connecting.
    const text = this.#paneText(pane, r.w, rows);
    for (let y = 0; y < rows; y++) {
      const sy = r.y + 1 + y;
      let want: Row | string | null;
      // (The lag warning is mosh's notification bar, drawn into the session's overlay frame.)
      if (pane.state === "failed") want = text[y] ?? null;
      else if (y < text.length) want = text[y];
      else if (y === rows - 1 && pane.state === "ended")
        want = `![session ended — press ${this.#opts.config.prefix} x to close]`;
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
      if (want === null) this.#text(sy, r.x, r.w, s_default(this.#s), "");
      else if (typeof want === "string")
        this.#text(sy, r.x, r.w, want[0] === "!" ? NOTICE_ATTR : s_default(this.#s), want.slice(1));
      else this.#drawRow(sy, r.x, r.w, want);
    }
  }

  /**
   * The text rows a pane shows instead of its screen (`!` notice, `~` plain): a failed pane's
   * error; a connecting pane's SSH messages and the earlier lines of the question it asks.
   */
  #paneText(pane: Pane, w: number, rows: number): string[] {
    if (pane.state === "failed")
      return wrap(`failed: ${pane.error}`, w).map((l, i) => (i === 0 ? "!" : "~") + l);
    if (pane.state !== "connecting") return [];
    const mode = this.#mode;
    const asking = mode.kind === "prompt" && mode.paneId === pane.id;
    if (pane.notes.length === 0 && !asking) return [];
    const out: string[] = [];
    for (const note of pane.notes) for (const l of wrap(note, w)) out.push(`~${l}`);
    if (asking) {
      for (const b of mode.body ?? []) for (const l of wrap(b, w)) out.push(`~${l}`);
      out.push(`!${mode.secret ? "typing is not shown" : "answer below"}: Enter answers, Esc cancels`);
    }
    return out.length > rows ? out.slice(out.length - rows) : out;
  }

  #drawRow(sy: number, sx: number, w: number, row: Row): void {
    const n = Math.min(w, row.cols);
    for (let x = 0; x < n; x++) {
      const width = row.cellWidth(x);
      const attr = blessedAttr(row.cellAttrs(x), row.fg[x], row.bg[x]);
      if (width === 0) {
        this.#put(sy, sx + x, attr, " ");
        continue;
      }
      let ch = row.cellEmpty(x) ? " " : row.cellText(x);
      if (width === 2 && x + 1 >= w) ch = " ";
      this.#put(sy, sx + x, attr, ch);
      if (width === 2) {
        // blessed prints a wide character and skips the cell after it; always repaint both.
        const line = this.#s?.lines[sy];
        if (line) line.dirty = true;
      }
    }
    const def = s_default(this.#s);
    for (let x = n; x < w; x++) this.#put(sy, sx + x, def, " ");
  }

  #drawStatus(now: number): void {
    const s = this.#s;
    if (!s) return;
    const y = s.rows - 1;
    const w = s.cols;
    const mode = this.#mode;
    if (mode.kind === "confirm") {
      this.#text(y, 0, w, STATUS_FOCUS_ATTR, ` ${mode.question}`);
      return;
    }
    if (mode.kind === "prompt") {
      // A secret answer is not shown at all (as OpenSSH: nothing is echoed).
      this.#text(y, 0, w, STATUS_FOCUS_ATTR, ` ${mode.question}${mode.secret ? "" : mode.text}`);
      return;
    }
    if (this.#notice && now < this.#noticeUntil) {
      this.#text(y, 0, w, STATUS_FOCUS_ATTR, ` ${this.#notice}`);
      return;
    }
    let x = 0;
    const lead = this.#keys.armed ? ` ${this.#opts.config.prefix} ` : " mux ";
    x += this.#text(y, x, w - x, STATUS_FOCUS_ATTR, lead, false);
    for (const id of this.#layout.panes()) {
      const p = this.#panes.get(id);
      if (!p || x >= w) continue;
      const rtt = p.rtt;
      const st = p.state === "stalled" ? `stalled ${p.stalledSeconds(now)}s` : p.state;
      const item = ` ${id}:${p.label} ${rtt !== null && p.state === "live" ? `${Math.round(rtt)}ms ` : ""}${st} `;
      const attr =
        p.state === "stalled" ? STATUS_STALL_ATTR : id === this.#focus ? STATUS_FOCUS_ATTR : STATUS_ATTR;
      x += this.#text(y, x, w - x, attr, item, false);
      if (x < w) x += this.#text(y, x, 1, STATUS_ATTR, "│", false);
    }
    const hint = ` ${this.#opts.config.prefix} ? help `;
    const rest = w - x;
    if (rest > 0) {
      const pad = rest > hint.length ? " ".repeat(rest - hint.length) + hint : " ".repeat(rest);
      this.#text(y, x, rest, STATUS_ATTR, pad);
    }
  }

  #drawHelp(): void {
    const s = this.#s;
    if (!s) return;
    const p = this.#opts.config.prefix;
    const lines = [
      `mosh-mux keys: press ${p}, then:`,
      "",
      ...[...this.#opts.config.bindings].map(([k, c]) => `  ${k.padEnd(8)} ${COMMANDS[c] ?? c}`),
      `  ${p.padEnd(8)} send ${p} to the pane`,
      "",
      "in scrollback: Up/Down/PgUp/PgDn g G, / search, n next, q leaves",
      "any key closes this help",
    ];
    const a = this.#area();
    const w = Math.min(a.w - 2, Math.max(...lines.map((l) => l.length)) + 4);
    const h = Math.min(a.h - 2, lines.length + 2);
    const x0 = a.x + Math.max(Math.floor((a.w - w) / 2), 0);
    const y0 = a.y + Math.max(Math.floor((a.h - h) / 2), 0);
    for (let y = 0; y < h; y++) {
      const text = y === 0 || y === h - 1 ? "" : `  ${lines[y - 1] ?? ""}`;
      this.#text(y0 + y, x0, w, HELP_ATTR, text);
    }
  }

  #placeCursor(): void {
    const s = this.#s;
    if (!s) return;
    const prog = s.program;
    const pane = this.#panes.get(this.#focus);
    const v = this.#views.get(this.#focus);
    const mode = this.#mode.kind;
    if (mode === "prompt" || mode === "confirm") {
      const m = this.#mode;
      const len = m.kind === "prompt" ? [...m.question].length + (m.secret ? 0 : [...m.text].length) + 1 : 0;
      prog.cup(s.rows - 1, Math.min(len, s.cols - 1));
      prog.showCursor();
      return;
    }
    if (!pane || !v || mode === "help" || v.scroll > 0 || pane.state === "failed") {
      prog.hideCursor();
      return;
    }
    const f = pane.frame();
    const cy = f.cursorRow;
    const cx = f.cursorCol;
    if (!f.cursorVisible || cy >= v.rect.h - 1 || cx >= v.rect.w) {
      prog.hideCursor();
      return;
    }
    prog.cup(v.rect.y + 1 + cy, v.rect.x + cx);
    prog.showCursor();
  }
}

function s_default(s: ScreenInternals | null): number {
  return s?.dattr ?? (0x1ff << 9) | 0x1ff;
}
