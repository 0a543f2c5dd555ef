// Smoke tests of the integration-test helpers: process registry, tmux driver, real mosh-server and mosh-client.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startRealMoshServer } from "./helpers/mosh-server.js";
import { descendants, isAlive, killTree, spawnTracked, trackedPids } from "./helpers/procs.js";
import { startRealMoshClient } from "./helpers/real-mosh-client.js";
import { startTmux } from "./helpers/tmux.js";

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every process whose command line contains `needle`. */
function cmdlinesContaining(needle: string): number[] {
  const hits: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(needle)) hits.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return hits;
}

describe("procs registry", () => {
  let leftover = 0;

  it("tracks a spawned process (killed by afterEach below)", () => {
    const child = spawnTracked("sleep", ["1000"], { stdio: "ignore" });
    leftover = child.pid ?? 0;
    expect(leftover).toBeGreaterThan(0);
    expect(trackedPids()).toContain(leftover);
    expect(isAlive(leftover)).toBe(true);
  });

  it("afterEach killed the previous test's process", async () => {
    // The test above ran first and left a live process (without one, pid 0 would count as killed).
    expect(leftover).toBeGreaterThan(0);
    await until(() => !isAlive(leftover));
    expect(trackedPids()).not.toContain(leftover);
  });

  it("killTree kills a whole tree, with SIGKILL for a parent that ignores SIGTERM", async () => {
    const child = spawnTracked("/bin/sh", ["-c", "trap '' TERM; sleep 1000 & sleep 1000 & wait"], {
      stdio: "ignore",
      detached: true,
    });
    const pid = child.pid ?? 0;
    await until(() => descendants(pid).length === 2);
    const kids = descendants(pid);
    await killTree(pid, { graceMs: 200 });
    expect([pid, ...kids].filter(isAlive)).toEqual([]);
  });
});

describe("tmux driver", () => {
  it("runs a program, types, reads the screen, resizes, passes env, and sees it exit", async () => {
    const t = await startTmux({
      cols: 60,
      rows: 12,
      command: ["/bin/sh"],
      env: { PS1: "$ ", HELPER_SECRET: "not-on-any-cmdline-4711" },
    });
    expect(cmdlinesContaining("not-on-any-cmdline-4711")).toEqual([]);
    await t.waitForText(/^\$ ?$/m);
    await t.sendKeys("echo $HELPER_SECRET; stty size", { literal: true });
    await t.sendKeys("Enter");
    await t.waitForText("12 60");
    expect(await t.capture()).toContain("not-on-any-cmdline-4711");
    await t.resize(70, 15);
    await t.sendKeys(["stty size", "Enter"]);
    await t.waitForText("15 70");
    const shellPid = await t.panePid();
    expect(isAlive(shellPid)).toBe(true);
    await t.sendKeys(["printf '\\033[1mB\\033[0m\\n'", "Enter"]);
    expect(await t.waitForText(/^B$/m)).toBeTruthy();
    expect(await t.capture({ escapes: true })).toContain("\x1b[1mB");
    await t.sendKeys(["exit 3", "Enter"]);
    expect(await t.waitForExit()).toBe(3);
    expect(await t.isDead()).toBe(true);
    const serverPid = t.serverPid;
    await t.kill();
    expect(isAlive(serverPid)).toBe(false);
    expect(isAlive(shellPid)).toBe(false);
  });

  it("waitForText rejects with the screen when the text never comes", async () => {
    const t = await startTmux({ cols: 40, rows: 5, command: ["/bin/sh", "-c", "echo ready; sleep 1000"] });
    await t.waitForText("ready");
    await expect(t.waitForText("never-shown", 200)).rejects.toThrow(/never-shown[\s\S]*ready/);
  });
});

describe("real mosh-server and mosh-client", () => {
  it("a real client talks to a real server in tmux, quits with Ctrl-^ ., and nothing is left", async () => {
    const server = await startRealMoshServer();
    expect(server.port).toBeGreaterThan(0);
    expect(server.key).toMatch(/^[A-Za-z0-9/+]{22}$/);
    expect(isAlive(server.pid)).toBe(true);

    const client = await startRealMoshClient({ port: server.port, key: server.key, cols: 80, rows: 24 });
    const clientPid = await client.panePid();
    await client.waitForText(/^\$ ?$/m);
    // the key is on no process's command line
    expect(cmdlinesContaining(server.key)).toEqual([]);
    const shells = descendants(server.pid);
    expect(shells.length).toBeGreaterThan(0);

    await client.sendKeys("echo hello-$((6*7))", { literal: true });
    await client.sendKeys("Enter");
    await client.waitForText("hello-42");

    await client.quit();
    await client.waitForExit();
    expect(isAlive(clientPid)).toBe(false);
    // mosh-server ends its session when the client shuts down
    await until(() => !isAlive(server.pid));

    const tmuxPid = client.serverPid;
    await client.kill();
    await server.stop();
    expect([server.pid, ...shells, clientPid, tmuxPid].filter(isAlive)).toEqual([]);
  });
});
