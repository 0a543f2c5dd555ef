// What a mux pane connects to, and the light helpers around it (parsing targets, labels) that the TUI client needs without loading any session code.
import type { MuxPaneSource } from "../sdk/mux/protocol.js";

/** What a pane connects to (a local in-process server, or `[user@]host[:command]` over SSH). */
export type PaneSource = MuxPaneSource;

/** Parses `[user@]host[:command]` into the SSH target and the remote command (split on spaces). */
export function parseTarget(t: string): { host: string; command: string[] | undefined } {
  const at = t.lastIndexOf("@");
  const colon = t.indexOf(":", at + 1);
  if (colon < 0) return { host: t, command: undefined };
  const cmd = t.slice(colon + 1).trim();
  return { host: t.slice(0, colon), command: cmd.length > 0 ? cmd.split(/\s+/) : undefined };
}

/** The label of a source for headers and the status line. */
export function sourceLabel(src: PaneSource): string {
  if (src.kind === "ssh") return src.target;
  if (src.label) return src.label;
  if (!src.command) return "local";
  const c = src.command;
  const text = c.length === 3 && c[1] === "-c" && /(^|\/)sh$/.test(c[0]) ? c[2] : c.join(" ");
  return `local:${text.length > 24 ? `${text.slice(0, 23)}…` : text}`;
}

/**
 * The source of a target typed at the new-pane prompt: `local` or `local:command`, else
 * `[user@]host[:command]`; null when it names no host.
 */
export function sourceFromText(text: string): PaneSource | null {
  const t = text.trim();
  if (t.length === 0) return null;
  if (t === "local" || t.startsWith("local:")) {
    const cmd = t.slice(6).trim();
    return { kind: "local", command: cmd.length > 0 ? cmd.split(/\s+/) : undefined };
  }
  if (parseTarget(t).host.length === 0) return null;
  return { kind: "ssh", target: t };
}
