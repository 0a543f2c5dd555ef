// What the TUI's keys do at the moment: pass to the pane, answer a yes/no question, type an answer on the status line, or close the help; and what a key does in each dialog.
import type { KeyToken } from "./key-input.js";

/** The TUI's input mode. */
export type Mode =
  | { kind: "normal" }
  | { kind: "confirm"; question: string; onYes: () => void }
  | {
      kind: "prompt";
      /** The line shown on the status line, the answer typed after it. */
      question: string;
      text: string;
      onDone: (text: string) => void;
      /** Escape / C-c / C-g. */
      onCancel?: () => void;
      /** A pane's SSH question: that pane shows `body` (the question's earlier lines) while it connects. */
      paneId?: number;
      body?: readonly string[];
      /** The answer is secret: nothing of it is shown. */
      secret?: boolean;
      /** The server's number of the SSH question. */
      questionId?: number;
    }
  | { kind: "help" };

/** The modes that are dialogs: the keys are theirs, not the pane's. */
export type DialogMode = Exclude<Mode, { kind: "normal" }>;

/** What a key does in a dialog: nothing (mouse reports), edits the typed answer, or closes the dialog and then runs `action`. */
export type DialogKeyResult =
  | { kind: "ignored" }
  | { kind: "edited" }
  | { kind: "closed"; action?: () => void };

/**
 * A key in a dialog. The help closes on any key; a yes/no question closes on any key (y or Y
 * answers yes); a typed answer takes Enter (done), Escape, C-c or C-g (cancel), BSpace or C-h
 * (delete the last character), C-u (clear) and printable text. Mouse reports are ignored. The
 * caller leaves the mode before it runs `action`, which may put up another dialog.
 */
export function dialogKey(mode: DialogMode, t: KeyToken): DialogKeyResult {
  if (t.name === "Mouse") return { kind: "ignored" };
  if (mode.kind === "help") return { kind: "closed" };
  if (mode.kind === "confirm")
    return t.name === "y" || t.name === "Y" ? { kind: "closed", action: mode.onYes } : { kind: "closed" };
  if (t.name === "Enter") {
    const text = mode.text;
    return { kind: "closed", action: () => mode.onDone(text) };
  }
  if (t.name === "Escape" || t.name === "C-c" || t.name === "C-g")
    return { kind: "closed", action: mode.onCancel };
  if (t.name === "BSpace" || t.name === "C-h") mode.text = [...mode.text].slice(0, -1).join("");
  else if (t.name === "C-u") mode.text = "";
  else if (t.bytes.length > 0 && t.bytes >= " " && !t.bytes.startsWith("\x1b")) mode.text += t.bytes;
  return { kind: "edited" };
}
