// mosh-mux's command line without a terminal: -l with and without a command, bad prefix keys, through `new -d` and `ls`.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MOSH_MUX, type MuxRuntime, muxRuntime } from "./helpers/mux.js";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs mosh-mux with the test's socket directory and no config file; stdin is not a terminal. */
function run(rt: MuxRuntime, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MOSH_MUX, ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          SHELL: "/bin/sh",
          XDG_CONFIG_HOME: "/nonexistent",
          ...rt.env,
          ...env,
        },
        encoding: "utf8",
        timeout: 20_000,
      },
      (err, stdout, stderr) => {
        const status = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/** The pane lines of `mosh-mux -L name ls` ("1: local [80x24] ..."), as "id label". */
async function panes(rt: MuxRuntime, name: string): Promise<string[]> {
  const ls = await run(rt, ["-L", name, "ls"]);
  expect(ls.stderr).toBe("");
  return ls.stdout
    .split("\n")
    .flatMap((l) => /^ {2}(\d+): (.+?) \[\d+x\d+\]/.exec(l)?.slice(1, 3).join(" ") ?? []);
}

async function killServer(rt: MuxRuntime, name: string): Promise<void> {
  expect((await run(rt, ["-L", name, "kill-server"])).status).toBe(0);
}

describe("mosh-mux command line", () => {
  it("takes -l with no command as a local pane running the shell (-l, -l -l, -l --prefix C-a, -l CMD -l)", async () => {
    const rt = muxRuntime();
    const cases: Array<[string[], string[]]> = [
      [["-l"], ["1 local"]],
      [
        ["-l", "-l"],
        ["1 local", "2 local"],
      ],
      [["-l", "--prefix", "C-a"], ["1 local"]],
      [
        ["-l", "cat -v", "-l"],
        ["1 local:cat -v", "2 local"],
      ],
      [["--local"], ["1 local"]],
    ];
    // One background process per case (-L), started side by side.
    await Promise.all(
      cases.map(async ([args, want], i) => {
        const r = await run(rt, ["-L", `c${i}`, "new", "-d", ...args]);
        expect({ args, ...r }).toEqual({ args, status: 0, stdout: "", stderr: "" });
        expect(await panes(rt, `c${i}`)).toEqual(want);
        await killServer(rt, `c${i}`);
      }),
    );
    await rt.waitNoServer();
  }, 60_000);

  it("refuses a prefix or binding that names no key, with the reason, before starting anything", async () => {
    const rt = muxRuntime();
    for (const args of [
      ["--prefix", "bogus"],
      ["new", "-d", "--prefix", "bogus"],
      ["attach", "--prefix", "C-"],
    ]) {
      const r = await run(rt, args);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /^mosh-mux: --prefix: "C?-?(bogus)?" is not a key name \(e\.g\. C-a, C-Space, M-a, F12, `\)\n$/,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), "mosh-mux-cfg-"));
    try {
      const cfg = join(dir, "config.json");
      writeFileSync(cfg, JSON.stringify({ prefix: "Ctrl-a" }));
      let r = await run(rt, ["new", "-d", "--config", cfg]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `mosh-mux: ${cfg}: prefix: "Ctrl-a" is not a key name (e.g. C-a, C-Space, M-a, F12, \`)\n`,
      );
      writeFileSync(cfg, JSON.stringify({ bindings: { "C-bogus": "zoom" } }));
      r = await run(rt, ["new", "-d", "--config", cfg]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `mosh-mux: ${cfg}: bindings: "C-bogus" is not a key name (e.g. C-a, C-Space, M-a, F12, \`)\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Nothing was started.
    expect(rt.servers()).toEqual([]);
    // A good name in tmux's other spelling is taken (the rest: key-input.test.ts).
    const r = await run(rt, ["new", "-d", "-l", "--prefix", "^A"]);
    expect(r).toEqual({ status: 0, stdout: "", stderr: "" });
    await killServer(rt, "default");
    await rt.waitNoServer();
  }, 60_000);
});
