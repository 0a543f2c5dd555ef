// Tests of mosh's character widths and the xterm width provider.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Emulator } from "./emulator.js";
import { MOSH_UNICODE_VERSION, moshUnicodeProvider, stringWidth, wcwidth } from "./wcwidth.js";
import { WCWIDTH_SOURCE } from "./wcwidth-table.js";

function hasCc(): boolean {
  try {
    execFileSync("cc", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("wcwidth", () => {
  it("follows glibc 2.36 and mosh's ISO 8859-1 rule", () => {
    expect(WCWIDTH_SOURCE).toBe("glibc 2.36");
    expect(wcwidth(0x41)).toBe(1); // A
    expect(wcwidth(0x20)).toBe(1);
    expect(wcwidth(0x7e)).toBe(1);
    expect(wcwidth(0xe9)).toBe(1); // é
    expect(wcwidth(0x4e2d)).toBe(2); // 中
    expect(wcwidth(0x3000)).toBe(2); // ideographic space
    expect(wcwidth(0x1f600)).toBe(2); // 😀
    expect(wcwidth(0x301)).toBe(0); // combining acute
    expect(wcwidth(0x200b)).toBe(0); // zero-width space
    expect(wcwidth(0xad)).toBe(1); // soft hyphen: Latin-1 is always 1 in mosh
    expect(wcwidth(0xa0)).toBe(1);
    expect(wcwidth(0x07)).toBe(-1);
    expect(wcwidth(0x7f)).toBe(-1);
    expect(wcwidth(0x85)).toBe(-1);
    // Unicode 15.0 additions are unassigned in glibc 2.36's Unicode 14 tables.
    expect(wcwidth(0x1fae8)).toBe(-1); // SHAKING FACE
    expect(wcwidth(0x1f6dc)).toBe(-1); // WIRELESS
    expect(wcwidth(0x1f1e6)).toBe(1); // regional indicator A
    expect(wcwidth(0x20000)).toBe(2); // CJK extension B
    expect(wcwidth(0xe000)).toBe(1); // private use
    expect(wcwidth(0x10ffff)).toBe(-1);
  });

  it("sums string widths", () => {
    expect(stringWidth("a中😀e\u0301")).toBe(1 + 2 + 2 + 1);
  });

  it.skipIf(!hasCc() && !process.env.CI)("agrees with this machine's glibc for every code point", () => {
    const dir = mkdtempSync(join(tmpdir(), "wcwidth-test-"));
    try {
      writeFileSync(
        join(dir, "w.c"),
        `#define _XOPEN_SOURCE 700
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
int main(void) {
  if (!setlocale(LC_ALL, "C.UTF-8")) return 1;
  long start = 0; int cur = wcwidth(0);
  for (long cp = 1; cp <= 0x110000; cp++) {
    int w = cp <= 0x10FFFF ? wcwidth((wchar_t)cp) : 99;
    if (w != cur) { printf("%ld %ld %d\\n", start, cp - 1, cur); start = cp; cur = w; }
  }
  return 0;
}
`,
      );
      execFileSync("cc", ["-O2", "-o", join(dir, "w"), join(dir, "w.c")]);
      const runs = execFileSync(join(dir, "w"), { encoding: "utf8" }).trim().split("\n");
      let mismatches = 0;
      for (const line of runs) {
        const [start, end, w] = line.split(" ").map(Number);
        for (let cp = start; cp <= end; cp++) {
          const latin1 = (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff);
          if (wcwidth(cp) !== (latin1 ? 1 : w)) mismatches++;
        }
      }
      expect(mismatches).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("xterm provider", () => {
  it("encodes widths and joins only width-0 characters", () => {
    const wide = moshUnicodeProvider.charProperties(0x4e2d, 0);
    expect((wide >> 1) & 3).toBe(2);
    expect(wide & 1).toBe(0);
    const combining = moshUnicodeProvider.charProperties(0x301, wide);
    expect(combining & 1).toBe(1);
    // Regional indicators and emoji modifiers never join (xterm's grapheme provider would).
    const ri = moshUnicodeProvider.charProperties(0x1f1e6, 0);
    expect(moshUnicodeProvider.charProperties(0x1f1e7, ri) & 1).toBe(0);
    expect(moshUnicodeProvider.wcwidth(0x1fae8)).toBe(0);
    expect(moshUnicodeProvider.version).toBe(MOSH_UNICODE_VERSION);
  });

  it("makes xterm place 中 over two cells and combine é", async () => {
    const emu = new Emulator(10, 2);
    try {
      expect(emu.terminal.unicode.activeVersion).toBe(MOSH_UNICODE_VERSION);
      await emu.write("中x e\u0301!\u{1fae8}z");
      const row = emu.snapshot().row(0);
      expect(row.cellText(0)).toBe("中");
      expect(row.cellWidth(0)).toBe(2);
      expect(row.cellWidth(1)).toBe(0);
      expect(row.cellText(2)).toBe("x");
      expect(row.cellText(4)).toBe("e\u0301");
      expect(row.cellText(5)).toBe("!\u{1fae8}"); // unprintable in glibc 2.36: no cell of its own
      expect(row.cellText(6)).toBe("z");
      expect(emu.snapshot().cursorCol).toBe(7);
    } finally {
      emu.dispose();
    }
  });
});
