// Parses the user's keystroke bytes as mosh's prediction engine does: UTF-8, then a VT500 state machine (mosh's Parser::UTF8Parser).

/** What a keystroke byte turned out to be, for prediction (other parser actions are dropped). */
export const InputActionKind = {
  /** A printable character (DEL 0x7F counts as one, as in mosh's parser). */
  Print: 0,
  /** A C0 or C1 control character (CR, Tab, Ctrl-C, ...). */
  Execute: 1,
  /** The final character of an ESC sequence. */
  EscDispatch: 2,
  /** The final character of a CSI sequence (`C`/`D` are the right/left arrows). */
  CsiDispatch: 3,
} as const;

/** One of the {@link InputActionKind} values. */
export type InputActionKind = (typeof InputActionKind)[keyof typeof InputActionKind];

/** Called with each action: its kind and the code point that ended it. */
export type InputActionSink = (kind: InputActionKind, cp: number) => void;

enum S {
  Ground,
  Escape,
  EscapeIntermediate,
  CsiEntry,
  CsiParam,
  CsiIntermediate,
  CsiIgnore,
  DcsEntry,
  DcsParam,
  DcsIntermediate,
  DcsPassthrough,
  DcsIgnore,
  OscString,
  SosPmApcString,
}

/** C0 controls other than CAN, SUB and ESC (mosh's `C0_prime`). */
function c0Prime(ch: number): boolean {
  return ch <= 0x17 || ch === 0x19 || (ch >= 0x1c && ch <= 0x1f);
}

/**
 * The keystroke parser of mosh's prediction engine: bytes are decoded as UTF-8 (invalid
 * sequences become U+FFFD, as mosh does following Unicode's best practice), `ESC O` is read as
 * `ESC [` (application cursor keys), and the code points run through the X.364/VT500 state
 * machine mosh uses, in which every code point ≥ U+00A0 behaves like `A`. Only the actions
 * prediction cares about are reported.
 */
export class InputParser {
  #state = S.Ground;
  #lastByte = 0;
  /** Pending bytes of an incomplete UTF-8 sequence. */
  #buf: number[] = [];
  /** Code point being assembled and how many continuation bytes it still needs. */
  #need = 0;

  /** Whether a printable ASCII byte now would be printed (no escape sequence or UTF-8 character pending). */
  get idle(): boolean {
    return this.#state === S.Ground && this.#buf.length === 0 && this.#lastByte !== 0x1b;
  }

  /** Forgets any partial sequence. */
  reset(): void {
    this.#state = S.Ground;
    this.#lastByte = 0;
    this.#buf.length = 0;
    this.#need = 0;
  }

