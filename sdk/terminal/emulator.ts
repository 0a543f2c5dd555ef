// The terminal emulator adapter: an @xterm/headless Terminal plus the state mosh tracks that xterm does not, snapshotted as Frames.
import xterm from "@xterm/headless";
import { BufferReader } from "./buffer-reader.js";
import { fullRepaint } from "./display-diff.js";
import { Frame, type MouseEncoding, type MouseMode } from "./frame.js";
import { installMoshWidths } from "./wcwidth.js";
import { patchXterm } from "./xterm-fixes.js";

const { Terminal } = xterm;
type XTerminal = InstanceType<typeof Terminal>;

/** Options of an {@link Emulator}. */
export interface EmulatorOptions {
  /** Lines of scrollback in the normal screen (default 0: mosh keeps none). */
  scrollback?: number;
  /**
   * Reflow soft-wrapped lines on a width change, as xterm does (default false: mosh does not,
   * and xterm 6.0's reflow can corrupt its buffer when there is no scrollback).
   */
  reflow?: boolean;
}

/** mosh's OSC string limit for titles: the first 256 characters including the `N;` prefix. */
const TITLE_LIMIT = 256;

/** Keeps the first `limit` code points of `s`. */
function cutCodePoints(s: string, limit: number): string {
  if (s.length <= limit) return s;
  let n = 0;
  let i = 0;
  while (i < s.length && n < limit) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    n++;
  }
  return s.slice(0, i);
}

/** The parameters of a CSI sequence as xterm passes them (a number, or sub-parameters). */
type CsiParams = (number | number[])[];

/** The part of xterm's internal WriteBuffer used to parse synchronously. */
interface SyncWriteBuffer {
  writeSync(data: string | Uint8Array, maxSubsequentCalls?: number): void;
}

/**
 * A headless terminal emulator (xterm.js) whose screen can be snapshotted as a {@link Frame}.
 * Used by the client for its copy of the host screen and by the server for the application's
 * screen. Writes are applied asynchronously and in order; `snapshot()` reads the state after
 * the writes that have completed.
 *
 * Besides xterm's own state it tracks, with mosh's semantics: title and icon name (OSC 0/1/2,
 * cut to 256 characters with the prefix), OSC 52 clipboard, bell count, reverse video (?5,
 * which xterm ignores), cursor visibility (?25), bracketed paste (?2004), mouse reporting
 * (?9/1000/1001/1002/1003: set = that mode, reset = none), focus events (?1004) and mouse
 * encoding (?1005/1006/1015). RIS (`ESC c`) resets them (not the bell count); DECSTR shows the cursor.
 *
 * Terminal queries are answered as mosh-server answers them (docs/mosh-protocol.md §8.2), through {@link onReply}:
 * `CSI c` → `ESC[?62c`, `CSI > c` → `ESC[>1;10;0c`, `CSI 5n` → `ESC[0n`, `CSI 6n` → the
 * cursor position. xterm's other replies are suppressed, as mosh gives none.
 *
 * Known differences from mosh's emulator (the snapshot shows xterm's behaviour, normalised by
 * {@link BufferReader} to cells mosh can represent): SGR 2 (dim), 9 (strikethrough) and 53
 * (overline) are parsed, dim is kept, the other two are dropped; colon sub-parameters are
 * accepted; the alternate screen (?1049/47/1047) works (mosh ignores it); shrinking the height
 * with the cursor near the bottom drops rows at the top (mosh drops them at the bottom); the
 * width is at least 2; a combining character right after a cursor move joins the cell left of
 * the cursor (mosh: the cell under it); a character glibc calls unprintable joins the previous
 * cell invisibly (mosh drops it); with autowrap off a wide character in the last column is
 * dropped (mosh prints it); xterm's EL from column 0 clears the previous row's wrap flag
 * (mosh: that row keeps it); the clipboard is not cut at 16384 characters; ?1007 (alternate
 * scroll) is not tracked; other DEC modes, charsets and xterm extensions follow xterm.
 */
export class Emulator {
  private readonly term: XTerminal;
  private readonly reader = new BufferReader();
  private readonly replyListeners = new Set<(data: string) => void>();
  private readonly pending = new Set<() => void>();
  private last: Frame | null = null;
  private syncWriterCache: SyncWriteBuffer | null | undefined = undefined;
  private disposed = false;

