import { describe, expect, it } from "vitest";
import { type MuxRuntime, muxRuntime, startMuxInTmux } from "./helpers/mux.js";
import type { TmuxSession } from "./helpers/tmux.js";

/**
 * Runs mosh-mux with `args` in a fresh tmux (clipboard on, so OSC 52 lands in tmux's paste
 * buffer). `env` is set for mosh-mux itself (tmux gives its panes TERM=tmux-256color and TMUX;
 * `unsetTmux` takes TMUX away, as outside tmux).
 */
async function startMux(
  rt: MuxRuntime,
  args: string[],
  env: Record<string, string> = {},
  o: { cols?: number; rows?: number; unsetTmux?: boolean } = {},
): Promise<TmuxSession> {
  const setEnv = [
    "/usr/bin/env",
    ...(o.unsetTmux ? ["-u", "TMUX"] : []),
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
  ];
  const tmux = await startMuxInTmux(rt, args, { cols: o.cols ?? 80, rows: o.rows ?? 24, wrap: setEnv });
  await tmux.command(["set-option", "-s", "set-clipboard", "on"]);
  return tmux;
}

const lines = (screen: string): string[] => screen.split("\n");

/** The SGR sequences tmux writes right before character `ch` on the line that reads `text` (capture-pane -e). */
function sgrBefore(escaped: string, text: string, ch = text[0]): string {
  for (const l of lines(escaped)) {
    if (l.replace(/\x1b\[[0-9;:]*m/g, "").trimEnd() !== text) continue;
    let pending = "";
    for (let i = 0; i < l.length; ) {
      const m = /^\x1b\[[0-9;:]*m/.exec(l.slice(i));
      if (m) {
        pending += m[0];
        i += m[0].length;
        continue;
      }
      if (l[i] === ch) return pending;
      pending = "";
      i++;
    }
  }
  throw new Error(`${ch} of ${text} not found in\n${escaped}`);
}

async function quit(tmux: TmuxSession, rt: MuxRuntime): Promise<void> {
  await tmux.sendKeys(["C-b", "q"]);
  await tmux.waitForText("Quit mosh-mux", 5000);
  await tmux.sendKeys("y");
  expect(await tmux.waitForText(/EXIT=\d+/, 15000)).toMatch(/EXIT=0/);
  await rt.waitNoServer();
}

/** Prints line1..line40 in the pane slowly enough that every line reaches the scrollback. */
async function fortyLines(tmux: TmuxSession): Promise<void> {
  await tmux.waitForText(/^[$#] ?$/m, 15000);
  await tmux.sendKeys("for i in $(seq 1 40); do echo line$i; sleep 0.02; done", { literal: true });
  await tmux.sendKeys("Enter");
  await tmux.waitForText(/^line40\n[$#] ?$/m, 20000);
}

describe("mosh-mux copy mode in tmux", () => {
  it("scrolls back with the mouse wheel (button 64 is not a click) and out again at the bottom (-l: the shell)", async () => {
    const rt = muxRuntime();
    // -l without a command: a pane running $SHELL (it crashed the command line once).
    const tmux = await startMux(rt, ["-l"]);
    try {
      await fortyLines(tmux);
      await tmux.sendBytes("\x1b[<64;10;10M");
      await tmux.waitForText(/\[scroll 5\/\d+\]/, 5000);
      await tmux.sendBytes("\x1b[<64;10;10M");
      await tmux.waitForText(/\[scroll 10\/\d+\]/, 5000);
      await tmux.sendBytes("\x1b[<65;10;10M\x1b[<65;10;10M");
      await tmux.waitForScreen((s) => !s.includes("[scroll"), "copy mode left by the wheel", 5000);
      await quit(tmux, rt);
    } finally {
      await tmux.kill();
    }
  }, 60_000);

  it("stays in copy mode at the bottom (G): ? searches (highlighted, round the ends), v j $ y yanks through OSC 52", async () => {
    const rt = muxRuntime();
    const tmux = await startMux(rt, ["-l", "sh"]);
    try {
      await fortyLines(tmux);
      // G (the bottom) leaves copy mode on: "?line5" Enter is its search, not a command for the shell.
      await tmux.sendKeys(["C-b", "[", "g", "G"]);
      await tmux.waitForText(/\[scroll 0\/\d+\]/, 5000);
      await tmux.sendKeys("?");
      await tmux.waitForText("search up:", 5000);
      await tmux.sendKeys("line5", { literal: true });
      await tmux.sendKeys("Enter");
      let screen = await tmux.waitForText(/^line5$/m, 5000);
      expect(screen).toMatch(/\[scroll [1-9]\d*\/\d+\]/);
      // The match at the cursor is magenta (the only one: line5).
      expect(sgrBefore(await tmux.capture({ escapes: true }), "line5")).toMatch(/\x1b\[(30;)?45m|\x1b\[45m/);
      // n: up again, none further up: round from the bottom back to it.
      await tmux.sendKeys("n");
      await tmux.waitForText("search wrapped to the bottom: line5", 5000);
      // Select line5 and line6 (v, j, $) and copy them (y): OSC 52 fills tmux's buffer.
      await tmux.sendKeys(["0", "v", "j", "$", "y"]);
      await tmux.waitForText("copied 11 characters", 5000);
      expect(await tmux.command(["show-buffer"])).toBe("line5\nline6");
      screen = await tmux.waitForScreen((s) => !s.includes("[scroll"), "copy mode left", 5000);
      // The shell never saw any of it.
      await tmux.sendKeys("echo done", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText(/^[$#] echo done\ndone$/m, 10000);
      await quit(tmux, rt);
    } finally {
      await tmux.kill();
    }
  }, 60_000);

  it("enters copy mode with nothing scrolled off yet (q is its key, not the shell's); passes the session's OSC 52 on", async () => {
    const rt = muxRuntime();
    // (-l followed by another option: the shell, and the option taken as such.)
    const tmux = await startMux(rt, ["-l", "--prefix", "C-b"]);
    try {
      // (-l runs the login shell: its prompt may be "#" whatever PS1 said.)
      await tmux.waitForText(/^[$#] ?$/m, 15000);
      await tmux.sendKeys(["C-b", "["]);
      await tmux.waitForText("[scroll 0/0]", 5000);
      await tmux.sendKeys("q");
      await tmux.waitForScreen((s) => !s.includes("[scroll"), "copy mode left", 5000);
      await tmux.sendKeys("echo ok", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText(/^[$#] echo ok\nok$/m, 10000);
      // The session's own OSC 52 reaches the terminal's clipboard.
      await tmux.sendKeys("printf '\\033]52;c;aGVsbG8=\\007'", { literal: true });
      await tmux.sendKeys("Enter");
      const buffer = () => tmux.command(["show-buffer"]).catch(() => "");
      for (let i = 0; i < 100 && (await buffer()) !== "hello"; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(await buffer()).toBe("hello");
      await quit(tmux, rt);
    } finally {
      await tmux.kill();
    }
  }, 60_000);
});

describe("mosh-mux colours in tmux", () => {
  it("draws 256 colours, italic and dim inside tmux, 24-bit with COLORTERM, and the nearest of 8 on screen", async () => {
    const rt = muxRuntime();
    const inTmux = await startMux(rt, ["-l", "sh"], { TERM: "tmux-256color" });
    try {
      await inTmux.waitForText(/^\$ ?$/m, 15000);
      await inTmux.sendKeys(
        "clear; printf '\\033[38;5;208mA\\033[0m \\033[38;2;10;200;30mB\\033[0m \\033[3mC\\033[0m \\033[2mD\\033[0m\\n'",
        { literal: true },
      );
      await inTmux.sendKeys("Enter");
      await inTmux.waitForText(/^A B C D$/m, 10000);
      const escaped = await inTmux.capture({ escapes: true });
      expect(sgrBefore(escaped, "A B C D", "A")).toContain("38;5;208");
      expect(sgrBefore(escaped, "A B C D", "A")).not.toMatch(/\x1b\[3[0-7]m/);
      // 24-bit colour comes out as its nearest of 256 without COLORTERM.
      expect(sgrBefore(escaped, "A B C D", "B")).toContain("38;5;40");
      expect(sgrBefore(escaped, "A B C D", "C")).toMatch(/\x1b\[3m/);
      expect(sgrBefore(escaped, "A B C D", "D")).toMatch(/\x1b\[2m/);
      await inTmux.sendKeys(["C-b", "d"]);
      await inTmux.waitForText(/EXIT=0/, 10000);
    } finally {
      await inTmux.kill();
    }
    const truecolor = await startMux(rt, ["attach"], { TERM: "tmux-256color", COLORTERM: "truecolor" });
    try {
      await truecolor.waitForText(/^A B C D$/m, 15000);
      const escaped = await truecolor.capture({ escapes: true });
      expect(sgrBefore(escaped, "A B C D", "B")).toContain("38;2;10;200;30");
      await truecolor.sendKeys(["C-b", "d"]);
      await truecolor.waitForText(/EXIT=0/, 10000);
    } finally {
      await truecolor.kill();
    }
    // Inside GNU screen (STY, no TMUX) with 8 colours and no italic: the nearest basic colours, dim
    // kept; COLORTERM does not count there (screen passes no 24-bit colour on).
    const screen8 = await startMux(
      rt,
      ["attach"],
      { TERM: "screen", COLORTERM: "truecolor", STY: "1.pts-1.host" },
      { unsetTmux: true },
    );
    try {
      await screen8.waitForText(/^A B C D$/m, 15000);
      const escaped = await screen8.capture({ escapes: true });
      expect(sgrBefore(escaped, "A B C D", "A")).toMatch(/\x1b\[33m/);
      expect(sgrBefore(escaped, "A B C D", "B")).toMatch(/\x1b\[32m/);
      expect(sgrBefore(escaped, "A B C D", "C")).not.toMatch(/\x1b\[3m/);
      expect(sgrBefore(escaped, "A B C D", "D")).toMatch(/\x1b\[2m/);
      await quit(screen8, rt);
    } finally {
      await screen8.kill();
    }
  }, 90_000);
});

describe("mosh-mux borders and status line in tmux", () => {
  it("draws inactive borders in the terminal's colours (the active one green) and lists eight panes on an 80-column status line", async () => {
    const rt = muxRuntime();
    const tmux = await startMux(rt, ["-l", "sh", "-l", "sh", "-l", "sh"]);
    try {
      await tmux.waitForText(/▶1 local:sh.*│ 2 local:sh.*│ 3 local:sh/, 15000);
      const escaped = lines(await tmux.capture({ escapes: true }))[5];
      // Two borders on a content row: pane 1's (focused) green, the other in the default colour.
      const borders = [...escaped.matchAll(/((?:\x1b\[[0-9;]*m)*)│/g)].map((m) => m[1]);
      expect(borders).toHaveLength(2);
      expect(borders[0]).toMatch(/\x1b\[32m/);
      expect(escaped).not.toMatch(/\x1b\[(90|30|38;5;8|38;5;0)m[^\x1b]*│/);
      // Five more panes: the status line shortens entries, every pane is on it.
      for (let i = 0; i < 5; i++) {
        await tmux.sendKeys(["C-b", '"']);
        await tmux.waitForText(new RegExp(`▶${4 + i} local:sh`), 10000);
      }
      const statusOf = (screen: string): string => lines(screen).at(-2) ?? "";
      const status = statusOf(
        await tmux.waitForScreen((s) => /[ │]8[: !…]/.test(statusOf(s)), "pane 8 on the status line", 5000),
      );
      for (let id = 1; id <= 8; id++) expect(status).toMatch(new RegExp(`(^|[ │])${id}([: !…]|$)`));
      await quit(tmux, rt);
    } finally {
      await tmux.kill();
    }
  }, 90_000);
});
