// The TUI's side of SSH panes' questions: which of the server's waiting questions this client puts up next, and which it already dealt with.
import type { MuxQuestion } from "../sdk/mux/protocol.js";
import type { Mode } from "./mode.js";

/** The questions the server holds, and this client's progress through them (asked one at a time, in order). */
export class QuestionQueue {
  #list: readonly MuxQuestion[] = [];
  /** Questions this client put up, answered or cancelled (the server's list may still show them for a moment). */
  readonly #taken = new Set<number>();

  /** Takes the server's new list. */
  update(list: readonly MuxQuestion[]): void {
    this.#list = list;
    const ids = new Set(list.map((q) => q.id));
    for (const id of this.#taken) if (!ids.has(id)) this.#taken.delete(id);
  }

  /** Whether question `id` is still waiting at the server. */
  has(id: number): boolean {
    return this.#list.some((q) => q.id === id);
  }

  /** The next question to put up (of a pane `skip` does not rule out), marked as taken; undefined when none waits. */
  take(skip: (pane: number) => boolean = () => false): MuxQuestion | undefined {
    const q = this.#list.find((x) => !this.#taken.has(x.id) && !skip(x.pane));
    if (q) this.#taken.add(q.id);
    return q;
  }

  /** Whether pane `paneId` has a question waiting for its turn (not the one up now). */
  waiting(paneId: number): boolean {
    return this.#list.some((q) => q.pane === paneId && !this.#taken.has(q.id));
  }
}

/**
 * The dialog that puts question `q` up on the status line: its last line is asked there, its
 * earlier lines show in its pane; `answer` and `cancel` tell the server.
 */
export function questionMode(q: MuxQuestion, answer: (text: string) => void, cancel: () => void): Mode {
  const lines = q.text.split("\n");
  const last = lines.pop() ?? "";
  return {
    kind: "prompt",
    question: last,
    text: "",
    paneId: q.pane,
    body: lines,
    secret: !q.echo,
    questionId: q.id,
    onDone: answer,
    onCancel: cancel,
  };
}
