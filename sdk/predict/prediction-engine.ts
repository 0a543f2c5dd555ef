// Speculative local echo (mosh's PredictionEngine, terminaloverlay.cc): predicts keystroke echoes, checks them against the server's frames, draws them.
import { Attr, blankFrame, type Frame, type Row, RowBuilder } from "../terminal/frame.js";
import { wcwidth } from "../terminal/wcwidth.js";
import { InputActionKind, InputParser } from "./input-parser.js";
import { atShellPrompt } from "./prompt-detector.js";

/**
 * When predictions are shown (mosh's `MOSH_PREDICTION_DISPLAY` / `--predict`): `adaptive`
 * (on a slow or glitchy link), `always`, `never` (nothing is even computed), or `experimental`
 * (always, never tentative, and a wrong cell only resets that cell).
 */
export type DisplayPreference = "adaptive" | "always" | "never" | "experimental";

/** All display preferences, in mosh's spelling. */
export const DISPLAY_PREFERENCES: readonly DisplayPreference[] = [
  "adaptive",
  "always",
  "never",
  "experimental",
];

/** Options of a {@link PredictionEngine}. */
export interface PredictionEngineOptions {
  /** Display preference (default `adaptive`). */
  display?: DisplayPreference;
  /** Typed characters overwrite instead of inserting (`MOSH_PREDICTION_OVERWRITE=yes`; default false). */
  overwrite?: boolean;
  /**
   * Prompt-confirmed epochs (default true; **not in mosh**). mosh hides the first keystroke of
   * every epoch (at start, and after Enter, other control keys, up/down arrows, …) until the
   * server has echoed it, one round trip later, so that nothing is shown at a password prompt.
   * With this on, a tentative epoch is treated as confirmed at once when all of these hold:
   *
   * - the display preference is `adaptive` or `always` (`experimental` is never tentative anyway);
   * - no key has been typed yet, or the last key was Enter (CR or LF) or Ctrl-C;
   * - the server's frame answers every key typed so far (its echo ack covers them), so no
   *   prediction is outstanding and the frame is the application's reply to that Enter;
   * - that frame shows a shell prompt waiting for input (`atShellPrompt`: the cursor right
   *   after `$ `, `# `, `% `, `> `, `❯ ` or `➜ `, only blanks after it, no password-like word on
   *   the line; `Password: ` and the like never qualify);
   * - no such guess has failed since the server last confirmed a prediction.
   *
   * It is re-evaluated on every frame (when the new prompt arrives after Enter) and before every
   * keystroke. Everything else is mosh's: the display triggers and underlining, and a wrong
   * prediction of such an epoch resets all predictions at the first frame that shows it (within
   * one round trip); it also turns this guess off until the server confirms a prediction again,
   * so a prompt-looking line that does not echo (`read -s -p "$ "`) shows at most the keys typed
   * in that one round trip.
   */
  confirmAtPrompt?: boolean;
}

/** Cumulative counters of a {@link PredictionEngine}. */
export interface PredictionStats {
  /** Cell predictions the server confirmed (the echo matched, and differed from what was there before). */
  confirmed: number;
  /** Shown predictions the server contradicted: each time, every prediction was dropped (the display snapped back). */
  repaired: number;
  /** Tentative (never shown) predictions the server contradicted: their epoch was dropped. */
  killedTentative: number;
  /** Epochs shown before any echo because the screen showed a shell prompt ({@link PredictionEngineOptions.confirmAtPrompt}). */
  promptConfirmed: number;
  /** Of those, the ones the server contradicted (each also counts in `repaired` when shown). */
  promptWrong: number;
}

/** Where and how a printable keystroke would be drawn (see {@link PredictionEngine.printPreview}). */
export interface PrintPreview {
  row: number;
  col: number;
  /** Attribute bits of the drawn cell (underlined while predictions are flagged). */
  attrs: number;
  fg: number;
  bg: number;
}

/** A position on the screen. */
export interface CellPosition {
  readonly row: number;
  readonly col: number;
}

/** A single `read()` longer than this is a paste: predictions are reset and none are made for it. */
export const PASTE_THRESHOLD = 100;

const SRTT_TRIGGER_LOW = 20; // send interval (ms) at or below which the SRTT trigger may turn off
const SRTT_TRIGGER_HIGH = 30; // above which it turns on
const FLAG_TRIGGER_LOW = 50; // at or below which underlining stops
const FLAG_TRIGGER_HIGH = 80; // above which underlining starts
const GLITCH_THRESHOLD = 250; // a prediction pending this long is a glitch
const GLITCH_REPAIR_COUNT = 10; // quick confirmations needed to cure the glitch trigger
const GLITCH_REPAIR_MININTERVAL = 150; // minimum time between two of them
const GLITCH_FLAG_THRESHOLD = 5000; // a prediction pending this long also turns underlining on
/** How often (ms) the engine wants {@link PredictionEngine.cull} while its timing triggers may still fire. */
export const PREDICTION_POLL_MS = 50;

