import { describe, expect, it } from "vitest";
import { EscapeKeyFilter, escapeHelpText, escapeKeyFromEnv, quitHint } from "./escape-key.js";

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const sent = (actions: ReturnType<EscapeKeyFilter["feed"]>) =>
  Buffer.concat(actions.flatMap((a) => (a.kind === "send" ? [Buffer.from(a.bytes)] : []))).toString("latin1");

describe("escape key", () => {
  it("Ctrl-^ . quits and drops what follows", () => {
    const f = new EscapeKeyFilter(escapeKeyFromEnv(undefined));
    const actions = f.feed(bytes("ab\x1e.cd"));
    expect(sent(actions)).toBe("ab");
    expect(actions.map((a) => a.kind)).toEqual(["send", "help", "quit"]);
  });

  it("Ctrl-^ ^ sends a literal Ctrl-^; Ctrl-^ x sends both", () => {
    const f = new EscapeKeyFilter(escapeKeyFromEnv(undefined));
    expect(sent(f.feed(bytes("\x1e^")))).toBe("\x1e");
    expect(sent(f.feed(bytes("\x1ex")))).toBe("\x1ex");
  });

  it("the escape can span reads", () => {
    const f = new EscapeKeyFilter(escapeKeyFromEnv(undefined));
    expect(f.feed(bytes("\x1e")).map((a) => a.kind)).toEqual(["help"]);
    expect(f.feed(bytes(".")).map((a) => a.kind)).toEqual(["quit"]);
  });

  it("Ctrl-^ Ctrl-Z suspends; Ctrl-L repaints and is sent", () => {
    const f = new EscapeKeyFilter(escapeKeyFromEnv(undefined));
    expect(f.feed(bytes("\x1e\x1a")).map((a) => a.kind)).toContain("suspend");
    const a = f.feed(bytes("\x0c"));
    expect(a.map((x) => x.kind)).toEqual(["repaint", "send"]);
    expect(sent(a)).toBe("\x0c");
  });

  it("MOSH_ESCAPE_KEY: control key, printable key at line start, disabled, forbidden", () => {
    const ctrlB = escapeKeyFromEnv("\x02");
    expect(ctrlB).toMatchObject({ key: 2, passKey: 0x42, passKey2: 0x62 });
    expect(sent(new EscapeKeyFilter(ctrlB).feed(bytes("\x02b")))).toBe("\x02");
    const tilde = new EscapeKeyFilter(escapeKeyFromEnv("~"));
    expect(sent(tilde.feed(bytes("a~b")))).toBe("a~b"); // not at line start
    expect(tilde.feed(bytes("\r~.")).map((a) => a.kind)).toEqual(["send", "help", "quit"]);
    const off = new EscapeKeyFilter(escapeKeyFromEnv(""));
    expect(sent(off.feed(bytes("\x1e.")))).toBe("\x1e.");
    expect(escapeKeyFromEnv("\x03").key).toBe(0x1e);
    expect(escapeKeyFromEnv("ab").key).toBe(0x1e);
  });

  it("texts match mosh-client", () => {
    expect(escapeHelpText(escapeKeyFromEnv(undefined))).toBe(
      'Commands: Ctrl-Z suspends, "." quits, "^" gives literal Ctrl-^',
    );
    expect(escapeHelpText(escapeKeyFromEnv("~"))).toBe(
      'Commands: Ctrl-Z suspends, "." quits, "~" gives literal "~"',
    );
    expect(quitHint(escapeKeyFromEnv(undefined))).toBe(" [To quit: Ctrl-^ .]");
    expect(quitHint(escapeKeyFromEnv("~"))).toBe(' [To quit: "~" .]');
    expect(quitHint(escapeKeyFromEnv(""))).toBe("");
  });
});
