// One mux pane: opens its mosh session (local server, SSH, optionally behind a link emulator), tracks its state, contact and scrollback.
import type { PromptFn } from "../sdk/bootstrap/prompt.js";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { LinkEmulator } from "../sdk/linkem/link-emulator.js";
import { MoshServer } from "../sdk/server/mosh-server.js";
import { blankFrame, type Frame } from "../sdk/terminal/frame.js";
import { type PaneSource, parseTarget, sourceLabel } from "./pane-source.js";
import { Scrollback } from "./scrollback.js";

export { type PaneSource, parseTarget, sourceLabel };

/** A pane's life: opening, live, stalled (no contact), ended, or failed to open. */
export type PaneState = "connecting" | "live" | "stalled" | "ended" | "failed";

/** Most lines of SSH messages a connecting pane keeps (warnings, motd, "Permanently added ..."). */
const MAX_NOTES = 50;

/** Least time (ms) between two screens of a pane that does not have the focus. */
export const BACKGROUND_RENDER_MS = 100;

/** Threshold (ms) after which a pane counts as stalled (mosh's "Last contact" threshold). */
export const STALL_MS = 6500;

/** One pane and its mosh session. */
export class Pane {
  /** Pane number (stable, shown in headers). */
  readonly id: number;
  /** What it connects to. */
  readonly source: PaneSource;
  /** Header/status label. */
  readonly label: string;
  /** Rows that scrolled off its screen. */
  readonly scrollback: Scrollback;
  #state: PaneState = "connecting";
  #session: MoshSession | null = null;
  #server: MoshServer | null = null;
  #link: LinkEmulator | null = null;
  #frame: Frame;
  #view: Frame;
  #stallSince = 0;
  #stallKind: "contact" | "reply" = "contact";
  #roams = 0;
  #error = "";
  #onChange: () => void;
  #closing: Promise<void> | null = null;
  #cols: number;
  #rows: number;
  #background = false;
  #prompt: PromptFn | undefined;
  #opening: Promise<void> | null = null;
  readonly #abort = new AbortController();
  readonly #notes: string[] = [];

  /**
   * @param prompt asks the user for an SSH pane (unknown host key, passphrase, password,
   *   keyboard-interactive); rejecting it aborts the connection. Without it nothing is asked.
   */
  constructor(
    id: number,
    source: PaneSource,
    cols: number,
    rows: number,
    scrollbackLines: number,
    onChange: () => void,
    prompt?: PromptFn,
  ) {
    this.#prompt = prompt;
    this.id = id;
    this.source = source;
    this.label = sourceLabel(source);
    this.scrollback = new Scrollback(scrollbackLines);
    this.#frame = blankFrame(cols, rows);
    this.#view = this.#frame;
    this.#cols = cols;
    this.#rows = rows;
    this.#onChange = onChange;
  }

  /** Current state. */
  get state(): PaneState {
    return this.#state;
  }

  /** Why opening failed (state "failed"). */
  get error(): string {
    return this.#error;
  }

  /** Messages SSH printed while connecting (warnings, banner, motd lines), one line each. */
  get notes(): readonly string[] {
    return this.#notes;
  }

  /** The session (null until open). */
  get session(): MoshSession | null {
    return this.#session;
  }

  /** The link emulator in front of its server, if any. */
  get link(): LinkEmulator | null {
    return this.#link;
  }

  /** Smoothed RTT in ms, or null before contact. */
  get rtt(): number | null {
    return this.#session && this.#state !== "connecting" ? this.#session.srtt : null;
  }

  /** Whole seconds since the last contact while stalled (0 otherwise). */
  stalledSeconds(now = Date.now()): number {
    return this.#state === "stalled" ? Math.floor((now - this.#stallSince) / 1000) : 0;
  }

  /** How many times the session moved to a new local port (mosh's port hop after 10 s of silence). */
  get roams(): number {
    return this.#roams;
  }

  /** What the stall is about: no new server state (`contact`) or our input unacknowledged (`reply`). */
  get stallKind(): "contact" | "reply" {
    return this.#stallKind;
  }

  /** The screen to draw: the session's screen with its prediction overlay and notification bar. */
  frame(): Frame {
    return this.#view;
  }

  /** The server's screen, without overlays. */
  screen(): Frame {
    return this.#frame;
  }

  /** Size of the session's screen. */
  get cols(): number {
    return this.#cols;
  }

  get rows(): number {
    return this.#rows;
  }

  /** When the stall began (ms since the epoch), while stalled; else null. */
  get stalledSince(): number | null {
    return this.#state === "stalled" ? this.#stallSince : null;
  }