const NEVER = Number.POSITIVE_INFINITY;

enum Validity {
  Pending,
  Correct,
  CorrectNoCredit,
  IncorrectOrExpired,
  Inactive,
}

/** Whether cell text is blank as mosh sees it (empty, a space, or a no-break space). */
function isBlank(text: string): boolean {
  return text === "" || text === " " || text === "\u00a0";
}

function contentsMatch(a: string, b: string): boolean {
  return a === b || (isBlank(a) && isBlank(b));
}

/** One predicted cell (mosh's ConditionalOverlayCell): the replacement and when it is judged. */
class CellPrediction {
  active = false;
  /** The cell's content is unknown (shifted in from past the edge): only underlined. */
  unknown = false;
  tentativeUntil: number;
  expiration = 0;
  predictionTime = NEVER;
  // the replacement cell
  text = "";
  width: 0 | 1 | 2 = 1;
  attrs = 0;
  fg = 0;
  bg = 0;
  /** Contents the cell had before (no credit is given for a "prediction" of what was there). */
  readonly originals: string[] = [];

  constructor(
    readonly col: number,
    tentativeUntil: number,
  ) {
    this.tentativeUntil = tentativeUntil;
  }

  tentative(confirmedEpoch: number): boolean {
    return this.tentativeUntil > confirmedEpoch;
  }

  reset(): void {
    this.unknown = false;
    this.originals.length = 0;
    this.expiration = NEVER;
    this.tentativeUntil = NEVER;
    this.active = false;
  }

  resetWithOrig(): void {
    if (!this.active || this.unknown) {
      this.reset();
      return;
    }
    this.originals.push(this.text);
    this.expiration = NEVER;
    this.tentativeUntil = NEVER;
    this.active = false;
  }

  /** Makes this a live prediction of epoch `epoch`, judged once the echo ack reaches `frame`. */
  arm(epoch: number, frame: number, now: number): void {
    this.active = true;
    this.tentativeUntil = epoch;
    this.expiration = frame;
    this.predictionTime = now;
  }

  copyReal(row: Row, x: number): void {
    this.text = row.cellText(x);
    this.width = row.cellWidth(x);
    this.attrs = row.cellAttrs(x);
    this.fg = row.fg[x];
    this.bg = row.bg[x];
  }

  copy(o: CellPrediction): void {
    this.text = o.text;
    this.width = o.width;
    this.attrs = o.attrs;
    this.fg = o.fg;
    this.bg = o.bg;
  }

  /** Whether the replacement equals cell x of `row` in every respect. */
  equalsReal(row: Row, x: number): boolean {
    return (
      row.cellWidth(x) === this.width &&
      row.cellAttrs(x) === this.attrs &&
      row.fg[x] === this.fg &&
      row.bg[x] === this.bg &&
      row.cellText(x) === this.text
    );
  }

  validity(frame: Frame, row: number, lateAck: number): Validity {
    if (!this.active) return Validity.Inactive;
    if (row >= frame.rows || this.col >= frame.cols) return Validity.IncorrectOrExpired;
    if (lateAck < this.expiration) return Validity.Pending;
    if (this.unknown || isBlank(this.text)) return Validity.CorrectNoCredit;
    const current = frame.grid[row].cellText(this.col);
    if (!contentsMatch(current, this.text)) return Validity.IncorrectOrExpired;
    for (const o of this.originals) if (contentsMatch(o, this.text)) return Validity.CorrectNoCredit;
    return Validity.Correct;
  }
}

/** The predicted cells of one screen row. */
class RowPrediction {
  readonly cells: CellPrediction[];

  constructor(
    readonly row: number,
    cols: number,
    epoch: number,
  ) {
    this.cells = new Array<CellPrediction>(cols);
    for (let i = 0; i < cols; i++) this.cells[i] = new CellPrediction(i, epoch);
  }
}

/** A predicted cursor position (mosh's ConditionalCursorMove). */
class CursorPrediction {
  constructor(
    public expiration: number,
    public row: number,
    public col: number,
    readonly tentativeUntil: number,
  ) {}

  tentative(confirmedEpoch: number): boolean {
    return this.tentativeUntil > confirmedEpoch;
  }

  validity(frame: Frame, lateAck: number): Validity {
    if (this.row >= frame.rows || this.col >= frame.cols) return Validity.IncorrectOrExpired;
    if (lateAck < this.expiration) return Validity.Pending;
    return frame.cursorRow === this.row && frame.cursorCol === this.col
      ? Validity.Correct
      : Validity.IncorrectOrExpired;
  }
}

