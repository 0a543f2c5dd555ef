// mosh-client's escape key (Ctrl-^ by default): turns raw keyboard bytes into bytes to send and local commands.

/** The escape-key configuration (docs/mosh-protocol.md §11.3). */
export interface EscapeKeyConfig {
  /** The escape byte, or null when disabled. */
  key: number | null;
  /** The byte that, after the escape, sends the escape byte itself. */
  passKey: number;
  /** A second accepted pass key (the lowercase form of an uppercase pass key), or -1. */
  passKey2: number;
  /** A printable escape is only recognised at the start of a line, like ssh's `~`. */
  requiresLineStart: boolean;
}

/** Parses `MOSH_ESCAPE_KEY` exactly as mosh-client does. */
export function escapeKeyFromEnv(value: string | undefined): EscapeKeyConfig {
  const def: EscapeKeyConfig = { key: 0x1e, passKey: 0x5e, passKey2: 0x5e, requiresLineStart: false };
  if (value === undefined) return def;
  if (value === "") return { key: null, passKey: 0, passKey2: -1, requiresLineStart: false };
  const code = value.length === 1 ? value.charCodeAt(0) : -1;
  if (code < 1 || code > 127 || [0x03, 0x04, 0x0a, 0x0c, 0x0d].includes(code)) return def;
  const passKey = code < 32 ? code + 0x40 : code;
  const isUpper = passKey >= 0x41 && passKey <= 0x5a;
  return { key: code, passKey, passKey2: isUpper ? passKey + 0x20 : passKey, requiresLineStart: code >= 32 };
}

/** Printable name of the escape key, as mosh shows it ("Ctrl-^" or "\"~\""). */
export function escapeKeyName(cfg: EscapeKeyConfig): string {
  if (cfg.key === null) return "";
  return cfg.key < 32 ? `Ctrl-${String.fromCharCode(cfg.passKey)}` : `"${String.fromCharCode(cfg.key)}"`;
}

/** The notification mosh shows after the escape key is typed. */
export function escapeHelpText(cfg: EscapeKeyConfig): string {
  return `Commands: Ctrl-Z suspends, "." quits, "${String.fromCharCode(cfg.passKey)}" gives literal ${escapeKeyName(cfg)}`;
}

/** The quit hint appended to notifications, e.g. ` [To quit: Ctrl-^ .]`; empty when the escape key is off. */
export function quitHint(cfg: EscapeKeyConfig): string {
  return cfg.key === null ? "" : ` [To quit: ${escapeKeyName(cfg)} .]`;
}

/** What the client does with a chunk of keyboard input. */
export type EscapeAction =
  | { kind: "send"; bytes: Uint8Array }
  | { kind: "help" }
  | { kind: "help-done" }
  | { kind: "quit" }
  | { kind: "suspend" }
  | { kind: "repaint" };

/** The escape-key state machine of mosh-client's `process_user_input`. */
export class EscapeKeyFilter {
  private started = false;
  private lineStart = true;

  constructor(private readonly cfg: EscapeKeyConfig) {}

  /** Processes one read from the keyboard; stops at a quit (later bytes are dropped, as mosh does). */
  feed(chunk: Uint8Array): EscapeAction[] {
    // The common read, one ordinary keystroke, passes through as it is (the echo path's first step).
    if (chunk.length === 1 && !this.started) {
      const b = chunk[0];
      if (b !== this.cfg.key && b !== 0x0c) {
        this.lineStart = b === 0x0a || b === 0x0d;
        return [{ kind: "send", bytes: Uint8Array.of(b) }];
      }
    }
    const out: EscapeAction[] = [];
    let pending: number[] = [];
    const flush = () => {
      if (pending.length) out.push({ kind: "send", bytes: Uint8Array.from(pending) });
      pending = [];
    };
    for (const b of chunk) {
      if (this.started) {
        this.started = false;
        if (b === 0x2e) {
          flush();
          out.push({ kind: "quit" });
          return out;
        }
        if (b === 0x1a) {
          flush();
          out.push({ kind: "help-done" }, { kind: "suspend" });
          continue;
        }
        if (b === this.cfg.passKey || b === this.cfg.passKey2) pending.push(this.cfg.key!);
        else pending.push(this.cfg.key!, b);
        flush();
        out.push({ kind: "help-done" });
        continue;
      }
      const key = this.cfg.key;
      if (key !== null && b === key && (this.lineStart || !this.cfg.requiresLineStart)) {
        this.started = true;
        this.lineStart = false;
        flush();
        out.push({ kind: "help" });
        continue;
      }
      this.lineStart = b === 0x0a || b === 0x0d;
      if (b === 0x0c) {
        flush();
        out.push({ kind: "repaint" });
      }
      pending.push(b);
    }
    flush();
    return out;
  }
}