  /** Opens the session at `cols`x`rows`. Never throws: failure shows in the pane. */
  open(): Promise<void> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  #note(text: string): void {
    if (this.#state !== "connecting") return;
    for (const line of text.split(/\r?\n/)) this.#notes.push(line);
    if (this.#notes.length > MAX_NOTES) this.#notes.splice(0, this.#notes.length - MAX_NOTES);
    this.#onChange();
  }

  async #open(): Promise<void> {
    try {
      const src = this.source;
      let session: MoshSession;
      if (src.kind === "local") {
        this.#server = await MoshServer.start({
          command: src.command,
          bindAddress: "127.0.0.1",
          port: 0,
          cols: this.#cols,
          rows: this.#rows,
        });
        let port = this.#server.port;
        if (src.link) {
          this.#link = await LinkEmulator.start({
            target: { address: "127.0.0.1", port },
            toServer: src.link.toServer,
            toClient: src.link.toClient,
            seed: src.link.seed ?? 1,
          });
          port = this.#link.port;
        }
        session = new MoshSession({
          host: "127.0.0.1",
          port,
          key: this.#server.key,
          cols: this.#cols,
          rows: this.#rows,
          stallAfterMs: STALL_MS,
        });
        this.#attach(session);
        await session.connect();
      } else {
        const { host, command } = parseTarget(src.target);
        // The SSH bootstrap (ssh2) loads with the first SSH pane, not at start.
        const { connect } = await import("../sdk/bootstrap/connect.js");
        session = await connect(host, {
          cols: this.#cols,
          rows: this.#rows,
          command,
          prompt: this.#prompt,
          onMessage: (m) => this.#note(m),
          signal: this.#abort.signal,
          session: { stallAfterMs: STALL_MS },
        });
        this.#attach(session);
        this.#frame = session.screen();
        this.#view = session.screen({ overlay: true });
      }
      if (this.#closing) return;
      if (this.#state === "connecting") this.#state = "live";
      if (this.#cols !== session.screen().cols || this.#rows !== session.screen().rows)
        session.resize(this.#cols, this.#rows);
      this.#onChange();
    } catch (err) {
      if (this.#closing) return;
      this.#state = "failed";
      this.#error = err instanceof Error ? err.message : String(err);
      await this.#teardown();
      this.#onChange();
    }
  }

  /**
   * Whether the user is looking elsewhere: a background pane takes at most one screen per
   * {@link BACKGROUND_RENDER_MS} from its session, so busy panes leave time for the focused one.
   */
  set background(bg: boolean) {
    if (bg === this.#background) return;
    this.#background = bg;
    if (this.#session) this.#session.renderIntervalMs = bg ? BACKGROUND_RENDER_MS : 0;
  }

  #attach(session: MoshSession): void {
    this.#session = session;
    session.renderIntervalMs = this.#background ? BACKGROUND_RENDER_MS : 0;
    session.on("screen", (f) => {
      this.scrollback.observe(this.#frame, f);
      this.#frame = f;
      // `view` does not follow every server frame: take the overlay view now as well.
      this.#view = session.screen({ overlay: true });
      this.#onChange();
    });
    session.on("view", (f) => {
      this.#view = f;
      this.#onChange();
    });
    session.on("connect", () => {
      if (this.#state === "connecting") this.#state = "live";
      this.#onChange();
    });
    session.on("stall", (since, kind) => {
      if (this.#state !== "live") return;
      this.#state = "stalled";
      this.#stallKind = kind;
      this.#stallSince = Date.now() - since;
      this.#onChange();
    });
    session.on("resume", () => {
      if (this.#state === "stalled") this.#state = "live";
      this.#onChange();
    });
    session.on("rtt", () => this.#onChange());
    session.on("roam", () => {
      this.#roams++;
      this.#onChange();
    });
    session.on("exit", () => {
      this.#state = "ended";
      void this.#teardown();
      this.#onChange();
    });
    session.on("error", () => undefined);
  }

  /** Sends keys to the session. */
  write(data: string): void {
    if (this.#state === "live" || this.#state === "stalled") this.#session?.write(data);
  }

  /** Resizes the session (its content area). */
  resize(cols: number, rows: number): void {
    if (cols < 1 || rows < 1 || (cols === this.#cols && rows === this.#rows)) return;
    this.#cols = cols;
    this.#rows = rows;
    if (this.#session && (this.#state === "live" || this.#state === "stalled"))
      this.#session.resize(cols, rows);
  }

  /** Whether the session is still running (asks before closing/quitting). */
  get live(): boolean {
    return this.#state === "live" || this.#state === "stalled" || this.#state === "connecting";
  }

  /** Ends the session (shutdown handshake, bounded) and everything the pane started; stops a connection in progress. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      // A session that opens meanwhile is closed below, not left running.
      if (this.#opening) await Promise.race([this.#opening, new Promise((r) => setTimeout(r, 1500).unref())]);
      const s = this.#session;
      if (s && !s.exitInfo) {
        await Promise.race([s.close(), new Promise((r) => setTimeout(r, 1500).unref())]);
      }
      await this.#teardown();
    })();
    return this.#closing;
  }

  async #teardown(): Promise<void> {
    const server = this.#server;
    const link = this.#link;
    this.#server = null;
    this.#link = null;
    if (server) await Promise.race([server.close(), new Promise((r) => setTimeout(r, 1500).unref())]);
    if (link) await link.stop();
  }
}
