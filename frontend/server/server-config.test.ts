// Tests for the server's start-up configuration pieces: the sh preamble's account of stdin and `stty size`'s output.
import { describe, expect, it } from "vitest";
import { parseStdinArgument } from "./server-config.js";
import { parseSttySize } from "./stdin-probe.js";

describe("parseStdinArgument", () => {
  it("reads the preamble's three forms", () => {
    expect(parseStdinArgument("tty 31 97")).toEqual({ isTTY: true, size: { rows: 31, cols: 97 } });
    expect(parseStdinArgument("tty ")).toEqual({ isTTY: true, size: { rows: 24, cols: 80 } });
    expect(parseStdinArgument("tty 0 0")).toEqual({ isTTY: true, size: { rows: 24, cols: 80 } });
    expect(parseStdinArgument("notty")).toEqual({ isTTY: false, size: { rows: 24, cols: 80 } });
  });

  it("refuses anything else (a command line that lost its first argument is no account of stdin)", () => {
    for (const text of [undefined, "", "new", "tty24 80", "tty 24", "tty -1 80", "notty 24 80"]) {
      expect(parseStdinArgument(text)).toBeNull();
    }
  });
});

describe("parseSttySize", () => {
  it("takes ROWS COLS, else mosh's 80x24", () => {
    expect(parseSttySize("31 97\n")).toEqual({ rows: 31, cols: 97 });
    expect(parseSttySize("")).toEqual({ rows: 24, cols: 80 });
    expect(parseSttySize("0 0\n")).toEqual({ rows: 24, cols: 80 });
  });
});
