import { describe, expect, it } from "vitest";
import { wcwidth } from "../sdk/terminal/wcwidth.js";
import { type MuxRuntime, muxRuntime, startMuxInTmux } from "./helpers/mux.js";
import { descendants } from "./helpers/procs.js";
import type { TmuxSession } from "./helpers/tmux.js";

/** The current test's socket directory (each test starts its own mosh-mux server there). */
let runtime: MuxRuntime;

async function startMux(args: string[], cols = 120, rows = 30): Promise<TmuxSession> {
  runtime = muxRuntime();
  return startMuxInTmux(runtime, args, {
    cols,
    rows,
    env: { TERM: "xterm-256color" },
    after: `echo "TTY=$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|icrnl)' | tr '\\n' ' ')"`,
  });
}

/** Column ranges of the pane headers on row `y` (a header starts with ▶ or a space, then the pane number). */
function lines(screen: string): string[] {
  return screen.split("\n");
}

/** The text of the left (cols 0..w) or right (cols w+1..) half of every row. */
function half(screen: string, side: "left" | "right", split: number): string[] {
  return lines(screen).map((l) => {
    // Cut by display columns: a wide character takes two.
    let col = 0;
    let left = "";
    let right = "";
    for (const ch of l) {
      if (col < split) left += ch;
      else if (col > split) right += ch;
      col += wcwidth(ch.codePointAt(0) ?? 0) === 2 ? 2 : 1;
    }
    return (side === "left" ? left : right).trimEnd();
  });
}

/** Column of the vertical border in row 1 (the first content row). */
function borderCol(screen: string): number {
  return [...lines(screen)[1]].indexOf("│");
}

async function quitAndCheck(tmux: TmuxSession): Promise<void> {
  await tmux.sendKeys(["C-b", "q"]);
  await tmux.waitForText("Quit mosh-mux", 5000);
  await tmux.sendKeys("y");
  // The TTY line follows EXIT: wait for both.
  const after = await tmux.waitForText(/EXIT=\d+\s+TTY=.*\S/, 15000);
  expect(after).toMatch(/EXIT=0/);
  // The tty modes are back (cooked: canonical input, echo, CR to NL).
  expect(after).toMatch(/^TTY=icrnl icanon echo ?$/m);
  // The outer terminal is back: main screen, cursor shown, no mouse reporting, normal cursor keys.
  expect(
    await tmux.format("#{alternate_on}#{cursor_flag}#{mouse_any_flag}#{mouse_sgr_flag}#{keypad_cursor_flag}"),
  ).toBe("01000");
  // The pane's shell has exec'd sleep: nothing of mosh-mux (servers, sessions' commands) is left,
  // and the background process has ended with its sessions.
  expect(descendants(await tmux.panePid())).toEqual([]);
  await runtime.waitNoServer();
}

