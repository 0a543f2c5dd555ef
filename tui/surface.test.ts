// The blessed surface on a fake terminal (streams, no tty): blessed's internals it relies on are there, changed cells reach the output, input and restore work.
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { BlessedSurface } from "./surface.js";

let surface: BlessedSurface | null = null;
afterEach(() => {
  surface?.restore();
  surface = null;
});

/** A surface on a fake 40x10 terminal; what it writes, and what it reads. */
function open() {
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { columns: 40, rows: 10, isTTY: true });
  let written = "";
  output.on("data", (d: Buffer) => {
    written += d.toString("utf8");
  });
  const typed: string[] = [];
  surface = new BlessedSurface(
    (d) => typed.push(d),
    () => undefined,
    {
      input,
      output,
      terminal: "xterm-256color",
    },
  );
  return { s: surface, input, typed, out: () => written, clear: () => (written = "") };
}

describe("BlessedSurface", () => {
  it("takes its size from the terminal and writes the cells put, only when they changed", async () => {
    const t = open();
    expect([t.s.cols, t.s.rows]).toEqual([40, 10]);
    expect(t.s.active).toBe(true);
    t.s.text(2, 3, 10, t.s.defaultAttr, "hello→wörld", false);
    t.s.flush();
    await new Promise((r) => setImmediate(r));
    expect(t.out()).toContain("hello→wör");
    t.clear();
    t.s.text(2, 3, 10, t.s.defaultAttr, "hello→wörld", false);
    t.s.flush();
    await new Promise((r) => setImmediate(r));
    expect(t.out()).not.toContain("hello");
  });

  it("passes typed input on as text, shows and hides the cursor, and gives the terminal back", async () => {
    const t = open();
    t.input.write(Buffer.from("ab\xc3", "latin1"));
    t.input.write(Buffer.from("\xa9", "latin1"));
    await new Promise((r) => setImmediate(r));
    // A character split across two reads arrives whole.
    expect(t.typed.join("")).toBe("ab\u00e9");
    t.clear();
    t.s.showCursor(4, 7);
    await new Promise((r) => setImmediate(r));
    expect(t.out()).toContain("\x1b[5;8H");
    t.s.restore();
    await new Promise((r) => setImmediate(r));
    expect(t.s.active).toBe(false);
    // Mouse reporting off and the main screen back.
    expect(t.out()).toContain("\x1b[?1000l");
    expect(t.out()).toContain("\x1b[?1049l");
    // Once given back, drawing does nothing.
    t.clear();
    t.s.put(0, 0, t.s.defaultAttr, "x");
    t.s.flush();
    expect(t.out()).toBe("");
  });
});