  private title = "";
  private iconName = "";
  private titleSet = false;
  private clipboard = "";
  private bellCount = 0;
  private cursorVisible = true;
  private reverseVideo = false;
  private bracketedPaste = false;
  private mouseMode: MouseMode = 0;
  private mouseEncoding: MouseEncoding = 0;
  private focusEvents = false;

  /** A blank emulator of `cols` × `rows`. */
  constructor(cols: number, rows: number, options: EmulatorOptions = {}) {
    this.term = new Terminal({
      cols,
      rows,
      scrollback: options.scrollback ?? 0,
      allowProposedApi: true,
      logLevel: "off",
      // The only switch xterm offers to turn reflow off; it also makes a taller screen gain
      // blank rows at the bottom (as mosh does) instead of pulling lines back from scrollback.
      ...(options.reflow ? {} : { windowsPty: { backend: "winpty" as const, buildNumber: 1 } }),
    });
    installMoshWidths(this.term);
    patchXterm(this.term);
    this.installHandlers();
  }

  private installHandlers(): void {
    const t = this.term;
    const parser = t.parser;
    t.onBell(() => {
      this.bellCount++;
    });
    const osc = (id: number, data: string): boolean => {
      const text = cutCodePoints(`${id};${data}`, TITLE_LIMIT).slice(String(id).length + 1);
      if (id !== 2) this.iconName = text;
      if (id !== 1) this.title = text;
      this.titleSet = true;
      return false;
    };
    for (const id of [0, 1, 2]) parser.registerOscHandler(id, (data) => osc(id, data));
    parser.registerOscHandler(52, (data) => {
      if (data.startsWith("c;")) this.clipboard = data.slice(2);
      return true;
    });
    parser.registerCsiHandler({ prefix: "?", final: "h" }, (params) => this.decMode(params, true));
    parser.registerCsiHandler({ prefix: "?", final: "l" }, (params) => this.decMode(params, false));
    parser.registerEscHandler({ final: "c" }, () => {
      this.resetTracked();
      return false;
    });
    parser.registerCsiHandler({ intermediates: "!", final: "p" }, () => {
      this.cursorVisible = true;
      return false;
    });
    parser.registerCsiHandler({ final: "c" }, () => {
      this.reply("\x1b[?62c");
      return true;
    });
    parser.registerCsiHandler({ prefix: ">", final: "c" }, () => {
      this.reply("\x1b[>1;10;0c");
      return true;
    });
    parser.registerCsiHandler({ final: "n" }, (params) => {
      const p = typeof params[0] === "number" ? params[0] : 0;
      if (p === 5) this.reply("\x1b[0n");
      else if (p === 6) {
        const b = t.buffer.active;
        this.reply(`\x1b[${b.cursorY + 1};${Math.min(b.cursorX, t.cols - 1) + 1}R`);
      }
      return true;
    });
  }

  private decMode(params: CsiParams, set: boolean): boolean {
    for (const p of params) {
      if (typeof p !== "number") continue;
      if (p === 9 || (p >= 1000 && p <= 1003)) this.mouseMode = set ? (p as MouseMode) : 0;
      else if (p === 1005 || p === 1006 || p === 1015) this.mouseEncoding = set ? (p as MouseEncoding) : 0;
      else if (p === 5) this.reverseVideo = set;
      else if (p === 25) this.cursorVisible = set;
      else if (p === 1004) this.focusEvents = set;
      else if (p === 2004) this.bracketedPaste = set;
    }
    return false;
  }

  private resetTracked(): void {
    this.title = "";
    this.iconName = "";
    this.clipboard = "";
    this.cursorVisible = true;
    this.reverseVideo = false;
    this.bracketedPaste = false;
    this.mouseMode = 0;
    this.mouseEncoding = 0;
    this.focusEvents = false;
  }

  private reply(data: string): void {
    for (const cb of this.replyListeners) cb(data);
  }

  /** Width in cells. */
  get cols(): number {
    return this.term.cols;
  }

  /** Height in rows. */
  get rows(): number {
    return this.term.rows;
  }

  /** The underlying xterm Terminal (for features this adapter does not cover; do not write to it directly). */
  get terminal(): XTerminal {
    return this.term;
  }

