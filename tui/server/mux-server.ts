// The mosh-mux background process: owns every pane (sessions, local servers, scrollback), the layout and focus, SSH panes' questions, and serves its clients over the socket.
import { chmodSync, statSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { BootstrapError } from "../../sdk/bootstrap/errors.js";
import { MuxError } from "../../sdk/mux/errors.js";
import {
  type ClientMessage,
  encodeRow,
  type FlapSpec,
  LAYOUT_COMMANDS,
  type LayoutCommand,
  type LayoutMessage,
  type MuxPaneInfo,
  type MuxPaneSource,
  type MuxPreset,
  type MuxQuestion,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../../sdk/mux/protocol.js";
import { VERSION } from "../../sdk/version.js";
import { startFlapping } from "../demo.js";
import { Layout, type Rect, type SplitDir } from "../layout.js";
import type { Pane } from "../pane.js";
import { ClientLink, type PaneWatch, refused } from "./client-link.js";

/** Options of {@link MuxServer}. */
export interface MuxServerOptions {
  /** Socket name (shown to clients: "[detached (from session NAME)]"). */
  name: string;
  /** Where to listen (its directory was checked). */
  socketPath: string;
  /** Diagnostics (to the server's log file). */
  log?: (line: string) => void;
  /** Exit when no client came and no pane was opened within this many ms of the start (default 10000). */
  idleExitMs?: number;
}

/** A question of an SSH pane, waiting for its answer. */
interface Question extends MuxQuestion {
  resolve: (answer: string) => void;
  reject: (err: Error) => void;
}

/** Most scrollback rows sent in one message (a backlog goes out in several, frames in between). */
const SCROLL_CHUNK = 400;

/**
 * The pane module (sessions, local servers, the emulator, node-pty): loaded once the socket
 * listens, so the starting client connects and attaches meanwhile.
 */
let paneModule: Promise<typeof import("../pane.js")> | null = null;
function loadPanes(): Promise<typeof import("../pane.js")> {
  paneModule ??= import("../pane.js");
  return paneModule;
}

/** Default pane size before any client told its terminal size. */
const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;

/** The background process's core: panes, layout, questions and clients. */
export class MuxServer {
  readonly name: string;
  readonly socketPath: string;
  readonly created = Date.now();
  readonly #log: (line: string) => void;
  readonly #clients = new Set<ClientLink>();
  readonly #panes = new Map<number, Pane>();
  readonly #layout = new Layout();
  readonly #questions: Question[] = [];
  readonly #flapStops: Array<() => void> = [];
  #net: Server | null = null;
  #socketIno = -1;
  #focus = 0;
  #nextId = 1;
  #nextQuestion = 1;
  #cols = DEFAULT_COLS;
  #rows = DEFAULT_ROWS;
  #scrollbackLines = 5000;
  #flushQueued = false;
  #activity = 0;
  #closing: Promise<void> | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #resolveDone: () => void = () => undefined;
  /** Resolves once the server has shut down (every session closed, clients told). */
  readonly done: Promise<void>;

  constructor(opts: MuxServerOptions) {
    this.name = opts.name;
    this.socketPath = opts.socketPath;
    this.#log = opts.log ?? (() => undefined);
    this.done = new Promise<void>((resolve) => {
      this.#resolveDone = resolve;
    });
    this.#idleTimer = setTimeout(() => {
      if (this.#panes.size === 0 && this.#clients.size === 0) void this.shutdown("empty");
    }, opts.idleExitMs ?? 10_000);
  }

  /** Listens on the socket (mode 0600 inside the 0700 directory). */
  async listen(): Promise<void> {
    const server = createServer((socket) => this.#accept(socket));
    this.#net = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.socketPath, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.#log(`socket: ${err.message}`));
    chmodSync(this.socketPath, 0o600);
    this.#socketIno = statSync(this.socketPath).ino;
    loadPanes().catch((err: Error) => this.#log(`cannot load the panes: ${err.stack ?? err.message}`));
  }

  /** The panes (for tests and the daemon entry). */
  get panes(): ReadonlyMap<number, Pane> {
    return this.#panes;
  }

  // ---- clients ----

  #accept(socket: Socket): void {
    const client: ClientLink = new ClientLink(
      socket,
      (msg) => this.#onMessage(client, msg),
      () => this.#onClientGone(client),
      () => this.#scheduleFlush(),
    );
    this.#clients.add(client);
  }

  #onClientGone(client: ClientLink): void {
    this.#clients.delete(client);
    if (client.view) {
      this.#resizeToLatest();
      this.#applyBackground();
    }
    if (this.#clients.size === 0 && this.#panes.size === 0 && !this.#closing) void this.shutdown("empty");
  }

  #views(): ClientLink[] {
    return [...this.#clients].filter((c) => c.view && !c.closed);
  }

  #onMessage(client: ClientLink, msg: ClientMessage): void {
    const id = "id" in msg && typeof msg.id === "number" ? msg.id : undefined;
    try {
      if (!client.greeted && msg.t !== "hello") throw new MuxError("protocol", "hello first");
      this.#handle(client, msg);
    } catch (err) {
      const e = err instanceof MuxError ? err : new MuxError("refused", (err as Error).message);
      if (e.code === "protocol") client.fail(e);
      else client.send({ t: "error", id, code: e.code, message: e.message });
    }
  }

  #handle(client: ClientLink, msg: ClientMessage): void {
    switch (msg.t) {
      case "hello":
        if (msg.v !== PROTOCOL_VERSION) {
          client.fail(
            new MuxError(
              "version",
              `the server runs mosh-ts ${VERSION} (protocol ${PROTOCOL_VERSION}), the client ${String(msg.version)} (protocol ${String(msg.v)}): kill-server and start again`,
            ),
          );
          return;
        }
        client.greeted = true;
        client.send({
          t: "welcome",
          v: PROTOCOL_VERSION,
          version: VERSION,
          pid: process.pid,
          name: this.name,
          created: this.created,
        });
        // The questions waiting go to every client (a script may answer them too).
        this.#scheduleFlush();
        return;
      case "list":
        client.send({
          t: "ok",
          id: msg.id,
          panes: this.#layout.panes().flatMap((p) => {
            const pane = this.#panes.get(p);
            return pane ? [this.#info(pane)] : [];
          }),
          clients: this.#views().length,
        });
        return;
      case "attach": {
        client.view = true;
        client.cols = positive(msg.cols, DEFAULT_COLS);
        client.rows = positive(msg.rows, DEFAULT_ROWS);
        client.activeAt = ++this.#activity;
        // A view gets everything from scratch: layout, every pane, the questions.
        client.layoutSent = "";
        client.questionsSent = "";
        for (const id of this.#panes.keys()) client.watch(id, true);
        client.send({ t: "ok", id: msg.id });
        this.#resizeToLatest();
        this.#applyBackground();
        this.#scheduleFlush();
        return;
      }
      case "watch": {
        const pane = this.#pane(msg.pane);
        client.watch(pane.id, msg.overlay === true);
        client.send({ t: "ok", id: msg.id, panes: [this.#info(pane)] });
        this.#scheduleFlush();
        return;
      }
      case "unwatch":
        if (!client.view) client.watches.delete(msg.pane);
        client.send({ t: "ok", id: msg.id });
        return;
      case "input": {
        if (typeof msg.data !== "string") throw new MuxError("bad-argument", "input needs data");
        const pane = msg.pane === undefined ? this.#panes.get(this.#focus) : this.#pane(msg.pane);
        if (client.view && client.activeAt !== this.#activity) {
          client.activeAt = ++this.#activity;
          this.#resizeToLatest();
        }
        pane?.write(msg.data);
        return;
      }
      case "resize":
        if (!client.view) return;
        client.cols = positive(msg.cols, client.cols);
        client.rows = positive(msg.rows, client.rows);
        client.activeAt = ++this.#activity;
        this.#resizeToLatest();
        return;
      case "command":
        this.#command(msg.name, msg.pane);
        if (msg.id !== undefined) client.send({ t: "ok", id: msg.id });
        return;
      case "open": {
        if (!Array.isArray(msg.sources) || msg.sources.length === 0)
          throw new MuxError("bad-argument", "open needs sources");
        if (msg.scrollbackLines !== undefined) this.#scrollbackLines = positive(msg.scrollbackLines, 5000, 0);
        this.#open(msg.sources, msg.layout, msg.split === "v" ? "v" : "h", msg.flap).then(
          (ids) => client.send({ t: "ok", id: msg.id, ids }),
          (err: Error) =>
            client.send({
              t: "error",
              id: msg.id,
              code: err instanceof MuxError ? err.code : "refused",
              message: err.message,
            }),
        );
        return;
      }
      case "close":
        this.#pane(msg.pane);
        this.#closePane(msg.pane);
        client.send({ t: "ok", id: msg.id });
        return;
      case "answer":
      case "cancel":
        this.#answer(msg.q, msg.t === "answer" ? String(msg.text ?? "") : null);
        return;
      case "scrollback": {
        const pane = this.#pane(msg.pane);
        const sb = pane.scrollback;
        const lines: string[] = [];
        for (let i = 0; i < sb.length; i++) lines.push(sb.row(i).toString());
        client.send({ t: "ok", id: msg.id, lines });
        return;
      }
      case "kill-server":
        client.send({ t: "ok", id: msg.id });
        void this.shutdown("killed");
        return;
      default:
        throw new MuxError("protocol", `unknown message ${String((msg as { t: unknown }).t)}`);
    }
  }

  #pane(id: unknown): Pane {
    const pane = typeof id === "number" ? this.#panes.get(id) : undefined;
    if (!pane) throw refused(`no pane ${String(id)}`);
    return pane;
  }

  // ---- panes and layout ----

  #info(pane: Pane): MuxPaneInfo {
    const rtt = pane.rtt;
    return {
      id: pane.id,
      label: pane.label,
      source: pane.source,
      state: pane.state,
      rtt: rtt === null ? null : Math.round(rtt),
      stalledSince: pane.stalledSince,
      stallKind: pane.stallKind,
      roams: pane.roams,
      error: pane.error,
      notes: [...pane.notes],
      cols: pane.cols,
      rows: pane.rows,
      focused: pane.id === this.#focus,
      scrollback: pane.scrollback.length,
      scrollbackLimit: pane.scrollback.limit,
    };
  }

  async #open(
    sources: MuxPaneSource[],
    preset: MuxPreset | undefined,
    dir: SplitDir,
    flap?: FlapSpec,
  ): Promise<number[]> {
    for (const src of sources)
      if (!src || (src.kind !== "local" && src.kind !== "ssh"))
        throw new MuxError("bad-argument", "bad pane source");
    const { Pane } = await loadPanes();
    if (this.#closing) throw refused("the server is shutting down");
    const first = this.#panes.size === 0;
    const added: Pane[] = [];
    let last: number | null = first ? null : this.#focus;
    for (const src of sources) {
      const pane = this.#addPane(Pane, src, last, dir);
      added.push(pane);
      if (first) last = pane.id;
    }
    if (this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
    if (first) {
      const n = this.#panes.size;
      this.#layout.applyPreset(preset ?? (n <= 3 ? "even-horizontal" : "tiled"));
      this.#focus = this.#layout.panes()[0] ?? 0;
    } else this.#focus = added[added.length - 1].id;
    this.#relayout();
    this.#applyBackground();
    const opened = added.map((p) => p.open());
    if (flap) void Promise.all(opened).then(() => this.#flapStops.push(startFlapping(added, flap)));
    return added.map((p) => p.id);
  }

  #addPane(PaneClass: typeof Pane, src: MuxPaneSource, target: number | null, dir: SplitDir): Pane {
    const id = this.#nextId++;
    const pane = new PaneClass(
      id,
      src,
      DEFAULT_COLS,
      DEFAULT_ROWS,
      this.#scrollbackLines,
      () => this.#scheduleFlush(),
      (question, { echo }) => this.#ask(id, question, echo),
    );
    this.#panes.set(id, pane);
    this.#layout.split(target, id, dir);
    for (const c of this.#clients) if (c.view) c.watch(id, true);
    return pane;
  }

  #closePane(id: number): void {
    const pane = this.#panes.get(id);
    if (!pane) return;
    const order = this.#layout.panes();
    const idx = order.indexOf(id);
    this.#layout.remove(id);
    this.#panes.delete(id);
    this.#withdrawQuestions(id);
    // Clients learn that its questions are gone before the pane itself.
    this.#flush();
    for (const c of this.#clients) if (c.watches.delete(id) || c.view) c.send({ t: "gone", pane: id });
    const closing = pane.close();
    const rest = this.#layout.panes();
    if (rest.length === 0) {
      void closing.then(() => this.shutdown("empty"));
      return;
    }
    if (this.#focus === id) this.#focus = rest[Math.min(Math.max(idx - 1, 0), rest.length - 1)];
    this.#relayout();
    this.#applyBackground();
  }

  /** The area the panes share: the latest view's terminal without its status line. */
  #area(): Rect {
    return { x: 0, y: 0, w: this.#cols, h: Math.max(this.#rows - 1, 1) };
  }

  /** Takes the size of the most recently active view (none attached: the sizes stay). */
  #resizeToLatest(): void {
    let latest: ClientLink | null = null;
    for (const c of this.#views()) if (!latest || c.activeAt > latest.activeAt) latest = c;
    if (!latest || (latest.cols === this.#cols && latest.rows === this.#rows)) {
      this.#scheduleFlush();
      return;
    }
    this.#cols = latest.cols;
    this.#rows = latest.rows;
    this.#relayout();
  }

  /** Recomputes every pane's rectangle and resizes their sessions. */
  #relayout(): void {
    const geo = this.#layout.geometry(this.#area());
    for (const [id, pane] of this.#panes) {
      const r = geo.get(id);
      // Sizes are re-sent only when they change (Pane.resize ignores repeats); hidden panes keep theirs.
      if (r) pane.resize(Math.max(r.w, 1), Math.max(r.h - 1, 1));
    }
    this.#scheduleFlush();
  }

  /** Only the focused pane of an attached view takes every screen; the others (and all while detached) take ten a second. */
  #applyBackground(): void {
    const watched = this.#views().length > 0;
    for (const [id, pane] of this.#panes) pane.background = !(watched && id === this.#focus);
  }

  #setFocus(id: number): void {
    if (id === this.#focus || !this.#panes.has(id)) return;
    this.#focus = id;
    if (this.#layout.zoomed !== null && this.#layout.zoomed !== id) {
      this.#layout.toggleZoom(this.#layout.zoomed);
      this.#relayout();
    }
    this.#applyBackground();
    this.#scheduleFlush();
  }

  #command(name: LayoutCommand, paneId?: number): void {
    if (!(LAYOUT_COMMANDS as readonly string[]).includes(name))
      throw new MuxError("bad-argument", `unknown command ${String(name)}`);
    const focus = this.#focus;
    const pane = this.#panes.get(focus);
    switch (name) {
      case "split-h":
      case "split-v": {
        const src: MuxPaneSource =
          pane?.source.kind === "local" ? { kind: "local", command: pane.source.command } : { kind: "local" };
        this.#open([src], undefined, name === "split-h" ? "h" : "v").catch((err: Error) =>
          this.#log(`split: ${err.message}`),
        );
        return;
      }
      case "focus-left":
      case "focus-right":
      case "focus-up":
      case "focus-down": {
        const dir = name.slice(6) as "left" | "right" | "up" | "down";
        const next = this.#layout.neighbour(focus, dir, this.#area());
        if (next !== null) this.#setFocus(next);
        return;
      }
      case "focus-next": {
        const ids = this.#layout.zoomed !== null ? [this.#layout.zoomed] : this.#layout.panes();
        const i = ids.indexOf(focus);
        if (ids.length > 0) this.#setFocus(ids[(i + 1) % ids.length]);
        return;
      }
      case "focus":
        this.#setFocus(this.#pane(paneId).id);
        return;
      case "zoom":
        this.#layout.toggleZoom(focus);
        this.#relayout();
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
        const horiz = name === "resize-left" || name === "resize-right";
        const grow = name === "resize-right" || name === "resize-down" ? 2 : -2;
        this.#layout.resize(focus, horiz ? "h" : "v", grow, horiz ? a.w : a.h);
        this.#relayout();
        return;
      }
      case "layout-even-horizontal":
      case "layout-even-vertical":
      case "layout-tiled":
        this.#layout.applyPreset(name.slice(7) as MuxPreset);
        this.#relayout();
        return;
    }
  }

  #layoutMessage(): LayoutMessage {
    const geo = this.#layout.geometry(this.#area());
    return {
      t: "layout",
      cols: this.#cols,
      rows: this.#rows,
      focus: this.#focus,
      zoomed: this.#layout.zoomed,
      order: this.#layout.panes(),
      rects: [...geo].map(([id, r]) => [id, r.x, r.y, r.w, r.h]),
    };
  }

  // ---- questions from SSH panes ----

  /** The {@link Pane}'s prompt: queues the question for the attached clients (it waits while none is). */
  #ask(paneId: number, text: string, echo: boolean): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (this.#closing || !this.#panes.has(paneId)) {
        reject(new BootstrapError("aborted", "pane closed"));
        return;
      }
      this.#questions.push({ id: this.#nextQuestion++, pane: paneId, text, echo, resolve, reject });
      this.#scheduleFlush();
    });
  }

  /** Answers question `q` (null: cancelled, as Escape at the prompt). Late answers are ignored. */
  #answer(q: number, text: string | null): void {
    const i = this.#questions.findIndex((x) => x.id === q);
    if (i < 0) return;
    const [question] = this.#questions.splice(i, 1);
    if (text === null) question.reject(new BootstrapError("aborted", "cancelled at the prompt"));
    else question.resolve(text);
    this.#scheduleFlush();
  }

  /** Withdraws the questions of pane `paneId` (all panes: null), rejecting them. */
  #withdrawQuestions(paneId: number | null): void {
    const gone = new BootstrapError("aborted", "pane closed");
    for (let i = this.#questions.length - 1; i >= 0; i--) {
      const q = this.#questions[i];
      if (paneId !== null && q.pane !== paneId) continue;
      this.#questions.splice(i, 1);
      q.reject(gone);
    }
    this.#scheduleFlush();
  }

  // ---- sending ----

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(() => {
      this.#flushQueued = false;
      this.#flush();
    });
  }

  /** Sends every client what changed for it since its last message; a congested client waits for its drain. */
  #flush(): void {
    let more = false;
    const layout = this.#layoutMessage();
    const layoutJson = JSON.stringify(layout);
    const questions = this.#questions.map(({ id, pane, text, echo }) => ({ id, pane, text, echo }));
    const questionsJson = JSON.stringify(questions);
    const infos = new Map<number, { info: MuxPaneInfo; json: string }>();
    const infoOf = (pane: Pane): { info: MuxPaneInfo; json: string } => {
      let i = infos.get(pane.id);
      if (!i) {
        const info = this.#info(pane);
        i = { info, json: JSON.stringify(info) };
        infos.set(pane.id, i);
      }
      return i;
    };
    for (const c of this.#clients) {
      if (!c.greeted || c.closed || c.congested) continue;
      if (c.view && c.layoutSent !== layoutJson) {
        c.layoutSent = layoutJson;
        c.send(layout);
      }
      for (const [id, w] of c.watches) {
        const pane = this.#panes.get(id);
        if (!pane) continue;
        const { info, json } = infoOf(pane);
        if (w.info !== json) {
          w.info = json;
          c.send({ t: "pane", info });
        }
        const frame = w.encoder.encode(id, w.overlay ? pane.frame() : pane.screen());
        if (frame) c.send(frame);
        // Screens first: a backlog of scrollback follows in chunks.
        if (c.view && this.#sendScrollback(c, pane, w)) more = true;
      }
      if (c.questionsSent !== questionsJson) {
        c.questionsSent = questionsJson;
        c.send({ t: "questions", list: questions });
      }
    }
    if (more) this.#scheduleFlush();
  }

  /** Sends a view the rows that scrolled off since it last got some (a chunk at a time); true if more remain. */
  #sendScrollback(c: ClientLink, pane: Pane, w: PaneWatch): boolean {
    const sb = pane.scrollback;
    const oldest = sb.total - sb.length;
    const from = Math.max(w.scrollbackSent, oldest);
    if (from >= sb.total) {
      w.scrollbackSent = sb.total;
      return false;
    }
    const to = Math.min(sb.total, from + SCROLL_CHUNK);
    const rows = [];
    for (let n = from; n < to; n++) rows.push(encodeRow(sb.row(n - oldest)));
    c.send({ t: "scroll", pane: pane.id, rows });
    w.scrollbackSent = to;
    return to < sb.total;
  }

  #broadcast(msg: ServerMessage): void {
    for (const c of this.#clients) if (c.greeted) c.send(msg);
  }

  // ---- the end ----

  /**
   * Ends every session (bounded), tells the clients (`killed`: kill-server or quit; `empty`: the
   * last pane closed), closes the socket, and resolves {@link MuxServer.done}.
   */
  shutdown(reason: "killed" | "empty"): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#idleTimer) clearTimeout(this.#idleTimer);
      this.#closeListener();
      this.#withdrawQuestions(null);
      for (const stop of this.#flapStops) stop();
      await Promise.all([...this.#panes.values()].map((p) => p.close()));
      this.#flush();
      this.#broadcast({ t: "exit", reason });
      for (const c of this.#clients) c.end();
      this.#log(`server exits (${reason})`);
      this.#resolveDone();
    })();
    return this.#closing;
  }

  #closeListener(): void {
    this.#net?.close();
    // Remove the socket unless another server has replaced it meanwhile.
    try {
      if (statSync(this.socketPath).ino === this.#socketIno) unlinkSync(this.socketPath);
    } catch {
      // gone already
    }
  }
}

function positive(v: unknown, fallback: number, min = 1): number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= 10000 ? v : fallback;
}
