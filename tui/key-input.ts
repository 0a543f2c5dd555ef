// Splits raw terminal input into keys (with tmux-style names) and mouse reports, and runs the prefix-key state machine.

/** One key press as it arrived: its tmux-style name and the bytes to forward to a session. */
export interface KeyToken {
  /** tmux-style name: "a", "%", "Enter", "Up", "C-b", "M-1", "PageUp", "C-Left", "Escape"... */
  name: string;
  /** The raw bytes of the key. */
  bytes: string;
  /** For mouse reports (name "Mouse"): button code, 0-based cell, and whether it is a release. */
  mouse?: { button: number; x: number; y: number; release: boolean };
}

const CSI_NAMES: Record<string, string> = {
  A: "Up",
  B: "Down",
  C: "Right",
  D: "Left",
  H: "Home",
  F: "End",
  Z: "BTab",
};
const TILDE_NAMES: Record<string, string> = {
  "1": "Home",
  "2": "IC",
  "3": "DC",
  "4": "End",
  "5": "PageUp",
  "6": "PageDown",
};

/** The tmux-style name of a control byte or printable character. */
function charName(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c === 0x0d) return "Enter";
  if (c === 0x09) return "Tab";
  if (c === 0x7f) return "BSpace";
  if (c === 0x20) return "Space";
  if (c === 0x00) return "C-Space";
  if (c < 0x20) return `C-${String.fromCharCode(c + 0x60)}`;
  return ch;
}

/** Byte string of a key name usable as a prefix ("C-b", "C-a", "`"); null if unknown. */
export function keyBytes(name: string): string | null {
  const m = /^C-([a-z@\\\]^_[])$/i.exec(name);
  if (m) return String.fromCharCode(m[1].toLowerCase().charCodeAt(0) & 0x1f);
  if (name === "C-Space") return "\x00";
  if ([...name].length === 1) return name;
  return null;
}

/** Incrementally tokenises terminal input; a CSI sequence split across reads is kept until complete. */
export class KeyTokenizer {
  #pending = "";

  /** Tokens in `data` (plus anything held back from the previous call). */
  push(data: string): KeyToken[] {
    const s = this.#pending + data;
    this.#pending = "";
    const out: KeyToken[] = [];
    let i = 0;
    while (i < s.length) {
      const ch = s[i];
      if (ch !== "\x1b") {
        const cp = s.codePointAt(i) ?? 0;
        const c = String.fromCodePoint(cp);
        out.push({ name: charName(c), bytes: c });
        i += c.length;
        continue;
      }
      if (i + 1 >= s.length) {
        out.push({ name: "Escape", bytes: ch });
        i++;
        continue;
      }
      const n = s[i + 1];
      if (n === "[" && s[i + 2] === "M") {
        // Legacy X10 mouse report: ESC [ M then three bytes (button, x, y offset by 32).
        if (i + 6 > s.length) {
          this.#pending = s.slice(i);
          break;
        }
        const seq = s.slice(i, i + 6);
        const b = seq.charCodeAt(3) - 32;
        out.push({
          name: "Mouse",
          bytes: seq,
          mouse: { button: b, x: seq.charCodeAt(4) - 33, y: seq.charCodeAt(5) - 33, release: (b & 3) === 3 },
        });
        i += 6;
        continue;
      }
      if (n === "[") {
        let j = i + 2;
        while (j < s.length && !(s.charCodeAt(j) >= 0x40 && s.charCodeAt(j) <= 0x7e)) j++;
        if (j >= s.length) {
          this.#pending = s.slice(i);
          break;
        }
        const seq = s.slice(i, j + 1);
        out.push(csiToken(seq));
        i = j + 1;
        continue;
      }
      if (n === "O" && i + 2 < s.length) {
        const seq = s.slice(i, i + 3);
        out.push({ name: CSI_NAMES[seq[2]] ?? `SS3-${seq[2]}`, bytes: seq });
        i += 3;
        continue;
      }
      if (n === "\x1b") {
        out.push({ name: "Escape", bytes: ch });
        i++;
        continue;
      }
      const cp = s.codePointAt(i + 1) ?? 0;
      const c = String.fromCodePoint(cp);
      out.push({ name: `M-${charName(c)}`, bytes: ch + c });
      i += 1 + c.length;
    }
    return out;
  }
}

function csiToken(seq: string): KeyToken {
  const final = seq[seq.length - 1];
  const params = seq.slice(2, -1);
  if (params.startsWith("<") && (final === "M" || final === "m")) {
    const [b, x, y] = params.slice(1).split(";").map(Number);
    return { name: "Mouse", bytes: seq, mouse: { button: b, x: x - 1, y: y - 1, release: final === "m" } };
  }
  const parts = params.split(";");
  const mod = parts.length > 1 ? Number(parts[1]) - 1 : 0;
  const modPrefix = `${mod & 4 ? "C-" : ""}${mod & 2 ? "M-" : ""}${mod & 1 ? "S-" : ""}`;
  if (final === "~") {
    const base = TILDE_NAMES[parts[0]];
    return { name: base ? modPrefix + base : `CSI-${params}~`, bytes: seq };
  }
  const base = CSI_NAMES[final];
  return { name: base ? modPrefix + base : `CSI-${params}${final}`, bytes: seq };
}

/** What the prefix state machine decided about a key. */
export type KeyAction =
  | { kind: "send"; bytes: string }
  | { kind: "command"; command: string; key: string }
  | { kind: "mouse"; token: KeyToken }
  | { kind: "unbound"; key: string };

/**
 * tmux-style prefix handling: keys go to the focused pane until the prefix; the key after the
 * prefix is looked up in `bindings`; the prefix twice sends the prefix itself.
 */
export class PrefixKeys {
  #armed = false;

  constructor(
    /** The prefix key's name (e.g. "C-b"). */
    readonly prefix: string,
    /** Key name after the prefix → command name. */
    readonly bindings: ReadonlyMap<string, string>,
  ) {}

  /** Whether the prefix was pressed and the next key is a command. */
  get armed(): boolean {
    return this.#armed;
  }

  /** Decides what one key does. */
  feed(t: KeyToken): KeyAction {
    if (t.name === "Mouse") return { kind: "mouse", token: t };
    if (!this.#armed) {
      if (t.name === this.prefix) {
        this.#armed = true;
        return { kind: "command", command: "prefix", key: t.name };
      }
      return { kind: "send", bytes: t.bytes };
    }
    this.#armed = false;
    if (t.name === this.prefix) return { kind: "send", bytes: t.bytes };
    const command = this.bindings.get(t.name);
    return command ? { kind: "command", command, key: t.name } : { kind: "unbound", key: t.name };
  }
}
