// mosh's notification bar (NotificationEngine, terminaloverlay.cc): "Last contact" / "Last reply" timers, messages with lifetimes, drawn on row 0.
import { Attr, type Frame, paletteColor, RowBuilder } from "../terminal/frame.js";
import { wcwidth } from "../terminal/wcwidth.js";

/** Foreground of the bar (mosh's colour 37: white). */
export const BAR_FG = paletteColor(7);
/** Background of the bar (mosh's colour 44: blue). */
export const BAR_BG = paletteColor(4);
/** Without a new server state for longer than this (ms), the bar shows "Last contact". */
export const SERVER_LATE_MS = 6500;
/** Without an acknowledgement of our newest states for longer than this (ms), the bar shows "Last reply". */
export const REPLY_LATE_MS = 10000;
/** Lifetime (ms) of an ordinary message. */
export const MESSAGE_LIFETIME_MS = 1000;
/** Lifetime (ms) of a network-error message (mosh's ACK_INTERVAL + 100). */
export const NETWORK_ERROR_LIFETIME_MS = 3100;
/** mosh formats the bar into a 128-character buffer: at most 127 characters show. */
const BAR_TEXT_LIMIT = 127;

/** Options of a {@link NotificationEngine}. */
export interface NotificationEngineOptions {
  /** Appended to the bar's text, e.g. ` [To quit: Ctrl-^ .]` (default none). */
  quitHint?: string;
  /** "Last contact" threshold in ms (default 6500, `SERVER_LATE_MS`). */
  serverLateMs?: number;
  /** "Last reply" threshold in ms (default 10000, `REPLY_LATE_MS`). */
  replyLateMs?: number;
}

/** Options of {@link NotificationEngine.setMessage}. */
export interface MessageOptions {
  /** Stays until replaced (default: it lasts 1000 ms, `MESSAGE_LIFETIME_MS`). */
  permanent?: boolean;
  /** Append the quit hint (default true; mosh leaves it out of the escape-key help). */
  quitHint?: boolean;
}

/**
 * A duration as mosh shows it: `N <unit>` under a minute, `M:SS` under an hour, else `H:MM:SS`.
 * @param seconds whole seconds
 * @param unit `seconds` (in "Last contact … ago") or `s` (in "(… without contact.)")
 */
