// The TUI's queue of SSH questions: one at a time, in order, none twice, none of a pane being closed.
import { describe, expect, it } from "vitest";
import { QuestionQueue, questionMode } from "./question-queue.js";

const q = (id: number, pane: number) => ({ id, pane, text: `question ${id}`, echo: true });

describe("QuestionQueue", () => {
  it("hands out the server's questions in order, each once, and forgets answered ones", () => {
    const queue = new QuestionQueue();
    queue.update([q(1, 1), q(2, 2)]);
    expect(queue.waiting(1)).toBe(true);
    expect(queue.take()?.id).toBe(1);
    // Taken: no longer waiting, not handed out again while the server still lists it.
    expect(queue.waiting(1)).toBe(false);
    expect(queue.has(1)).toBe(true);
    expect(queue.take()?.id).toBe(2);
    expect(queue.take()).toBeUndefined();
    queue.update([q(2, 2), q(3, 1)]);
    expect(queue.has(1)).toBe(false);
    expect(queue.take()?.id).toBe(3);
  });

  it("skips the questions of panes the caller rules out (being closed)", () => {
    const queue = new QuestionQueue();
    queue.update([q(1, 5), q(2, 6)]);
    expect(queue.take((pane) => pane === 5)?.id).toBe(2);
    expect(queue.waiting(5)).toBe(true);
  });
});

describe("questionMode", () => {
  it("asks the question's last line on the status line, shows the rest in its pane, and tells the server the answer", () => {
    const said: string[] = [];
    const mode = questionMode(
      {
        id: 7,
        pane: 3,
        text: "The authenticity of host x can't be established.\nContinue (yes/no)? ",
        echo: true,
      },
      (text) => said.push(`answer ${text}`),
      () => said.push("cancel"),
    );
    expect(mode).toMatchObject({
      kind: "prompt",
      question: "Continue (yes/no)? ",
      text: "",
      paneId: 3,
      body: ["The authenticity of host x can't be established."],
      secret: false,
      questionId: 7,
    });
    if (mode.kind !== "prompt") throw new Error("not a prompt");
    mode.onDone("yes");
    mode.onCancel?.();
    expect(said).toEqual(["answer yes", "cancel"]);
    const secret = questionMode(
      { id: 8, pane: 3, text: "Password: ", echo: false },
      () => undefined,
      () => undefined,
    );
    expect(secret).toMatchObject({ question: "Password: ", body: [], secret: true });
  });
});
