// The in-process terminfo reader against ncurses' own tput, for the terminals users have.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseTerminfo, readTerminfo } from "./terminfo.js";

function tput(term: string, cap: string): string | null {
  try {
    return execFileSync("tput", [cap], {
      env: { ...process.env, TERM: term },
      encoding: "latin1",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return null;
  }
}

const TERMS = [
  "xterm-256color",
  "xterm",
  "screen",
  "screen-256color",
  "tmux-256color",
  "linux",
  "vt100",
  "dumb",
  "rxvt-unicode-256color",
  "xterm-direct",
];

describe("terminfo", () => {
  for (const term of TERMS) {
    it(`reads ${term} as tput does`, () => {
      const entry = readTerminfo({ TERM: term, HOME: "/nonexistent" });
      const colors = tput(term, "colors");
      if (colors === null) {
        expect(entry).toBeNull();
        return;
      }
      expect(entry).not.toBeNull();
      expect(String(entry?.colors)).toBe(colors.trim());
      // tput exits 1 (no output) for an absent string capability.
      expect(entry?.smcup).toBe(tput(term, "smcup") ?? "");
      expect(entry?.rmcup).toBe(tput(term, "rmcup") ?? "");
      expect(entry?.dim).toBe(tput(term, "dim") ?? "");
      expect(entry?.sitm).toBe(tput(term, "sitm") ?? "");
      // Extended capabilities: tput exits 0 for a set boolean, prints a string's raw value.
      for (const flag of ["RGB", "Tc", "AX", "XT"])
        expect([flag, entry?.extBooleans.has(flag)]).toEqual([flag, tput(term, flag) !== null]);
      for (const cap of ["Ms", "setrgbf", "Smulx", "Se"])
        expect([cap, entry?.extStrings.get(cap) ?? null]).toEqual([cap, tput(term, cap)]);
    });
  }

  it("knows xterm's alternate screen and 256 colours", () => {
    const entry = readTerminfo({ TERM: "xterm-256color", HOME: "/nonexistent" });
    expect(entry?.colors).toBe(256);
    expect(entry?.smcup).toContain("\x1b[?1049h");
  });

  it("finds the extended capabilities that tell truecolor and the clipboard", () => {
    const direct = readTerminfo({ TERM: "xterm-direct", HOME: "/nonexistent" });
    expect(direct?.extBooleans.has("RGB")).toBe(true);
    expect(direct?.colors).toBe(0x1000000);
    const tmux = readTerminfo({ TERM: "tmux-256color", HOME: "/nonexistent" });
    expect(tmux?.extBooleans.has("RGB")).toBe(false);
    expect(tmux?.extStrings.get("Ms")).toBe("\x1b]52;%p1%s;%p2%s\x07");
    expect(tmux?.sitm).toBe("\x1b[3m");
    expect(readTerminfo({ TERM: "screen-256color", HOME: "/nonexistent" })?.sitm).toBe("");
  });

  it("returns null for unknown terminals, path tricks and garbage", () => {
    expect(readTerminfo({ TERM: "no-such-terminal", HOME: "/nonexistent" })).toBeNull();
    expect(readTerminfo({ TERM: "../../etc/passwd", HOME: "/nonexistent" })).toBeNull();
    expect(readTerminfo({ HOME: "/nonexistent" })).toBeNull();
    expect(parseTerminfo(Buffer.alloc(0))).toBeNull();
    expect(parseTerminfo(Buffer.from("not a terminfo entry at all"))).toBeNull();
    const truncated = Buffer.from([0x1a, 0x01, 10, 0, 2, 0, 20, 0, 50, 0, 0xff, 0x7f]);
    expect(parseTerminfo(truncated)).toBeNull();
  });
});