export function formatDuration(seconds: number, unit: string): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s} ${unit}`;
  if (s < 3600) return `${Math.floor(s / 60)}:${pad(s % 60)}`;
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/**
 * mosh-client's notification bar (docs/mosh-protocol.md §14): a message (with a lifetime) and the
 * time since the server was last heard from, drawn across row 0 in bold white on blue. Pure:
 * time is passed in (ms of the session's clock).
 */
export class NotificationEngine {
  /** Appended to the bar's text unless a message asks otherwise (empty: no hint). */
  quitHint: string;
  readonly #serverLateMs: number;
  readonly #replyLateMs: number;
  #lastWordFromServer: number;
  #lastAckedState: number;
  #message = "";
  #isNetworkError = false;
  #expiration = Number.POSITIVE_INFINITY;
  #showQuitHint = true;

  /** @param now the time the session started (the timers count from it until the server is heard). */
  constructor(now: number, options: NotificationEngineOptions = {}) {
    this.quitHint = options.quitHint ?? "";
    this.#serverLateMs = options.serverLateMs ?? SERVER_LATE_MS;
    this.#replyLateMs = options.replyLateMs ?? REPLY_LATE_MS;
    this.#lastWordFromServer = now;
    this.#lastAckedState = now;
  }

  /** Records when the newest server state arrived. */
  serverHeard(time: number): void {
    this.#lastWordFromServer = time;
  }

  /** Records the send time of our newest state the server acknowledged. */
  serverAcked(time: number): void {
    this.#lastAckedState = time;
  }

  /** When the newest server state arrived. */
  get lastContact(): number {
    return this.#lastWordFromServer;
  }

  /** Whether the server has been silent for longer than the "Last contact" threshold. */
  serverLate(now: number): boolean {
    return now - this.#lastWordFromServer > this.#serverLateMs;
  }

  /** Whether our states have gone unacknowledged for longer than the "Last reply" threshold. */
  replyLate(now: number): boolean {
    return now - this.#lastAckedState > this.#replyLateMs;
  }

  /** Whether the bar shows a time (either threshold passed). */
  needCountup(now: number): boolean {
    return this.serverLate(now) || this.replyLate(now);
  }

  /** What the time shown measures at `now`: silence from the server, or only a lack of replies. */
  lateKind(now: number): "contact" | "reply" {
    return this.replyLate(now) && !this.serverLate(now) ? "reply" : "contact";
  }

  /** ms since the event the bar's time measures (see {@link lateKind}). */
  lateFor(now: number): number {
    return now - (this.lateKind(now) === "reply" ? this.#lastAckedState : this.#lastWordFromServer);
  }

  /** Shows `text` (mosh's set_notification_string); "" clears the message. */
  setMessage(text: string, now: number, options: MessageOptions = {}): void {
    this.#message = text;
    this.#expiration = options.permanent ? Number.POSITIVE_INFINITY : now + MESSAGE_LIFETIME_MS;
    this.#isNetworkError = false;
    this.#showQuitHint = options.quitHint ?? true;
  }

  /** Shows a network error (e.g. `sendto: Network is unreachable`) for 3100 ms (`NETWORK_ERROR_LIFETIME_MS`). */
  setNetworkError(text: string, now: number): void {
    this.#message = text;
    this.#isNetworkError = true;
    this.#expiration = now + NETWORK_ERROR_LIFETIME_MS;
  }

  /** The network is fine again: a network-error message fades within a second. */
  clearNetworkError(now: number): void {
    if (this.#isNetworkError) this.#expiration = Math.min(this.#expiration, now + MESSAGE_LIFETIME_MS);
  }

  /** The message shown at `now` ("" when none, or when it has expired). */
  message(now: number): string {
    return now >= this.#expiration ? "" : this.#message;
  }

  /** The bar's text at `now`, or null when there is no bar. */
  text(now: number): string | null {
    const message = this.message(now);
    const late = this.needCountup(now);
    if (message === "" && !late) return null;
    const hint = this.#showQuitHint ? this.quitHint : "";
    const kind = this.lateKind(now);
    const seconds = Math.floor(this.lateFor(now) / 1000);
    let s: string;
    if (message === "") s = `mosh: Last ${kind} ${formatDuration(seconds, "seconds")} ago.${hint}`;
    else if (!late) s = `mosh: ${message}${hint}`;
    else s = `mosh: ${message} (${formatDuration(seconds, "s")} without ${kind}.)${hint}`;
    return cutCodePoints(s, BAR_TEXT_LIMIT);
  }

  /**
   * ms until the bar next changes by itself (a message expiring, the count-up ticking or
   * starting), or Infinity. While counting up it ticks every second, every 3 s after a minute
   * without contact (as mosh).
   */
  waitTime(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    if (this.#expiration > now) next = this.#expiration - now;
    if (this.needCountup(now)) {
      const since = this.lateFor(now);
      const tick = now - this.#lastWordFromServer > 60000 ? 3000 : 1000 - (since % 1000);
      next = Math.min(next, tick);
    } else {
      const contact = this.#lastWordFromServer + this.#serverLateMs + 1 - now;
      const reply = this.#lastAckedState + this.#replyLateMs + 1 - now;
      next = Math.min(next, Math.max(1, Math.min(contact, reply)));
    }
    return next;
  }

  /**
   * `frame` with the bar drawn across row 0 (blank cells white on blue, text cells also bold),
   * the cursor hidden if it is on row 0; `frame` itself when there is no bar.
   */
  apply(frame: Frame, now: number): Frame {
    const text = this.text(now);
    if (text === null) return frame;
    const cols = frame.cols;
    const cells: string[] = new Array<string>(cols).fill(" ");
    const widths: Array<1 | 2 | 0> = new Array<1 | 2 | 0>(cols).fill(1);
    const bold: boolean[] = new Array<boolean>(cols).fill(false);
    let col = 0;
    let last = 0;
    for (const ch of text) {
      if (col >= cols) break;
      const w = wcwidth(ch.codePointAt(0)!);
      if (w === 1 || w === 2) {
        if (w === 2 && col + 1 >= cols) break;
        cells[col] = ch;
        widths[col] = w;
        bold[col] = true;
        if (w === 2) {
          cells[col + 1] = "";
          widths[col + 1] = 0;
          bold[col + 1] = true;
        }
        last = col;
        col += w;
      } else if (w === 0) {
        cells[last] += ch;
      }
    }
    const b = new RowBuilder(cols);
    for (let x = 0; x < cols; x++) b.setCell(x, cells[x], widths[x], bold[x] ? Attr.bold : 0, BAR_FG, BAR_BG);
    const grid = frame.grid.slice();
    grid[0] = b.build();
    return frame.with(frame.cursorRow === 0 ? { cursorVisible: false } : {}, grid);
  }
}

function cutCodePoints(s: string, limit: number): string {
  let n = 0;
  let i = 0;
  for (const ch of s) {
    if (n++ === limit) return s.slice(0, i);
    i += ch.length;
  }
  return s;
}
