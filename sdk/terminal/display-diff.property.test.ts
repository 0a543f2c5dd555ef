// Property test: a display diff replayed on a fresh emulator reproduces the target frame cell for cell.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DisplayOptions, displayDiff, fullRepaint, HOST_DISPLAY } from "./display-diff.js";
import { Emulator } from "./emulator.js";
import { cellLooksEqual, type Frame } from "./frame.js";

const printable = fc
  .array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: 1, maxLength: 24 })
  .map((cs) => String.fromCharCode(...cs));
const wide = fc.constantFrom(
  "中",
  "文字",
  "😀",
  "한",
  "ｱ",
  "é",
  "\u0301",
  "e\u0308",
  "中\u0301",
  "\u{1fae8}",
  "\u00a0",
);
const n = (max: number) => fc.integer({ min: 0, max });
const sgrParam = fc.oneof(
  fc.constantFrom("0", "1", "2", "3", "4", "5", "7", "8", "22", "23", "24", "25", "27", "28", "39", "49", ""),
  fc.integer({ min: 30, max: 37 }).map(String),
  fc.integer({ min: 40, max: 47 }).map(String),
  fc.integer({ min: 90, max: 97 }).map(String),
  fc.integer({ min: 100, max: 107 }).map(String),
  n(255).map((i) => `38;5;${i}`),
  n(255).map((i) => `48;5;${i}`),
  fc.tuple(n(255), n(255), n(255)).map(([r, g, b]) => `38;2;${r};${g};${b}`),
  fc.tuple(n(255), n(255), n(255)).map(([r, g, b]) => `48;2;${r};${g};${b}`),
);
const sgr = fc.array(sgrParam, { minLength: 1, maxLength: 3 }).map((ps) => `\x1b[${ps.join(";")}m`);
const title = fc.constantFrom("a", "title", "t\u00e9", "中");

