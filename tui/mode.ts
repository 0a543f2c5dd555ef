// What the TUI's keys do at the moment: pass to the pane, answer a yes/no question, type an answer on the status line, or close the help.

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
