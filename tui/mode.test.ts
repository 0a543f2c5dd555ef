// Keys in the TUI's dialogs: the help closes on any key, a yes/no question takes y, a typed answer is edited, done or cancelled; mouse reports change nothing.
import { describe, expect, it } from "vitest";
import type { KeyToken } from "./key-input.js";
import { dialogKey, type Mode } from "./mode.js";

const key = (name: string, bytes = name.length === 1 ? name : ""): KeyToken => ({ name, bytes });
const mouse: KeyToken = {
  name: "Mouse",
  bytes: "\x1b[<0;1;1M",
  mouse: { button: 0, x: 0, y: 0, release: false },
};

describe("dialogKey", () => {
  it("closes the help on any key but a mouse report", () => {
    expect(dialogKey({ kind: "help" }, mouse)).toEqual({ kind: "ignored" });
    expect(dialogKey({ kind: "help" }, key("q"))).toEqual({ kind: "closed" });
  });

  it("answers a yes/no question with y or Y; any other key closes it unanswered", () => {
    let yes = 0;
    const confirm: Mode = { kind: "confirm", question: "Quit? (y/n)", onYes: () => yes++ };
    expect(dialogKey(confirm, mouse)).toEqual({ kind: "ignored" });
    for (const k of ["y", "Y"]) {
      const r = dialogKey(confirm, key(k));
      expect(r.kind).toBe("closed");
      if (r.kind === "closed") r.action?.();
    }
    expect(yes).toBe(2);
    expect(dialogKey(confirm, key("n"))).toEqual({ kind: "closed" });
  });

  it("edits a typed answer, then gives it on Enter or cancels on Escape, C-c or C-g", () => {
    const done: string[] = [];
    let cancelled = 0;
    const prompt: Extract<Mode, { kind: "prompt" }> = {
      kind: "prompt",
      question: "search up: ",
      text: "",
      onDone: (t) => done.push(t),
      onCancel: () => cancelled++,
    };
    for (const k of [
      key("a"),
      key("b"),
      key("Space", " "),
      key("é"),
      key("Up", "\x1b[A"),
      key("C-a", "\x01"),
    ])
      expect(dialogKey(prompt, k)).toEqual({ kind: "edited" });
    expect(prompt.text).toBe("ab é");
    dialogKey(prompt, key("BSpace", "\x7f"));
    dialogKey(prompt, key("C-h", "\x08"));
    expect(prompt.text).toBe("ab");
    expect(dialogKey(prompt, mouse)).toEqual({ kind: "ignored" });
    expect(prompt.text).toBe("ab");
    const enter = dialogKey(prompt, key("Enter", "\r"));
    // The answer is the text when Enter was pressed.
    prompt.text = "changed";
    if (enter.kind === "closed") enter.action?.();
    expect(done).toEqual(["ab"]);
    dialogKey(prompt, key("C-u", "\x15"));
    expect(prompt.text).toBe("");
    for (const k of [key("Escape", "\x1b"), key("C-c", "\x03"), key("C-g", "\x07")]) {
      const r = dialogKey(prompt, k);
      if (r.kind === "closed") r.action?.();
    }
    expect(cancelled).toBe(3);
  });
});