describe("mosh-mux in tmux", () => {
  it("tiles two local panes, routes typing to the focused one, splits/closes/zooms, re-tiles on resize, quits cleanly", async () => {
    const tmux = await startMux(["--local", "sh", "--local", "sh"]);
    try {
      let screen = await tmux.waitForText(/▶1 local:sh.*│ 2 local:sh/, 15000);
      await tmux.waitForText(/^\$ +│\$/m, 15000);
      screen = await tmux.capture();
      const split = borderCol(screen);
      expect(split).toBeGreaterThan(50);
      expect(split).toBeLessThan(70);

      // Typing goes to the focused (left) pane only, at its prompt.
      await tmux.sendKeys("echo left-$((40+2))", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(/^left-42/m, 10000);
      expect(half(screen, "left", split).some((l) => l === "left-42")).toBe(true);
      expect(half(screen, "right", split).join("\n")).not.toContain("left-42");

      // Colours, attributes and wide characters are drawn in place: the border after them stays put.
      await tmux.sendKeys("printf '\\033[1;31mred\\033[0m \\344\\270\\255\\346\\226\\207|\\n'", {
        literal: true,
      });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(/^red 中文\| +│$/m, 10000);
      const redRow = lines(screen).findIndex((l) => l.startsWith("red 中文|"));
      expect([...lines(screen)[redRow]].indexOf("│") + 2).toBe(split); // two wide cells, one character each
      const escaped = lines(await tmux.capture({ escapes: true }))[redRow];
      expect(escaped).toMatch(/\x1b\[(1;31|31;1|1m\x1b\[31)m?red/);

      // Prefix + Right moves focus; typing then goes to the right pane.
      await tmux.sendKeys(["C-b", "Right"]);
      await tmux.waitForText(/ 1 local:sh.*│▶2 local:sh/, 5000);
      await tmux.sendKeys("echo right-$((50+5))", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(/│right-55/, 10000);
      expect(half(screen, "left", split).join("\n")).not.toContain("right-55");
      expect(half(screen, "right", split)).toContain("right-55");

      // stty size in each pane: 28 rows (30 - status line - header) by the pane's width.
      await tmux.sendKeys("stty size", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(/│28 \d+$/m, 10000);
      const rightWidth = 120 - split - 1;
      expect(half(screen, "right", split)).toContain(`28 ${rightWidth}`);

      // Split the right pane top/bottom: a third pane appears below it, focused.
      await tmux.sendKeys(["C-b", '"']);
      screen = await tmux.waitForText(/│▶3 local:sh/, 10000);
      const row3 = lines(screen).findIndex((l) => l.includes("▶3 local:sh"));
      expect(row3).toBeGreaterThan(10);
      expect(row3).toBeLessThan(20);
      await tmux.waitForText(/^ +│\$ ?$/m, 10000);

      // Zoom: pane 3 fills the window; stty size says so.
      await tmux.sendKeys(["C-b", "z"]);
      await tmux.waitForText(/^▶3 local:sh.*\[Z\]/m, 5000);
      await tmux.sendKeys("stty size", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(/^28 120$/m, 10000);
      expect(lines(screen).slice(0, -2).join("\n")).not.toContain("│");
      await tmux.sendKeys(["C-b", "z"]);
      screen = await tmux.waitForText(/│▶3 local:sh/, 5000);

      // Close pane 3 (asks first): two panes again.
      await tmux.sendKeys(["C-b", "x"]);
      await tmux.waitForText("Close pane 3", 5000);
      await tmux.sendKeys("y");
      screen = await tmux.waitForText(/ 1 local:sh.*│▶2 local:sh/, 10000);
      expect(screen).not.toContain("3 local:sh");

      // Resizing the outer window re-tiles and resizes every session.
      await tmux.resize(100, 20);
      // Wait for the re-tiled frame (the old one still shows "▶2 local:sh" for a moment).
      screen = await tmux.waitForScreen(
        (s) => /▶2 local:sh/.test(s) && borderCol(s) > 0 && borderCol(s) < split,
        "the re-tiled panes",
        5000,
      );
      const split2 = borderCol(screen);
      expect(split2).toBeLessThan(split);
      await tmux.sendKeys("clear; stty size", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(new RegExp(`│18 ${100 - split2 - 1}$`, "m"), 10000);
      await tmux.sendKeys(["C-b", "Left"]);
      await tmux.waitForText(/▶1 local:sh/, 5000);
      await tmux.sendKeys("clear; stty size", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(new RegExp(`^18 ${split2} +│`, "m"), 10000);

      // A mouse click (SGR report) focuses the pane under it.
      await tmux.sendBytes(`\x1b[<0;${split2 + 6};6M\x1b[<0;${split2 + 6};6m`);
      await tmux.waitForText(/ 1 local:sh.*│▶2 local:sh/, 5000);
      await tmux.sendBytes("\x1b[<0;3;6M\x1b[<0;3;6m");
      await tmux.waitForText(/▶1 local:sh/, 5000);

      // Prefix twice sends the prefix: C-b reaches the shell (sh echoes nothing visible), C-b ? shows help.
      await tmux.sendKeys(["C-b", "?"]);
      await tmux.waitForText("mosh-mux keys: press C-b", 5000);
      await tmux.sendKeys("Escape");
      await tmux.waitForText(/^18 \d+ +│/m, 5000);

      await quitAndCheck(tmux);
    } finally {
      await tmux.kill();
    }
  }, 90_000);

  it("shows the lag warning and stall indicator only on the pane whose link is cut, and clears both when it returns", async () => {
    const tmux = await startMux(["--demo", "--flap", "3:10"], 160, 40);
    try {
      await tmux.waitForText(/4:flaky link \d+ms live/, 15000);
      // The flaky pane (bottom right) shows mosh's warning. (The lossy pane at bottom left may
      // also lose contact for a while on a loaded machine, so only the lossless panes 1-2 are
      // required to stay quiet.)
      const stalled = await tmux.waitForText(/│mosh: Last contact \d+ seconds? ago\./, 20000);
      expect(lines(stalled).filter((l) => /│mosh: Last contact/.test(l))).toHaveLength(1);
      expect(stalled).toMatch(/4 flaky link ⚠ no contact \d+s/);
      expect(stalled).toMatch(/4:flaky link stalled \d+s/);
      expect(stalled).not.toMatch(/[12] (shell|top)[^│]*no contact/);
      expect(stalled).not.toMatch(/[12]:(shell|top)[^│]* stalled/);
      // The link comes back: both clear.
      const back = await tmux.waitForText(/4:flaky link \d+ms live/, 20000);
      expect(back).not.toMatch(/│mosh: Last contact/);
      expect(back).not.toContain("4 flaky link ⚠ no contact");
      await quitAndCheck(tmux);
    } finally {
      await tmux.kill();
    }
  }, 90_000);

  it("keeps lines that scrolled off in the pane's scrollback, in order", async () => {
    const tmux = await startMux(["--local", "sh"], 80, 24);
    try {
      await tmux.waitForText(/^\$ ?$/m, 15000);
      await tmux.sendKeys("for i in $(seq 1 60); do echo line$i; sleep 0.03; done", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText(/^line60$/m, 20000);
      await tmux.sendKeys(["C-b", "["]);
      await tmux.waitForText(/\[scroll \d+\/\d+\]/, 5000);
      await tmux.sendKeys("g");
      const top = await tmux.waitForText(/\[scroll (\d+)\/\1\]/, 5000);
      const nums = lines(top)
        .map((l) => /^line(\d+)$/.exec(l)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number);
      expect(nums.length).toBeGreaterThan(10);
      expect(nums[0]).toBe(1);
      for (let i = 1; i < nums.length; i++) expect(nums[i]).toBe(nums[i - 1] + 1);
      // q leaves (search, selection and copying: mux-copy.test.ts).
      await tmux.sendKeys("q");
      await tmux.waitForText(/^▶1 local:sh \d+ms ─/m, 5000);
      await quitAndCheck(tmux);
    } finally {
      await tmux.kill();
    }
  }, 90_000);
});

describe("mosh-mux prediction", () => {
  it("shows typed characters in a pane behind a 300 ms link before the echo arrives, underlined", async () => {
    const tmux = await startMux(["--local", "sh", "--link", "300"], 80, 24);
    try {
      await tmux.waitForText(/^\$ ?$/m, 20000);
      // A first confirmed echo opens the prediction epoch.
      await tmux.sendKeys("echo ", { literal: true });
      await tmux.waitForText(/^\$ echo/m, 20000);
      await tmux.sendKeys("xyz", { literal: true });
      let first = "";
      for (let i = 0; i < 400 && first === ""; i++) {
        const screen = await tmux.capture({ escapes: true });
        if (screen.replace(/\x1b\[[0-9;]*m/g, "").includes("echo xyz")) first = screen;
        else await new Promise((r) => setTimeout(r, 10));
      }
      // The first screen showing xyz is the prediction: underlined (the link is slow), echo not yet back.
      expect(first).toMatch(/\x1b\[4m[^\n]*x[^\n]*y[^\n]*z/);
      // Then the echo arrives and the underline goes.
      for (let i = 0; i < 100; i++) {
        const s = await tmux.capture({ escapes: true });
        if (!/\x1b\[4m/.test(s.split("\n").slice(1, -2).join("\n"))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const settled = await tmux.capture({ escapes: true });
      expect(settled.split("\n").slice(1, -2).join("\n")).not.toMatch(/\x1b\[4m/);
      expect(settled.replace(/\x1b\[[0-9;]*m/g, "")).toContain("$ echo xyz");
      await tmux.sendKeys("C-u");
      await quitAndCheck(tmux);
    } finally {
      await tmux.kill();
    }
  }, 90_000);
});

describe("mosh-mux prefix", () => {
  it("takes another prefix from the command line; the prefix twice reaches the program", async () => {
    const tmux = await startMux(["--prefix", "C-a", "--local", "cat -v"], 80, 24);
    try {
      await tmux.waitForText(/▶1 local:cat -v \d+ms/, 15000);
      await tmux.sendKeys(["C-a", "C-a", "x", "Enter"]);
      await tmux.waitForText(/^\^Ax$/m, 10000);
      await tmux.sendKeys(["C-a", "%"]);
      await tmux.waitForText(/│▶2 local:cat -v/, 10000);
      // C-b is an ordinary key now: it goes to the program.
      await tmux.sendKeys(["C-b", "Enter"]);
      await tmux.waitForText(/│\^B$/m, 10000);
      await tmux.sendKeys(["C-a", "q"]);
      await tmux.waitForText("Quit mosh-mux", 5000);
      await tmux.sendKeys("y");
      expect(await tmux.waitForText(/EXIT=\d+/, 15000)).toMatch(/EXIT=0/);
    } finally {
      await tmux.kill();
    }
  }, 60_000);
});
