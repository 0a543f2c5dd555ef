// Debian's real mosh-client in tmux against mosh-ts-server, screen for screen against the real mosh-server.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startRealMoshServer } from "./helpers/mosh-server.js";
import { killTree, onCleanup } from "./helpers/procs.js";
import { reportingExit, startTmux, type TmuxSession } from "./helpers/tmux.js";
import { startTsServer, TS_SERVER } from "./helpers/ts-server.js";

const dir = mkdtempSync(join(tmpdir(), "mosh-ts-server-"));
const file = join(dir, "notes.txt");
writeFileSync(
  file,
  `line one\nline two\n\tindented line\nwide 中文 and emoji 🎉 and e\u0301\n${Array.from({ length: 80 }, (_, i) => `row ${i + 5} ${"=".repeat(i % 70)}`).join("\n")}\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Commands typed one at a time, each with what shows that it has finished. */
const commands: Array<[string, RegExp]> = [
  ["echo hello-$((6*7))", /^hello-42\n\$ ?$/m],
  [
    "printf '\\033[1;31mred\\033[0m \\033[4;38;5;208morange\\033[0m \\033[7;38;2;1;2;3mtc\\033[0m \\033[44mbg\\033[0m\\n'",
    /^red orange tc bg\n\$ ?$/m,
  ],
  [
    "printf '\\344\\270\\255\\346\\226\\207 \\360\\237\\216\\211 e\\314\\201 done\\n'",
    /e\u0301 done\n\$ ?$/m,
  ],
  ["printf '\\033]0;a title\\007'; seq 1 30", /^30\n\$ ?$/m],
];

/** The real mosh-client in tmux; after it exits the pane shows its last words and EXIT=<status>. */
async function client(port: number, key: string): Promise<TmuxSession> {
  return startTmux({
    cols: 80,
    rows: 24,
    command: reportingExit(["mosh-client", "127.0.0.1", String(port)]),
    env: { MOSH_KEY: key, MOSH_PREDICTION_DISPLAY: "never", TERM: "xterm-256color" },
  });
}

async function type(tmux: TmuxSession, text: string): Promise<void> {
  await tmux.sendKeys(text, { literal: true });
  await tmux.sendKeys("Enter");
}

/** Polls until two captures in a row agree (the client draws at its frame rate). */
async function stableCapture(tmux: TmuxSession): Promise<string> {
  let last = await tmux.capture({ escapes: true });
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await tmux.capture({ escapes: true });
    if (now === last) return now;
    last = now;
  }
  return last;
}

describe("the real mosh-client against mosh-ts-server", () => {
  it("draws what it draws with the real mosh-server: text, colours, CJK, emoji, combining, scrolling, resize, a full-screen editor; exit ends it cleanly", async () => {
    const screens: Record<string, string[]> = {};
    for (const which of ["real", "ours"] as const) {
      const server = which === "real" ? await startRealMoshServer({}) : await startTsServer();
      const tmux = await client(server.port, server.key);
      const shots: string[] = [];
      try {
        await tmux.waitForText(/^\$ ?$/m, 15000);
        for (const [c, done] of commands) {
          await type(tmux, c);
          await tmux.waitForText(done, 15000);
        }
        shots.push(await stableCapture(tmux));
        await tmux.resize(100, 30);
        await type(tmux, "stty size");
        await tmux.waitForText(/^30 100\n\$ ?$/m, 15000);
        shots.push(await stableCapture(tmux));
        await type(tmux, `vi -u NONE -i NONE -n ${file}`);
        await tmux.waitForText(/notes\.txt/, 15000);
        shots.push(await stableCapture(tmux));
        // Scrolling in the editor: line by line (Ctrl-E) and by pages (Ctrl-F).
        await tmux.sendBytes("\x05\x05\x05");
        // Three lines scrolled off: the fourth line is at the top (waiting for the lines still on
        // screen before the scroll would pass at once, or never once the echo is fast).
        await tmux.waitForText(/^wide 中文/, 15000);
        shots.push(await stableCapture(tmux));
        await tmux.sendBytes("\x06");
        await tmux.waitForText(/^row 3\d /m, 15000);
        shots.push(await stableCapture(tmux));
        await type(tmux, ":q!");
        await tmux.waitForText(/^\$ ?$/m, 15000);
        // A pager, scrolled: it repaints the whole screen, so the comparison holds even though the
        // editor's alternate screen left the two runs' normal screens different.
        await type(tmux, "seq 1 200 | less");
        await tmux.waitForText(/^23$/m, 15000);
        await tmux.sendKeys(["Space", "j", "j"]);
        await tmux.waitForText(/^60$/m, 15000);
        shots.push(await stableCapture(tmux));
        await tmux.sendKeys("q");
        await type(tmux, "exit");
        const after = await tmux.waitForText(/EXIT=\d+/, 15000);
        expect(after, which).toContain("[mosh is exiting.]");
        expect(after, which).toMatch(/EXIT=0/);
        screens[which] = shots;
      } finally {
        await tmux.kill();
        await server.stop();
      }
    }
    expect(screens.ours[0]).toMatch(/^30$/m);
    expect(screens.ours[1]).toMatch(/^30 100$/m);
    expect(screens.ours[2]).toContain("indented line");
    expect(screens.ours).toHaveLength(6);
    for (let i = 0; i < screens.real.length; i++)
      expect(screens.ours[i], `screen ${i}`).toBe(screens.real[i]);
  });
});

/** Live mosh-ts-server session processes whose environment carries `MOSH_TS_TEST_TAG=tag` (those this test's wrapper started). */
function taggedPids(tag: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      if (stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z") continue;
      if (!readFileSync(`/proc/${name}/cmdline`, "latin1").includes("--session-daemon")) continue;
      if (readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(`MOSH_TS_TEST_TAG=${tag}`))
        out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

describe("Debian's mosh wrapper with mosh-ts-server", () => {
  it("mosh --local --server=mosh-ts-server starts a login shell, runs commands and exits with status 0", async () => {
    const tag = randomBytes(8).toString("hex");
    // The wrapper's server detaches out of our process tree: find it by a tag in its environment.
    onCleanup(async () => {
      for (const pid of taggedPids(tag)) await killTree(pid);
    });
    const tmux = await startTmux({
      command: reportingExit([
        "mosh",
        `--server=${process.execPath} ${TS_SERVER}`,
        "--local",
        "--bind-server=127.0.0.1",
        "--predict=never",
        "127.0.0.1",
      ]),
      env: {
        PS1: "$ ",
        SHELL: "/bin/sh",
        TERM: "xterm-256color",
        MOSH_TS_TEST_TAG: tag,
        MOSH_SERVER_NETWORK_TMOUT: "60",
      },
    });
    try {
      // A login shell: root's profile may set its own prompt.
      await tmux.waitForText(/^[#$] ?$/m, 15000);
      expect(taggedPids(tag).length).toBeGreaterThan(0);
      await type(tmux, "echo wrapped-$((40+2)) $TERM");
      await tmux.waitForText(/^wrapped-42 xterm-256color$/m, 15000);
      await type(tmux, "exit");
      const after = await tmux.waitForText(/EXIT=\d+/, 15000);
      expect(after).toContain("[mosh is exiting.]");
      expect(after).toMatch(/EXIT=0/);
      // The session process is gone once the session ended.
      for (let i = 0; i < 50 && taggedPids(tag).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(taggedPids(tag)).toEqual([]);
    } finally {
      await tmux.kill();
    }
  });
});
