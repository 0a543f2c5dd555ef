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
  P: "F1",
  Q: "F2",
  R: "F3",
  S: "F4",
};
const TILDE_NAMES: Record<string, string> = {
  "1": "Home",
  "2": "IC",
  "3": "DC",
  "4": "End",
  "5": "PageUp",
  "6": "PageDown",
  "11": "F1",
  "12": "F2",
  "13": "F3",
  "14": "F4",
  "15": "F5",
  "17": "F6",
  "18": "F7",
  "19": "F8",
  "20": "F9",
  "21": "F10",
  "23": "F11",
  "24": "F12",
};

/** The tmux-style name of a control byte or printable character. */
function charName(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c === 0x0d) return "Enter";
  if (c === 0x09) return "Tab";
  if (c === 0x7f) return "BSpace";
  if (c === 0x20) return "Space";
  if (c === 0x00) return "C-Space";
  if (c === 0x1b) return "Escape";
  // C-a..C-z; then C-\ C-] C-^ C-_ (tmux's names).
  if (c < 0x20) return `C-${String.fromCharCode(c <= 26 ? c + 0x60 : c + 0x40)}`;
  return ch;
}

/** Keys with a name of their own that arrive as CSI or SS3 sequences (they may carry C-, M- and S-). */
const CSI_KEYS = [
  "Up",
  "Down",
  "Left",
  "Right",
  "Home",
  "End",
  "IC",
  "DC",
  "PageUp",
  "PageDown",
  ...Array.from({ length: 12 }, (_, i) => `F${i + 1}`),
];
/** Other named keys, and tmux's other spellings. */
const OTHER_KEYS = ["Enter", "Tab", "BSpace", "Space", "Escape", "BTab"];
const ALIASES: Record<string, string> = {
  ppage: "PageUp",
  pgup: "PageUp",
  npage: "PageDown",
  pgdn: "PageDown",
};
const NAMED = new Map<string, string>(
  [...CSI_KEYS, ...OTHER_KEYS].map((k) => [k.toLowerCase(), k] as [string, string]),
);
for (const [alias, name] of Object.entries(ALIASES)) NAMED.set(alias, name);

/** What C-x is as this tokenizer names it (C-i is Tab, C-m Enter, C-[ Escape, C-? BSpace), or null. */
function controlName(ch: string): string | null {
  const lower = ch.toLowerCase();
  if (/^[a-z]$/.test(lower)) return charName(String.fromCharCode(lower.charCodeAt(0) & 0x1f));
  if (ch === "@" || ch === " ") return "C-Space";
  if (ch === "?") return "BSpace";
  if ("[\\]^_".includes(ch)) return charName(String.fromCharCode(ch.charCodeAt(0) & 0x1f));
  return null;
}

/**
 * A key name as tmux spells it (`C-a`, `^A`, `c-a`, `M-x`, `C-Space`, `F12`, `PPage`, a
 * character), in the form {@link KeyTokenizer} names that key; null when it names no key the
 * tokenizer can produce (`bogus`, `C-`, `Ctrl-a`).
 */
export function keyName(input: string): string | null {
  let rest = input;
  if (/^\^.$/u.test(rest)) rest = `C-${rest[1]}`;
  let ctrl = false;
  let meta = false;
  let shift = false;
  while (rest.length > 2 && rest[1] === "-") {
    const mod = rest[0].toUpperCase();
    if (mod === "C") ctrl = true;
    else if (mod === "M") meta = true;
    else if (mod === "S") shift = true;
    else break;
    rest = rest.slice(2);
  }
  if ([...rest].length === 1) {
    const c = rest.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f || shift) return null;
    const base = ctrl ? controlName(rest) : charName(rest);
    return base === null ? null : meta ? `M-${base}` : base;
  }
  const name = NAMED.get(rest.toLowerCase());
  if (!name) return null;
  if (CSI_KEYS.includes(name)) return `${ctrl ? "C-" : ""}${meta ? "M-" : ""}${shift ? "S-" : ""}${name}`;
  let base: string | null = name;
  if (shift) base = name === "Tab" && !ctrl ? "BTab" : null;
  else if (ctrl) base = name === "Space" ? "C-Space" : null;
  if (base === null || (meta && (base === "Escape" || base === "BTab"))) return null;
  return meta ? `M-${base}` : base;
}

/** The error for a key name {@link keyName} does not know, after `what` (e.g. `--prefix`). */
export function badKeyName(what: string, name: string): Error {
  return new Error(`${what}: ${JSON.stringify(name)} is not a key name (e.g. C-a, C-Space, M-a, F12, \`)`);
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
