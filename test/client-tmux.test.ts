// mosh-ts-client in tmux against the real mosh-server, side by side with the real mosh-client.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startRealMoshServer } from "./helpers/mosh-server.js";
import { reportingExit, startTmux } from "./helpers/tmux.js";

const client = join(import.meta.dirname, "..", "dist", "bin", "mosh-ts-client.js");
/** Commands typed one at a time, each with what shows that it has finished. */
const commands: Array<[string, RegExp]> = [
  ["echo hello-$((6*7))", /^hello-42\n\$ ?$/m],
  [
    "printf '\\033[1;31mred\\033[0m \\033[38;5;208morange\\033[0m \\033[38;2;1;2;3mtc\\033[0m \\344\\270\\255\\346\\226\\207\\n'",
    /^red orange tc 中文\n\$ ?$/m,
  ],
  ["seq 1 12", /^12\n\$ ?$/m],
  ["printf 'done\\n'", /^done\n\$ ?$/m],
];

async function runIn(program: "real" | "ours") {
  const server = await startRealMoshServer({});
  const cmd =
    program === "real"
      ? ["mosh-client", "127.0.0.1", String(server.port)]
      : [process.execPath, client, "127.0.0.1", String(server.port)];
  const tmux = await startTmux({
    cols: 80,
    rows: 24,
    command: reportingExit([...cmd]),
    env: { MOSH_KEY: server.key, TERM: "xterm-256color" },
  });
  return { server, tmux };
}

describe("mosh-ts-client in tmux", () => {
  it("shows the same screen as the real mosh-client, and Ctrl-^ . exits restoring the terminal", async () => {
    const screens: Record<string, { plain: string; escaped: string }> = {};
    for (const program of ["real", "ours"] as const) {
      const { server, tmux } = await runIn(program);
      try {
        await tmux.waitForText(/^\$ ?$/m, 15000);
        for (const [c, done] of commands) {
          await tmux.sendKeys(c, { literal: true });
          await tmux.sendKeys("Enter");
          await tmux.waitForText(done, 15000);
        }
        screens[program] = { plain: await tmux.capture(), escaped: await tmux.capture({ escapes: true }) };
        await tmux.sendBytes("\x1e.");
        const after = await tmux.waitForText(/EXIT=\d+/, 15000);
        expect(after).toContain("[mosh is exiting.]");
        expect(after).toMatch(/EXIT=0/);
        expect(await tmux.format("#{alternate_on}#{keypad_cursor_flag}#{cursor_flag}")).toBe("001");
      } finally {
        await tmux.kill();
        await server.stop();
      }
    }
    expect(screens.ours.plain).toMatch(/^red orange tc 中文$/m);
    expect(screens.ours.plain).toBe(screens.real.plain);
    expect(screens.ours.escaped).toBe(screens.real.escaped);
  });

  it("mosh-client's command-line errors", async () => {
    const { spawnSync } = await import("node:child_process");
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [client, ...args], {
        env: { ...process.env, LANG: "C.UTF-8", ...env },
        encoding: "utf8",
      });
    const noKey = run(["127.0.0.1", "60001"], { MOSH_KEY: undefined });
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toBe("MOSH_KEY environment variable not found.\n");
    const badPort = run(["127.0.0.1", "abc"], { MOSH_KEY: "AAAAAAAAAAAAAAAAAAAAAA" });
    expect(badPort.status).toBe(1);
    expect(badPort.stderr).toMatch(/^mosh-ts-client: Bad UDP port \(abc\)\n/);
    const help = run(["--help"], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: mosh-ts-client [-# 'ARGS'] IP PORT");
    expect(run(["-c"], { TERM: "xterm-256color" }).stdout).toBe("256\n");
  });

  it("a malformed MOSH_KEY gives mosh-client's crypto exception and exit status 1", async () => {
    for (const [key, text] of [
      ["abc", "Key must be 22 letters long."],
      ["AAAAAAAAAAAAAAAAAAAA!A", "Key must be well-formed base64."],
      ["AAAAAAAAAAAAAAAAAAAAAB", "Base64 key was not encoded 128-bit key."],
    ]) {
      const tmux = await startTmux({
        cols: 80,
        rows: 24,
        command: reportingExit([process.execPath, client, "127.0.0.1", "1"], { mergeStderr: true }),
        env: { MOSH_KEY: key, TERM: "xterm-256color" },
      });
      try {
        const screen = await tmux.waitForText(/EXIT=\d+/, 15000);
        expect(screen).toContain(`Crypto exception: ${text}`);
        expect(screen).toContain("[mosh is exiting.]");
        expect(screen).toContain("EXIT=1");
      } finally {
        await tmux.kill();
      }
    }
  });

  it("follows a window resize, and a SIGTERM still restores the terminal", async () => {
    const { server, tmux } = await runIn("ours");
    try {
      await tmux.waitForText(/^\$ ?$/m, 15000);
      await tmux.resize(100, 30);
      // The window change (SIGWINCH) and the keys typed after it reach the client by different
      // paths, so the first `stty size` may run before the server has the new size: ask again
      // until it does (the resize must arrive, whatever the order).
      let seen = false;
      for (let i = 0; i < 10 && !seen; i++) {
        await tmux.sendKeys("stty size", { literal: true });
        await tmux.sendKeys("Enter");
        seen = await tmux.waitForText(/^30 100$/m, 1500).then(
          () => true,
          () => false,
        );
      }
      expect(seen).toBe(true);
      const clientPid = Number(
        execFileSync("pgrep", ["-f", "-P", String(await tmux.panePid()), "mosh-ts-client"], {
          encoding: "utf8",
        }).trim(),
      );
      process.kill(clientPid, "SIGTERM");
      const after = await tmux.waitForText(/EXIT=\d+/, 15000);
      expect(after).toContain("[mosh is exiting.]");
      expect(after).toContain("EXIT=0");
      expect(await tmux.format("#{alternate_on}#{keypad_cursor_flag}#{cursor_flag}")).toBe("001");
    } finally {
      await tmux.kill();
      await server.stop();
    }
  });
});