/** One piece of terminal output. */
const token = fc.oneof(
  { weight: 12, arbitrary: printable },
  {
    weight: 4,
    arbitrary: fc.tuple(printable, fc.integer({ min: 1, max: 4 })).map(([t, k]) => `${t}\r\n`.repeat(k)),
  },
  { weight: 4, arbitrary: wide },
  { weight: 6, arbitrary: sgr },
  { weight: 4, arbitrary: fc.tuple(n(10), n(18)).map(([r, c]) => `\x1b[${r};${c}H`) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom("A", "B", "C", "D", "G", "d"), n(6)).map(([f, k]) => `\x1b[${k}${f}`),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom("\r", "\n", "\r\n", "\b", "\t", "\x1bM", "\x1bD", "\x1bE", "\x1b7", "\x1b8"),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom("K", "J"), fc.constantFrom("", "0", "1", "2"))
      .map(([f, p]) => `\x1b[${p}${f}`),
  },
  { weight: 2, arbitrary: n(12).map((k) => `\x1b[${k}X`) },
  { weight: 2, arbitrary: fc.tuple(n(8), n(10)).map(([t, b]) => `\x1b[${t};${b}r`) },
  { weight: 1, arbitrary: fc.constant("\x1b[r") },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom("L", "M", "@", "P", "S", "T"), n(4)).map(([f, k]) => `\x1b[${k}${f}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("\x1b[?1049h", "\x1b[?1049l", "\x1b[4h", "\x1b[4l", "\x1b[?6h", "\x1b[?6l"),
  },
  { weight: 1, arbitrary: fc.constantFrom("\x1b[?7l", "\x1b[?7h") },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(0, 1, 2), title).map(([i, t]) => `\x1b]${i};${t}\x07`) },
  { weight: 1, arbitrary: fc.constantFrom("\x1b]52;c;Zm9v\x07", "\x1b]52;c;YmFy\x1b\\") },
  { weight: 2, arbitrary: fc.constant("\x07") },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(5, 25, 2004, 9, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015), fc.boolean())
      .map(([m, on]) => `\x1b[?${m}${on ? "h" : "l"}`),
  },
  { weight: 1, arbitrary: fc.constantFrom("\x1bc", "\x1b[!p") },
);
const chunk = fc.array(token, { minLength: 0, maxLength: 30 }).map((ts) => ts.join(""));
const size = fc.tuple(fc.integer({ min: 2, max: 14 }), fc.integer({ min: 1, max: 8 }));
const step = fc.record({
  resize: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: size }),
  output: chunk,
});
/** HostBytes options, or a user's terminal without ECH and/or back-colour erase. */
const display = fc.constantFrom<DisplayOptions>(
  HOST_DISPLAY,
  HOST_DISPLAY,
  { ech: false, bce: true, titles: true },
  { ech: true, bce: false, titles: true },
  { ech: false, bce: false, titles: true },
);
const scenario = fc.record({ size, display, steps: fc.array(step, { minLength: 1, maxLength: 4 }) });

/** The first difference between `got` and `want`, or null. */
function difference(got: Frame, want: Frame): string | null {
  if (got.cols !== want.cols || got.rows !== want.rows)
    return `size ${got.cols}x${got.rows} vs ${want.cols}x${want.rows}`;
  for (let y = 0; y < want.rows; y++) {
    const a = got.row(y);
    const b = want.row(y);
    for (let x = 0; x < want.cols; x++) {
      // mosh prints blank runs of up to 4 cells as spaces: a space and an empty cell look alike.
      if (!cellLooksEqual(a, b, x)) {
        return `cell ${y},${x}: ${JSON.stringify([a.cellText(x), a.meta[x], a.fg[x], a.bg[x]])} vs ${JSON.stringify(
          [b.cellText(x), b.meta[x], b.fg[x], b.bg[x]],
        )}`;
      }
    }
    if (y < want.rows - 1 && a.wrap !== b.wrap) return `wrap flag of row ${y}: ${a.wrap} vs ${b.wrap}`;
  }
  const fields = [
    "cursorRow",
    "cursorCol",
    "cursorVisible",
    "title",
    "clipboard",
    "reverseVideo",
    "bracketedPaste",
    "mouseMode",
    "mouseEncoding",
    "focusEvents",
  ] as const;
  for (const f of fields)
    if (got[f] !== want[f]) return `${f}: ${JSON.stringify(got[f])} vs ${JSON.stringify(want[f])}`;
  // Like mosh, the title-set flag itself is not carried: only titles and icon names that changed.
  if (want.titleSet && got.titleSet && got.iconName !== want.iconName) {
    return `iconName: ${got.iconName} vs ${want.iconName}`;
  }
  return null;
}

function show(s: string): string {
  return JSON.stringify(s);
}

describe("displayDiff replayed on an emulator", () => {
  it("reproduces every frame of random output, step after step (fast-check, seeded)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ size: [cols, rows], display: opts, steps }) => {
        const app = new Emulator(cols, rows);
        let client: Emulator | null = null;
        const replies: string[] = [];
        try {
          const frames: Frame[] = [];
          for (const s of steps) {
            if (s.resize) app.resize(s.resize[0], s.resize[1]);
            await app.write(s.output);
            frames.push(app.snapshot());
          }
          // The first frame by a full repaint, then each later one by a diff.
          const first = frames[0];
          client = new Emulator(first.cols, first.rows);
          client.onReply((r) => replies.push(r));
          await client.write(fullRepaint(first));
          let got = client.snapshot();
          let diff = difference(got, first);
          if (diff) throw new Error(`full repaint: ${diff}\nrepaint ${show(fullRepaint(first))}`);
          for (let i = 1; i < frames.length; i++) {
            const a = frames[i - 1];
            const b = frames[i];
            expect(displayDiff(a, a, opts)).toBe("");
            const bytes = displayDiff(a, b, opts);
            const bellBefore = got.bellCount;
            if (b.cols !== a.cols || b.rows !== a.rows) client.resize(b.cols, b.rows);
            await client.write(bytes);
            got = client.snapshot();
            diff = difference(got, b);
            if (diff) throw new Error(`step ${i}: ${diff}\ndiff ${show(bytes)}`);
            expect(got.bellCount !== bellBefore).toBe(b.bellCount !== a.bellCount);
          }
          expect(replies).toEqual([]);
        } finally {
          app.dispose();
          client?.dispose();
        }
      }),
      { seed: 0x6d6f7368, numRuns: 500 },
    );
  });
});