  /** Feeds one byte typed by the user; calls `sink` for each resulting action. */
  byte(b: number, sink: InputActionSink): void {
    // Application-mode cursor keys (ESC O x) are predicted like ANSI ones (ESC [ x).
    if (this.#lastByte === 0x1b && b === 0x4f) b = 0x5b;
    this.#lastByte = b;
    const buf = this.#buf;
    if (buf.length === 0) {
      if (b < 0x80) {
        this.#codePoint(b, sink);
        return;
      }
      const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
      if (need < 0) {
        this.#codePoint(0xfffd, sink);
        return;
      }
      buf.push(b);
      this.#need = need;
      return;
    }
    if (!this.#continues(b)) {
      // Ill-formed: one replacement character for the bytes so far, then this byte afresh.
      buf.length = 0;
      this.#need = 0;
      this.#codePoint(0xfffd, sink);
      this.#lastByte = 0;
      this.byte(b, sink);
      return;
    }
    buf.push(b);
    if (buf.length <= this.#need) return;
    let cp: number;
    if (buf.length === 2) cp = ((buf[0] & 0x1f) << 6) | (buf[1] & 0x3f);
    else if (buf.length === 3) cp = ((buf[0] & 0x0f) << 12) | ((buf[1] & 0x3f) << 6) | (buf[2] & 0x3f);
    else cp = ((buf[0] & 0x07) << 18) | ((buf[1] & 0x3f) << 12) | ((buf[2] & 0x3f) << 6) | (buf[3] & 0x3f);
    buf.length = 0;
    this.#need = 0;
    this.#codePoint(cp, sink);
  }

  /** Whether `b` is a valid next byte of the pending sequence (no overlongs, surrogates or > U+10FFFF). */
  #continues(b: number): boolean {
    if (b < 0x80 || b > 0xbf) return false;
    const buf = this.#buf;
    if (buf.length !== 1) return true;
    const lead = buf[0];
    if (lead === 0xe0) return b >= 0xa0;
    if (lead === 0xed) return b <= 0x9f;
    if (lead === 0xf0) return b >= 0x90;
    if (lead === 0xf4) return b <= 0x8f;
    return true;
  }

  #codePoint(ch: number, sink: InputActionSink): void {
    // Transitions from any state.
    if (
      ch === 0x18 ||
      ch === 0x1a ||
      (ch >= 0x80 && ch <= 0x8f) ||
      (ch >= 0x91 && ch <= 0x97) ||
      ch === 0x99 ||
      ch === 0x9a
    ) {
      this.#state = S.Ground;
      sink(InputActionKind.Execute, ch);
      return;
    }
    if (ch === 0x9c) {
      this.#state = S.Ground;
      return;
    }
    if (ch === 0x1b) {
      this.#state = S.Escape;
      return;
    }
    if (ch === 0x98 || ch === 0x9e || ch === 0x9f) {
      this.#state = S.SosPmApcString;
      return;
    }
    if (ch === 0x90) {
      this.#state = S.DcsEntry;
      return;
    }
    if (ch === 0x9d) {
      this.#state = S.OscString;
      return;
    }
    if (ch === 0x9b) {
      this.#state = S.CsiEntry;
      return;
    }
    const c = ch >= 0xa0 ? 0x41 : ch; // high code points parse like 'A'
    switch (this.#state) {
      case S.Ground:
        if (c0Prime(c)) sink(InputActionKind.Execute, ch);
        else if (c >= 0x20 && c <= 0x7f) sink(InputActionKind.Print, ch);
        return;
      case S.Escape:
        if (c0Prime(c)) sink(InputActionKind.Execute, ch);
        else if (c >= 0x20 && c <= 0x2f) this.#state = S.EscapeIntermediate;
        else if (c === 0x5b) this.#state = S.CsiEntry;
        else if (c === 0x5d) this.#state = S.OscString;
        else if (c === 0x50) this.#state = S.DcsEntry;
        else if (c === 0x58 || c === 0x5e || c === 0x5f) this.#state = S.SosPmApcString;
        else if (c >= 0x30 && c <= 0x7e) {
          this.#state = S.Ground;
          sink(InputActionKind.EscDispatch, ch);
        }
        return;
      case S.EscapeIntermediate:
        if (c0Prime(c)) sink(InputActionKind.Execute, ch);
        else if (c >= 0x30 && c <= 0x7e) {
          this.#state = S.Ground;
          sink(InputActionKind.EscDispatch, ch);
        }
        return;
      case S.CsiEntry:
      case S.CsiParam:
      case S.CsiIntermediate:
        this.#csi(c, ch, sink);
        return;
      case S.CsiIgnore:
        if (c0Prime(c)) sink(InputActionKind.Execute, ch);
        else if (c >= 0x40 && c <= 0x7e) this.#state = S.Ground;
        return;
      case S.DcsEntry:
      case S.DcsParam:
      case S.DcsIntermediate:
        this.#dcs(c);
        return;
      case S.OscString:
        if (c === 0x07) this.#state = S.Ground; // mosh also ends an OSC string with BEL
        return;
      default:
        return; // DCS passthrough / ignore and SOS/PM/APC strings end only with ST (0x9C)
    }
  }

  #csi(c: number, ch: number, sink: InputActionSink): void {
    const st = this.#state;
    if (c0Prime(c)) {
      sink(InputActionKind.Execute, ch);
      return;
    }
    if (c === 0x7f) return;
    if (c >= 0x40 && c <= 0x7e) {
      this.#state = S.Ground;
      sink(InputActionKind.CsiDispatch, ch);
      return;
    }
    if (c >= 0x20 && c <= 0x2f) {
      this.#state = S.CsiIntermediate;
      return;
    }
    if (st === S.CsiIntermediate) {
      if (c >= 0x30 && c <= 0x3f) this.#state = S.CsiIgnore;
      return;
    }
    if (c === 0x3a) {
      this.#state = S.CsiIgnore;
      return;
    }
    if (c >= 0x3c && c <= 0x3f) {
      this.#state = st === S.CsiEntry ? S.CsiParam : S.CsiIgnore;
      return;
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x3b) this.#state = S.CsiParam;
  }

  #dcs(c: number): void {
    const st = this.#state;
    if (c < 0x20 || c === 0x7f) return;
    if (c >= 0x40 && c <= 0x7e) {
      this.#state = S.DcsPassthrough;
      return;
    }
    if (c >= 0x20 && c <= 0x2f) {
      this.#state = S.DcsIntermediate;
      return;
    }
    if (st === S.DcsIntermediate || c === 0x3a) {
      this.#state = S.DcsIgnore;
      return;
    }
    if (c >= 0x3c && c <= 0x3f) {
      this.#state = st === S.DcsEntry ? S.DcsParam : S.DcsIgnore;
      return;
    }
    this.#state = S.DcsParam;
  }
}