/**
 * mosh's speculative local echo, as docs/mosh-protocol.md §13 describes it, with one addition that is
 * on by default: at a shell prompt the first keystrokes of an epoch show at once instead of one
 * round trip later ({@link PredictionEngineOptions.confirmAtPrompt}; turn it off for mosh's exact
 * behaviour). Pure: time is passed in, and the frames are the server's screen (never one with
 * predictions drawn on it).
 *
 * Use: before each chunk of keyboard input, {@link setLocalFrameSent} (the newest client state
 * sent), then {@link newUserBytes}; on each server frame, {@link setLocalFrameLateAcked} (its echo
 * ack), {@link setSendInterval}, then {@link cull}; draw {@link apply}'s result. While
 * {@link waitTime} is finite, call {@link cull} again after that long (the glitch triggers are
 * timing based).
 */
export class PredictionEngine {
  #display: DisplayPreference;
  /** Typed characters overwrite instead of inserting. */
  overwrite: boolean;
  readonly #parser = new InputParser();
  #rows: RowPrediction[] = [];
  #cursors: CursorPrediction[] = [];
  #localFrameSent = 0;
  #lateAcked = 0;
  #predictionEpoch = 1;
  #confirmedEpoch = 0;
  #flagging = false;
  #srttTrigger = false;
  #glitchTrigger = 0;
  #lastQuickConfirmation = Number.NEGATIVE_INFINITY;
  #sendInterval = 250;
  #lastRows = 0;
  #lastCols = 0;
  #stats: PredictionStats = {
    confirmed: 0,
    repaired: 0,
    killedTentative: 0,
    promptConfirmed: 0,
    promptWrong: 0,
  };
  #confirmAtPrompt: boolean;
  /** The expiry (client state) of the newest key typed; 0 before any. */
  #lastInputExpiry = 0;
  /** Whether the last key typed ends a line (CR, LF, Ctrl-C), or none was typed yet. */
  #afterEnter = true;
  /** The epoch confirmed by a prompt guess that the server has not confirmed yet (0: none). */
  #promptEpoch = 0;
  /** A prompt guess failed: no more guesses until the server confirms a prediction. */
  #promptSuspended = false;
  #handler = (kind: InputActionKind, cp: number): void => this.#action(kind, cp);
  #frame: Frame | null = null;
  #now = 0;

  constructor(options: PredictionEngineOptions = {}) {
    this.#display = options.display ?? "adaptive";
    this.overwrite = options.overwrite ?? false;
    this.#confirmAtPrompt = options.confirmAtPrompt ?? true;
  }

  /** Whether prompt-confirmed epochs are on ({@link PredictionEngineOptions.confirmAtPrompt}). */
  get confirmAtPrompt(): boolean {
    return this.#confirmAtPrompt;
  }

  set confirmAtPrompt(on: boolean) {
    this.#confirmAtPrompt = on;
  }

  /** The display preference. */
  get displayPreference(): DisplayPreference {
    return this.#display;
  }

  set displayPreference(p: DisplayPreference) {
    this.#display = p;
  }

  /** Whether shown predictions are underlined now (mosh's "flagging"). */
  get flagging(): boolean {
    return this.#flagging;
  }

  /** Whether predictions would be drawn now (the preference and the SRTT and glitch triggers). */
  get showing(): boolean {
    const d = this.#display;
    if (d === "never") return false;
    return d !== "adaptive" || this.#srttTrigger || this.#glitchTrigger > 0;
  }

  /** Whether any prediction (cell or cursor) is outstanding. */
  get active(): boolean {
    if (this.#cursors.length > 0) return true;
    for (const r of this.#rows) for (const c of r.cells) if (c.active) return true;
    return false;
  }

  /** Cumulative counters (a copy). */
  get stats(): PredictionStats {
    return { ...this.#stats };
  }

  /** The newest client state number sent, read just before each chunk of input is processed. */
  setLocalFrameSent(n: bigint | number): void {
    this.#localFrameSent = Number(n);
  }

  /** The echo ack of the newest server state: the newest client state whose echo is on the screen. */
  setLocalFrameLateAcked(n: bigint | number): void {
    this.#lateAcked = Number(n);
  }

  /** The transport's send interval (ms; 250 before the first RTT sample). */
  setSendInterval(ms: number): void {
    this.#sendInterval = ms;
  }

  /**
   * ms until {@link cull} should run again for the timing triggers (mosh polls every 50 ms
   * while predictions are outstanding and not every trigger has fired), or Infinity.
   */
  waitTime(): number {
    if (this.#display === "never") return NEVER;
    const timingTestsNecessary = !(this.#glitchTrigger > 0 && this.#flagging);
    return timingTestsNecessary && this.active ? PREDICTION_POLL_MS : NEVER;
  }

  /** Drops every prediction (on a resize, a paste, or a misprediction); the next keystroke starts a new epoch. */
  reset(): void {
    this.#cursors = [];
    this.#rows = [];
    this.#becomeTentative();
  }

  /**
   * Processes one read of keyboard input (`frame` = the server's screen now). A read longer than
   * 100 (`PASTE_THRESHOLD`) bytes is a paste: predictions are reset and none are made.
   */
  newUserBytes(bytes: Uint8Array, frame: Frame, now: number): void {
    if (this.#display === "never") return;
    if (bytes.length > PASTE_THRESHOLD) {
      this.reset();
      this.#afterEnter = false;
      this.#lastInputExpiry = this.#localFrameSent + 1;
      return;
    }
    for (let i = 0; i < bytes.length; i++) this.newUserByte(bytes[i], frame, now);
  }

  /** Processes one byte typed by the user (`frame` = the server's screen now). */
  newUserByte(byte: number, frame: Frame, now: number): void {
    if (this.#display === "never") return;
    if (this.#display === "experimental") this.#predictionEpoch = this.#confirmedEpoch;
    this.cull(frame, now);
    this.#frame = frame;
    this.#now = now;
    this.#parser.byte(byte, this.#handler);
    this.#frame = null;
    this.#lastInputExpiry = this.#localFrameSent + 1;
    this.#afterEnter = byte === 0x0d || byte === 0x0a || byte === 0x03;
  }

  /**
   * Judges the predictions against the server's `frame` (whose echo ack was set with
   * {@link setLocalFrameLateAcked}) and updates the triggers: confirmed cells are retired,
   * a wrong tentative prediction drops its epoch, a wrong shown one resets everything.
   */
  cull(frame: Frame, now: number): void {
    if (this.#display === "never") return;
    if (!warmedUp) warmUp();
    this.#judge(frame, now);
    this.#confirmIfPrompt(frame);
  }

  #judge(frame: Frame, now: number): void {
    if (frame.rows !== this.#lastRows || frame.cols !== this.#lastCols) {
      this.#lastRows = frame.rows;
      this.#lastCols = frame.cols;
      this.reset();
    }
    const si = this.#sendInterval;
    if (si > SRTT_TRIGGER_HIGH) this.#srttTrigger = true;
    else if (this.#srttTrigger && si <= SRTT_TRIGGER_LOW && !this.active) this.#srttTrigger = false;
    if (si > FLAG_TRIGGER_HIGH) this.#flagging = true;
    else if (si <= FLAG_TRIGGER_LOW) this.#flagging = false;
    if (this.#glitchTrigger > GLITCH_REPAIR_COUNT) this.#flagging = true;

    const experimental = this.#display === "experimental";
    const ack = this.#lateAcked;
    if (this.#rows.some((r) => r.row < 0 || r.row >= frame.rows))
      this.#rows = this.#rows.filter((r) => r.row >= 0 && r.row < frame.rows);
    for (const r of this.#rows) {
      const cells = r.cells;
      for (let i = 0; i < cells.length; i++) {
        const j = cells[i];
        switch (j.validity(frame, r.row, ack)) {
          case Validity.IncorrectOrExpired:
            if (j.tentative(this.#confirmedEpoch)) {
              if (experimental) j.reset();
              else {
                this.#stats.killedTentative++;
                this.#killEpoch(j.tentativeUntil, frame);
              }
            } else if (experimental) {
              j.reset();
            } else {
              if (this.showing) this.#stats.repaired++;
              this.#promptGuessFailed(j.tentativeUntil);
              this.reset();
              return;
            }
            break;
          case Validity.Correct: {
            if (j.tentativeUntil > this.#confirmedEpoch) this.#confirmedEpoch = j.tentativeUntil;
            if (this.#promptEpoch !== 0 && j.tentativeUntil >= this.#promptEpoch) this.#promptEpoch = 0;
            this.#promptSuspended = false;
            if (
              now - j.predictionTime < GLITCH_THRESHOLD &&
              this.#glitchTrigger > 0 &&
              now - GLITCH_REPAIR_MININTERVAL >= this.#lastQuickConfirmation
            ) {
              this.#glitchTrigger--;
              this.#lastQuickConfirmation = now;
            }
            // The rest of the predicted row takes on the real renditions.
            const real = frame.grid[r.row];
            const attrs = real.cellAttrs(j.col);
            const fg = real.fg[j.col];
            const bg = real.bg[j.col];
            for (let k = i; k < cells.length; k++) {
              cells[k].attrs = attrs;
              cells[k].fg = fg;
              cells[k].bg = bg;
            }
            this.#stats.confirmed++;
            j.reset();
            break;
          }
          case Validity.CorrectNoCredit:
            j.reset();
            break;
          case Validity.Pending: {
            const age = now - j.predictionTime;
            if (age >= GLITCH_FLAG_THRESHOLD) this.#glitchTrigger = GLITCH_REPAIR_COUNT * 2;
            else if (age >= GLITCH_THRESHOLD && this.#glitchTrigger < GLITCH_REPAIR_COUNT)
              this.#glitchTrigger = GLITCH_REPAIR_COUNT;
            break;
          }
          default:
            break;
        }
      }
    }

    const cursors = this.#cursors;
    if (
      cursors.length > 0 &&
      cursors[cursors.length - 1].validity(frame, ack) === Validity.IncorrectOrExpired
    ) {
      if (experimental) {
        this.#cursors = [];
      } else {
        const last = cursors[cursors.length - 1];
        if (!last.tentative(this.#confirmedEpoch)) {
          if (this.showing) this.#stats.repaired++;
          this.#promptGuessFailed(last.tentativeUntil);
        }
        this.reset();
        return;
      }
    }
    if (this.#cursors.length > 0)
      this.#cursors = this.#cursors.filter((c) => c.validity(frame, ack) === Validity.Pending);
    if (this.#rows.length > 0 && !this.#rows.some((r) => r.cells.some((c) => c.active))) this.#rows = [];
  }

  /**
   * The screen as the user should see it: `frame` with the shown predictions drawn over it
   * (predicted cells replace real ones, underlined while flagging; unknown cells are only
   * underlined) and the predicted cursor. Returns `frame` itself when nothing is drawn.
   */
  apply(frame: Frame): Frame {
    if (!this.showing) return frame;
    const confirmed = this.#confirmedEpoch;
    let cursor: CursorPrediction | null = null;
    for (const c of this.#cursors) if (!c.tentative(confirmed)) cursor = c;
    let grid: Row[] | null = null;
    for (const r of this.#rows) {
      if (r.row >= frame.rows) continue;
      const real = frame.grid[r.row];
      let b: RowBuilder | null = null;
      // Only a cell whose width changes can leave half a wide character behind (see sanitize).
      let widthChanged = false;
      const cols = Math.min(frame.cols, r.cells.length);
      for (let x = 0; x < cols; x++) {
        const c = r.cells[x];
        if (!c.active || c.tentative(confirmed)) continue;
        let flag = this.#flagging;
        if (isBlank(c.text) && isBlank(real.cellText(x))) flag = false;
        if (c.unknown) {
          if (flag && x !== frame.cols - 1) {
            b ??= RowBuilder.from(real);
            b.setCell(
              x,
              real.cellText(x),
              real.cellWidth(x),
              real.cellAttrs(x) | Attr.underline,
              real.fg[x],
              real.bg[x],
            );
          }
          continue;
        }
        if (c.equalsReal(real, x)) continue;
        b ??= RowBuilder.from(real);
        b.setCell(x, c.text, c.width, flag ? c.attrs | Attr.underline : c.attrs, c.fg, c.bg);
        if (c.width !== 1 || real.cellWidth(x) !== 1) widthChanged = true;
      }
      if (b) {
        grid ??= frame.grid.slice();
        grid[r.row] = widthChanged ? sanitize(b.build()) : b.build();
      }
    }
    const moveCursor =
      cursor !== null &&
      cursor.row < frame.rows &&
      cursor.col < frame.cols &&
      (cursor.row !== frame.cursorRow || cursor.col !== frame.cursorCol);
    if (!grid && !moveCursor) return frame;
    const state = moveCursor ? { cursorRow: cursor!.row, cursorCol: cursor!.col } : {};
    return frame.with(state, grid ?? frame.grid);
  }

  /**
   * Where and how the next keystroke, if it is a printable ASCII character other than a space,
   * would be drawn by {@link newUserBytes} then {@link apply} on the server's `frame` at `now`:
   * at the displayed cursor, shown at once, with the rest of its row blank (nothing shifts). Null
   * when that is not certain (the prediction would be tentative, the cursor is not where it is
   * shown, the last column, something to the right, a sequence pending...): then only the full
   * path knows. Judges the predictions against `frame` first, as {@link newUserBytes} does.
   */
  printPreview(frame: Frame, now: number): PrintPreview | null {
    if (this.#display === "never" || !this.#parser.idle) return null;
    this.cull(frame, now);
    if (!this.showing) return null;
    const epoch = this.#display === "experimental" ? this.#confirmedEpoch : this.#predictionEpoch;
    if (epoch > this.#confirmedEpoch) return null;
    // The cursor the keystroke would move from must be the one shown (the last cursor prediction,
    // which is shown only if not tentative, or the server's).
    const last = this.#cursors.length > 0 ? this.#cursor() : null;
    if (last?.tentative(this.#confirmedEpoch)) return null;
    const row = last ? last.row : frame.cursorRow;
    const col = last ? last.col : frame.cursorCol;
    const cols = frame.cols;
    if (row >= frame.rows || col + 1 >= cols) return null;
    const real = frame.grid[row];
    let pr: RowPrediction | null = null;
    for (const r of this.#rows) if (r.row === row) pr = r;
    // No wide characters in the row, real or predicted (their halves are mended as a whole row).
    for (let x = 0; x < cols; x++) {
      if (real.meta[x] >> 8 !== 1) return null;
      const c = pr?.cells[x];
      if (c?.active && !c.unknown && c.width !== 1) return null;
    }
    for (let x = col; x < cols; x++) {
      if (!real.cellEmpty(x) || real.meta[x] !== 1 << 8 || real.fg[x] !== 0 || real.bg[x] !== 0) return null;
      // A predicted cell there must be blank too; the last column's "unknown" one is never drawn.
      const c = pr?.cells[x];
      if (c?.active && !(c.unknown && x === cols - 1)) {
        if (c.unknown || c.text !== "" || c.attrs !== 0 || c.fg !== 0 || c.bg !== 0) return null;
      }
    }
    let attrs = 0;
    let fg = 0;
    let bg = 0;
    if (col > 0) {
      const prev = pr?.cells[col - 1];
      if (prev?.active && !prev.unknown) {
        attrs = prev.attrs;
        fg = prev.fg;
        bg = prev.bg;
      } else {
        attrs = real.cellAttrs(col - 1);
        fg = real.fg[col - 1];
        bg = real.bg[col - 1];
      }
    }
    return { row, col, attrs: this.#flagging ? attrs | Attr.underline : attrs, fg, bg };
  }

  /** How many cells {@link apply} would change on `frame` (0 when predictions are not shown). */
  shownCells(frame: Frame): number {
    if (!this.showing) return 0;
    let n = 0;
    const confirmed = this.#confirmedEpoch;
    for (const r of this.#rows) {
      if (r.row >= frame.rows) continue;
      const real = frame.grid[r.row];
      const cols = Math.min(frame.cols, r.cells.length);
      for (let x = 0; x < cols; x++) {
        const c = r.cells[x];
        if (c.active && !c.unknown && !c.tentative(confirmed) && !c.equalsReal(real, x)) n++;
      }
    }
    return n;
  }

  /** Where {@link apply} puts the cursor when it differs from the server's, else null. */
  predictedCursor(frame: Frame): CellPosition | null {
    if (!this.showing) return null;
    let cursor: CursorPrediction | null = null;
    for (const c of this.#cursors) if (!c.tentative(this.#confirmedEpoch)) cursor = c;
    if (!cursor || cursor.row >= frame.rows || cursor.col >= frame.cols) return null;
    if (cursor.row === frame.cursorRow && cursor.col === frame.cursorCol) return null;
    return { row: cursor.row, col: cursor.col };
  }

  /**
   * The prompt-confirmed epoch rule ({@link PredictionEngineOptions.confirmAtPrompt}): after
   * the predictions were judged against `frame`, confirms the current tentative epoch if `frame`
   * is the application's answer to every key typed and shows a shell prompt.
   */
  #confirmIfPrompt(frame: Frame): void {
    if (
      !this.#confirmAtPrompt ||
      !this.#afterEnter ||
      this.#promptSuspended ||
      this.#predictionEpoch <= this.#confirmedEpoch ||
      this.#display === "experimental" ||
      this.#lateAcked < this.#lastInputExpiry ||
      this.active ||
      !atShellPrompt(frame)
    )
      return;
    this.#confirmedEpoch = this.#predictionEpoch;
    this.#promptEpoch = this.#predictionEpoch;
    this.#stats.promptConfirmed++;
  }

  /** A shown prediction of `epoch` was wrong: if a prompt guess made it shown, stop guessing. */
  #promptGuessFailed(epoch: number): void {
    if (this.#promptEpoch !== 0 && epoch >= this.#promptEpoch) {
      this.#promptEpoch = 0;
      this.#promptSuspended = true;
      this.#stats.promptWrong++;
    }
  }

  #becomeTentative(): void {
    if (this.#display !== "experimental") this.#predictionEpoch++;
  }

  #killEpoch(epoch: number, frame: Frame): void {
    this.#cursors = this.#cursors.filter((c) => !c.tentative(epoch - 1));
    this.#cursors.push(
      new CursorPrediction(this.#localFrameSent + 1, frame.cursorRow, frame.cursorCol, this.#predictionEpoch),
    );
    for (const r of this.#rows) for (const c of r.cells) if (c.tentative(epoch - 1)) c.reset();
    this.#becomeTentative();
  }

  #cursor(): CursorPrediction {
    return this.#cursors[this.#cursors.length - 1];
  }

  #initCursor(frame: Frame): void {
    const epoch = this.#predictionEpoch;
    const expiry = this.#localFrameSent + 1;
    if (this.#cursors.length === 0) {
      this.#cursors.push(new CursorPrediction(expiry, frame.cursorRow, frame.cursorCol, epoch));
    } else if (this.#cursor().tentativeUntil !== epoch) {
      const c = this.#cursor();
      this.#cursors.push(new CursorPrediction(expiry, c.row, c.col, epoch));
    }
  }

  #row(rowNum: number, cols: number): RowPrediction {
    for (const r of this.#rows) if (r.row === rowNum) return r;
    const r = new RowPrediction(rowNum, cols, this.#predictionEpoch);
    this.#rows.push(r);
    return r;
  }

  #action(kind: InputActionKind, cp: number): void {
    const frame = this.#frame!;
    const now = this.#now;
    switch (kind) {
      case InputActionKind.Print:
        this.#initCursor(frame);
        if (cp === 0x7f) this.#backspace(frame, now);
        else if (cp < 0x20 || wcwidth(cp) !== 1) this.#becomeTentative();
        else this.#print(cp, frame, now);
        return;
      case InputActionKind.Execute:
        this.#becomeTentative();
        if (cp === 0x0d) this.#newlineCarriageReturn(frame, now);
        return;
      case InputActionKind.EscDispatch:
        this.#becomeTentative();
        return;
      case InputActionKind.CsiDispatch: {
        const expiry = this.#localFrameSent + 1;
        if (cp === 0x43) {
          // right arrow
          this.#initCursor(frame);
          const c = this.#cursor();
          if (c.col < frame.cols - 1) {
            c.col++;
            c.expiration = expiry;
          }
        } else if (cp === 0x44) {
          // left arrow
          this.#initCursor(frame);
          const c = this.#cursor();
          if (c.col > 0) {
            c.col--;
            c.expiration = expiry;
          }
        } else {
          this.#becomeTentative();
        }
        return;
      }
    }
  }

  #backspace(frame: Frame, now: number): void {
    const cursor = this.#cursor();
    const cols = frame.cols;
    if (cursor.row >= frame.rows) return;
    const row = this.#row(cursor.row, cols);
    if (cursor.col <= 0) return;
    const expiry = this.#localFrameSent + 1;
    const epoch = this.#predictionEpoch;
    const real = frame.grid[cursor.row];
    cursor.col--;
    cursor.expiration = expiry;
    if (this.overwrite) {
      const cell = row.cells[cursor.col];
      cell.resetWithOrig();
      cell.arm(epoch, expiry, now);
      cell.originals.push(real.cellText(cursor.col));
      cell.copyReal(real, cursor.col);
      cell.text = " ";
      cell.width = 1;
      return;
    }
    for (let i = cursor.col; i < cols; i++) {
      const cell = row.cells[i];
      cell.resetWithOrig();
      cell.arm(epoch, expiry, now);
      cell.originals.push(real.cellText(i));
      if (i + 2 < cols) {
        const next = row.cells[i + 1];
        if (next.active) {
          if (next.unknown) cell.unknown = true;
          else {
            cell.unknown = false;
            cell.copy(next);
          }
        } else {
          cell.unknown = false;
          cell.copyReal(real, i + 1);
        }
      } else {
        cell.unknown = true;
      }
    }
  }

  #print(cp: number, frame: Frame, now: number): void {
    const cursor = this.#cursor();
    const cols = frame.cols;
    if (cursor.row >= frame.rows || cursor.col >= cols) return;
    const row = this.#row(cursor.row, cols);
    const real = frame.grid[cursor.row];
    const expiry = this.#localFrameSent + 1;
    // In the last column, what happens is up to the application (a shell just prints; emacs shows a wrap mark).
    if (cursor.col + 1 >= cols) this.#becomeTentative();
    const epoch = this.#predictionEpoch;
    const rightmost = this.overwrite ? cursor.col : cols - 1;
    for (let i = rightmost; i > cursor.col; i--) {
      const cell = row.cells[i];
      cell.resetWithOrig();
      cell.arm(epoch, expiry, now);
      cell.originals.push(real.cellText(i));
      const prev = row.cells[i - 1];
      if (i === cols - 1) {
        cell.unknown = true;
      } else if (prev.active) {
        if (prev.unknown) cell.unknown = true;
        else {
          cell.unknown = false;
          cell.copy(prev);
        }
      } else {
        cell.unknown = false;
        cell.copyReal(real, i - 1);
      }
    }
    const cell = row.cells[cursor.col];
    cell.resetWithOrig();
    cell.arm(epoch, expiry, now);
    // Renditions: those of the character to the left (predicted or real); the default pen in column 0.
    cell.attrs = 0;
    cell.fg = 0;
    cell.bg = 0;
    if (cursor.col > 0) {
      const prev = row.cells[cursor.col - 1];
      if (prev.active && !prev.unknown) {
        cell.attrs = prev.attrs;
        cell.fg = prev.fg;
        cell.bg = prev.bg;
      } else {
        cell.attrs = real.cellAttrs(cursor.col - 1);
        cell.fg = real.fg[cursor.col - 1];
        cell.bg = real.bg[cursor.col - 1];
      }
    }
    cell.text = String.fromCodePoint(cp);
    cell.width = 1;
    cell.originals.push(real.cellText(cursor.col));
    cursor.expiration = expiry;
    if (cursor.col < cols - 1) {
      cursor.col++;
    } else {
      this.#becomeTentative();
      this.#newlineCarriageReturn(frame, now);
    }
  }

  #newlineCarriageReturn(frame: Frame, now: number): void {
    this.#initCursor(frame);
    const cursor = this.#cursor();
    cursor.col = 0;
    if (cursor.row === frame.rows - 1) {
      // Scrolling is not predicted: the bottom row is predicted blank instead.
      const row = this.#row(cursor.row, frame.cols);
      const expiry = this.#localFrameSent + 1;
      for (const c of row.cells) {
        c.arm(this.#predictionEpoch, expiry, now);
        c.text = "";
        c.width = 1;
      }
    } else {
      cursor.row++;
    }
  }
}

/** Whether {@link warmUp} has run in this process. */
let warmedUp = false;

/**
 * Runs a throwaway engine through typing, backspace, arrows, a confirmation, a misprediction,
 * Enter and drawing on a small frame, once per process (from the first
 * {@link PredictionEngine.cull}, when the first server frame arrives), so that V8 has compiled
 * that code before the first real keystroke: otherwise its prediction is drawn 1–3 ms later
 * than the next ones. It touches no other engine.
 */
function warmUp(): void {
  warmedUp = true;
  const blank = blankFrame(16, 3);
  const grid = blank.grid.slice();
  grid[0] = new RowBuilder(16).setCell(0, "$", 1).build();
  const prompt = blank.with({ cursorRow: 0, cursorCol: 2 }, grid);
  const e = new PredictionEngine({ display: "adaptive" });
  e.setSendInterval(100);
  e.cull(prompt, 0);
  e.setLocalFrameSent(1);
  e.newUserBytes(Uint8Array.of(0x61, 0x62, 0x7f, 0x1b, 0x5b, 0x44, 0x1b, 0x5b, 0x43, 0x63), prompt, 0);
  e.apply(prompt);
  e.shownCells(prompt);
  e.predictedCursor(prompt);
  grid[0] = new RowBuilder(16).setCell(0, "$", 1).setCell(2, "a", 1).setCell(3, "x", 1).build();
  const echoed = blank.with({ cursorRow: 0, cursorCol: 4 }, grid);
  e.setLocalFrameLateAcked(2);
  e.cull(echoed, 300);
  e.setLocalFrameSent(2);
  e.newUserBytes(Uint8Array.of(0x0d, 0x64), echoed, 300);
  e.apply(echoed);
}

/**
 * Makes a predicted row well formed: a right half (width 0) not preceded by a wide character
 * becomes an empty cell, and a wide character without its right half covers the next cell (as a
 * terminal shows it) or, in the last column, becomes an empty cell.
 */
function sanitize(row: Row): Row {
  let b: RowBuilder | null = null;
  const cols = row.cols;
  for (let x = 0; x < cols; x++) {
    const w = row.cellWidth(x);
    if (w === 2) {
      if (x + 1 >= cols) {
        b ??= RowBuilder.from(row);
        b.setCell(x, "", 1, row.cellAttrs(x), row.fg[x], row.bg[x]);
      } else {
        if (row.cellWidth(x + 1) !== 0) {
          b ??= RowBuilder.from(row);
          b.setCell(x, row.cellText(x), 2, row.cellAttrs(x), row.fg[x], row.bg[x]);
        }
        x++; // the right half
      }
    } else if (w === 0) {
      b ??= RowBuilder.from(row);
      b.setCell(x, "", 1, row.cellAttrs(x), row.fg[x], row.bg[x]);
    }
  }
  return b ? b.build() : row;
}
