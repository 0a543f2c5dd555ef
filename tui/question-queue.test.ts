// The TUI's queue of SSH questions: one at a time, in order, none twice, none of a pane being closed.
import { describe, expect, it } from "vitest";
import { QuestionQueue } from "./question-queue.js";

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