  /**
   * Feeds output bytes (UTF-8) or text; resolves once xterm has parsed it. Writes apply in call
   * order. Writes still pending at {@link dispose} resolve then.
   */
  write(data: Uint8Array | string): Promise<void> {
    if (this.disposed) return Promise.reject(new Error("emulator disposed"));
    const sync = this.syncWriter;
    if (sync) {
      // Parse now: xterm's write() would defer the parse to a setTimeout (>= 1 ms per write).
      sync.writeSync(data);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.pending.add(resolve);
      this.term.write(data, () => {
        this.pending.delete(resolve);
        resolve();
      });
    });
  }

  /**
   * Parses `data` at once and returns true, if this xterm build can (see {@link write}); returns
   * false, having done nothing, if it cannot (the caller then uses {@link write}). Never call it
   * while a {@link write} may still be pending, or the order is lost.
   */
  writeNow(data: Uint8Array | string): boolean {
    if (this.disposed) throw new Error("emulator disposed");
    const sync = this.syncWriter;
    if (!sync) return false;
    sync.writeSync(data);
    return true;
  }

  /**
   * xterm's internal write buffer, whose `writeSync` parses at once (without the public
   * `writeSync`'s deprecation warning); null if this xterm build lacks it, and `write` then uses
   * the public asynchronous `write`. All writes go through one path, so their order is kept.
   */
  private get syncWriter(): SyncWriteBuffer | null {
    if (this.syncWriterCache === undefined) {
      const core = (this.term as unknown as { _core?: { _writeBuffer?: Partial<SyncWriteBuffer> } })._core;
      const buf = core?._writeBuffer;
      this.syncWriterCache = buf && typeof buf.writeSync === "function" ? (buf as SyncWriteBuffer) : null;
    }
    return this.syncWriterCache;
  }

  /**
   * Resizes the screen (at once: await earlier writes first if their order matters).
   * The scrolling region is reset and the cursor kept inside the screen.
   */
  resize(cols: number, rows: number): void {
    if (cols === this.term.cols && rows === this.term.rows) return;
    this.term.resize(cols, rows);
    this.last = null;
  }

  /** The current screen as an immutable Frame; unchanged rows are shared with the previous snapshot. */
  snapshot(): Frame {
    const t = this.term;
    const cols = t.cols;
    const rows = t.rows;
    const prev = this.last && this.last.cols === cols && this.last.rows === rows ? this.last.grid : null;
    const grid = this.reader.read(t.buffer.active, cols, rows, prev);
    const b = t.buffer.active;
    const frame = new Frame(cols, rows, grid, {
      cursorRow: b.cursorY,
      cursorCol: Math.min(b.cursorX, cols - 1),
      cursorVisible: this.cursorVisible,
      title: this.title,
      iconName: this.iconName,
      titleSet: this.titleSet,
      clipboard: this.clipboard,
      bellCount: this.bellCount,
      reverseVideo: this.reverseVideo,
      bracketedPaste: this.bracketedPaste,
      mouseMode: this.mouseMode,
      mouseEncoding: this.mouseEncoding,
      focusEvents: this.focusEvents,
    });
    this.last = frame;
    return frame;
  }

  /**
   * Full reset (like RIS): blank screen, default modes, no title or clipboard. The bell count
   * is kept, as mosh does. Applies at once: await earlier writes first.
   */
  reset(): void {
    this.term.reset();
    this.resetTracked();
    this.titleSet = false;
    this.last = null;
  }

  /**
   * Makes the emulator hold exactly `frame`: reset, resize, paint it with {@link fullRepaint},
   * then restore what painting cannot carry (bell count, title-set flag, icon name).
   */
  async load(frame: Frame): Promise<void> {
    this.reset();
    this.resize(frame.cols, frame.rows);
    await this.write(fullRepaint(frame));
    this.bellCount = frame.bellCount;
    this.title = frame.title;
    this.iconName = frame.iconName;
    this.titleSet = frame.titleSet;
    this.clipboard = frame.clipboard;
    this.last = frame;
  }

  /**
   * Calls `cb` with each reply the terminal sends to the application (answers to DA and DSR
   * queries). Returns a function that removes the listener.
   */
  onReply(cb: (data: string) => void): () => void {
    this.replyListeners.add(cb);
    return () => this.replyListeners.delete(cb);
  }

  /** Releases the terminal; later writes reject. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.replyListeners.clear();
    this.term.dispose();
    for (const resolve of this.pending) resolve();
    this.pending.clear();
  }
}
