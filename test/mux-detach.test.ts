// mosh-mux detach and attach, driven in tmux: C-b d, attach, the same layout, screens and scrollback, typing after attach, screens that changed while detached, a hang-up as a detach, two clients sharing the view, a script picking up what a person left.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MuxClient } from "../sdk/mux/mux-client.js";
import { type MuxRuntime, muxRuntime, startMuxInTmux } from "./helpers/mux.js";
import { descendants, isAlive } from "./helpers/procs.js";
import type { TmuxSession } from "./helpers/tmux.js";

/** Runs `mosh-mux args` in a fresh tmux (its exit status shows as EXIT=n), with the test's socket directory. */
function startMux(rt: MuxRuntime, args: string[], cols = 100, rows = 30): Promise<TmuxSession> {
  return startMuxInTmux(rt, args, { cols, rows, env: { TERM: "xterm-256color" } });
}

const lines = (screen: string): string[] => screen.split("\n");

/** The content rows of the left pane (columns before the border), without its header and the status line. */
function leftPane(screen: string, border: number): string[] {
  return lines(screen)
    .slice(1, -2)
    .map((l) => [...l].slice(0, border).join("").trimEnd());
}

function borderCol(screen: string): number {
  return [...lines(screen)[1]].indexOf("│");
}

/** Runs `tmux kill-server` on the session's own server: its panes' programs get a hang-up (SIGHUP), as when a terminal window closes. */
function hangUp(tmux: TmuxSession): Promise<void> {
  return new Promise((resolve) => {
    execFile("tmux", ["-L", tmux.socketName, "kill-server"], () => resolve());
  });
}

/** The mosh-mux client process (not the background process) under a tmux pane. */
function clientPid(panePid: number, rt: MuxRuntime): number | undefined {
  const servers = new Set(rt.servers());
  return descendants(panePid).find(
    (p) =>
      !servers.has(p) && isAlive(p) && readFileSync(`/proc/${p}/cmdline`, "latin1").includes("mosh-mux.js"),
  );
}

async function quit(tmux: TmuxSession, rt: MuxRuntime): Promise<void> {
  await tmux.sendKeys(["C-b", "q"]);
  await tmux.waitForText("Quit mosh-mux", 5000);
  await tmux.sendKeys("y");
  const end = await tmux.waitForText(/EXIT=\d+/, 15000);
  expect(end).toMatch(/^\[exited\]\nEXIT=0$/m);
  await rt.waitNoServer();
}

describe("mosh-mux detach and attach", () => {
  it("C-b d detaches; the sessions run on; mosh-mux attaches again to the same layout, screens and scrollback; output made meanwhile shows; typing works", async () => {
    const rt = muxRuntime();
    const a = await startMux(rt, ["--local", "sh", "--local", "sh"]);
    let b: TmuxSession | null = null;
    try {
      await a.waitForText(/^\$ +│\$/m, 15000);
      // Scrollback in the left pane, some state in the right one (a variable, a command waiting for a file).
      await a.sendKeys("for i in $(seq 1 50); do echo sb$i; sleep 0.02; done", { literal: true });
      await a.sendKeys("Enter");
      await a.waitForText(/^sb50 /m, 15000);
      const go = join(rt.dir, "go");
      await a.sendKeys(["C-b", "Right"]);
      await a.waitForText(/│▶2 local:sh/, 5000);
      await a.sendKeys(
        `MARK=$((6*7)); while [ ! -e ${go} ]; do sleep 0.1; done; echo done-while-detached-$MARK`,
        { literal: true },
      );
      await a.sendKeys("Enter");
      const before = await a.waitForText(/│\$ MARK=/, 5000);
      const border = borderCol(before);
      await a.sendKeys(["C-b", "d"]);
      const detached = await a.waitForText(/EXIT=\d+/, 10000);
      expect(detached).toMatch(/^\[detached \(from session default\)\]\nEXIT=0$/m);
      // The background process lives on, with its sessions.
      expect(rt.servers()).toHaveLength(1);
      expect(descendants(rt.servers()[0]).length).toBeGreaterThan(1);

      // While detached, the right pane's command finishes: its screen changes in the background process.
      writeFileSync(go, "");
      const script = await MuxClient.connect({ env: rt.env });
      expect(await script.attachedClients()).toBe(0);
      const p2 = await script.attachPane(2);
      await p2.waitFor("done-while-detached-42", { timeout: 10000 });
      script.close();

      // Attach (with no argument: a running server is attached to, as tmux new -A).
      b = await startMux(rt, []);
      const after = await b.waitForText(/│done-while-detached-42/, 15000);
      expect(after).toMatch(/^ 1 local:sh( \d+ms)? ─+│▶2 local:sh/);
      // The left pane shows what it showed (same size: the terminals are alike).
      expect(borderCol(after)).toBe(border);
      expect(leftPane(after, border)).toEqual(leftPane(before, border));
      // Its scrollback came along: C-b [ and g go to its top, sb1 first.
      await b.sendKeys(["C-b", "Left"]);
      await b.waitForText(/▶1 local:sh/, 5000);
      await b.sendKeys(["C-b", "["]);
      await b.sendKeys("g");
      const top = await b.waitForText(/\[scroll (\d+)\/\1\]/, 5000);
      const nums = lines(top)
        .map((l) => /^sb(\d+) *│/.exec(l)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number);
      expect(nums.length).toBeGreaterThan(10);
      expect(nums).toEqual(nums.map((_, i) => i + 1));
      await b.sendKeys("q");
      // Typing after attach reaches the sessions, with their state (the variable set before detaching).
      await b.sendKeys(["C-b", "Right"]);
      await b.waitForText(/│▶2 local:sh/, 5000);
      await b.sendKeys("echo typed-after-attach-$MARK", { literal: true });
      await b.sendKeys("Enter");
      await b.waitForText(/│typed-after-attach-42/, 10000);
      await quit(b, rt);
    } finally {
      await a.kill();
      await b?.kill();
    }
  }, 120_000);

  it("closing the terminal (a hang-up) is a detach: the client goes, the sessions stay, attach finds them", async () => {
    const rt = muxRuntime();
    const a = await startMux(rt, ["--local", "sh"], 80, 24);
    let b: TmuxSession | null = null;
    try {
      await a.waitForText(/^\$ ?$/m, 15000);
      await a.sendKeys("echo before-hangup-$((6*7))", { literal: true });
      await a.sendKeys("Enter");
      await a.waitForText(/^before-hangup-42$/m, 10000);
      const client = clientPid(await a.panePid(), rt);
      expect(client).toBeDefined();
      const [server] = rt.servers();
      await hangUp(a);
      for (let i = 0; i < 200 && client !== undefined && isAlive(client); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(client !== undefined && isAlive(client)).toBe(false);
      // The background process did not get the hang-up.
      expect(rt.servers()).toEqual([server]);
      const script = await MuxClient.connect({ env: rt.env });
      expect(await script.attachedClients()).toBe(0);
      expect((await script.list()).map((p) => p.state)).toEqual(["live"]);
      script.close();

      b = await startMux(rt, ["attach"], 80, 24);
      await b.waitForText(/^before-hangup-42$/m, 15000);
      await b.sendKeys("echo after-$((6*7))", { literal: true });
      await b.sendKeys("Enter");
      await b.waitForText(/^after-42$/m, 10000);
      await quit(b, rt);
    } finally {
      await a.kill();
      await b?.kill();
    }
  }, 90_000);

  it("while detached the sessions heartbeat: after longer than the stall threshold, attach shows them live, without the lag warning", async () => {
    const rt = muxRuntime();
    const a = await startMux(rt, ["--local", "sh"], 80, 24);
    let b: TmuxSession | null = null;
    try {
      await a.waitForText(/▶1 local:sh \d+ms/, 15000);
      await a.sendKeys(["C-b", "d"]);
      await a.waitForText("[detached (from session default)]", 10000);
      // mosh's lag warning and our stall indicator come after 6.5 s without contact.
      await new Promise((r) => setTimeout(r, 8000));
      b = await startMux(rt, ["attach"], 80, 24);
      const screen = await b.waitForText(/▶1 local:sh \d+ms ─/, 15000);
      expect(screen).toMatch(/ 1:local:sh \d+ms live /);
      expect(screen).not.toContain("Last contact");
      expect(screen).not.toContain("stalled");
      await quit(b, rt);
    } finally {
      await a.kill();
      await b?.kill();
    }
  }, 90_000);

  it("a second client shares the view (tmux-like): same panes and focus, each sees the other's typing; one detaches, the other stays", async () => {
    const rt = muxRuntime();
    const a = await startMux(rt, ["--local", "sh"], 80, 24);
    let b: TmuxSession | null = null;
    try {
      await a.waitForText(/^\$ ?$/m, 15000);
      b = await startMux(rt, ["attach"], 80, 24);
      await b.waitForText(/▶1 local:sh/, 15000);
      await b.sendKeys("echo from-b-$((6*7))", { literal: true });
      await b.sendKeys("Enter");
      await b.waitForText(/^from-b-42$/m, 10000);
      await a.waitForText(/^from-b-42$/m, 10000);
      // A split made in one shows in both.
      await a.sendKeys(["C-b", "%"]);
      await b.waitForText(/│▶2 local:sh/, 10000);
      await b.sendKeys(["C-b", "d"]);
      await b.waitForText(/^\[detached \(from session default\)\]\nEXIT=0$/m, 10000);
      await a.sendKeys(["C-b", "Left"]);
      await a.waitForText(/▶1 local:sh/, 5000);
      await a.sendKeys("echo a-still-$((6*7))", { literal: true });
      await a.sendKeys("Enter");
      await a.waitForText(/^a-still-42 *│/m, 10000);
      await quit(a, rt);
    } finally {
      await a.kill();
      await b?.kill();
    }
  }, 90_000);

  it("a script picks up the session a person left (MuxClient), opens one for them, and the person attaches to both", async () => {
    const rt = muxRuntime();
    const a = await startMux(rt, ["--local", "sh"], 80, 24);
    let b: TmuxSession | null = null;
    try {
      await a.waitForText(/^\$ ?$/m, 15000);
      await a.sendKeys("cd / && LEFT=by-person-$((6*7))", { literal: true });
      await a.sendKeys("Enter");
      await a.sendKeys(["C-b", "d"]);
      await a.waitForText("[detached (from session default)]", 10000);

      const script = await MuxClient.connect({ env: rt.env });
      const [info] = await script.list();
      expect(info).toMatchObject({ id: 1, state: "live", focused: true });
      const p1 = await script.attachPane(1);
      expect((await p1.waitFor("LEFT=by-person")).lines()).toContain("$ cd / && LEFT=by-person-$((6*7))");
      p1.write("echo script-saw-$LEFT\r");
      await p1.waitFor(/^script-saw-by-person-42$/m);
      const id = await script.openPane({ kind: "local", command: ["sh"], label: "from-script" });
      const p2 = await script.attachPane(id);
      await p2.waitFor("$ ", { timeout: 15000 });
      p2.write("echo opened-by-script-$((6*7))\r");
      await p2.waitFor(/^opened-by-script-42$/m);
      script.close();

      b = await startMux(rt, ["attach"], 100, 24);
      const screen = await b.waitForText(/│opened-by-script-42/, 15000);
      expect(screen).toMatch(/^script-saw-by-person-42 *│/m);
      expect(screen).toMatch(/│▶2 from-script/);
      await b.sendKeys("echo person-typed-here", { literal: true });
      await b.sendKeys("Enter");
      await b.waitForText(/│person-typed-here/, 10000);
      await quit(b, rt);
    } finally {
      await a.kill();
      await b?.kill();
    }
  }, 90_000);

  it("a background process that dies while attached: [server exited unexpectedly], status 1, the terminal restored", async () => {
    const rt = muxRuntime();
    const a = await startMux(rt, ["--local", "sh"], 80, 24);
    try {
      await a.waitForText(/^\$ ?$/m, 15000);
      const [server] = rt.servers();
      process.kill(server, "SIGKILL");
      const end = await a.waitForText(/EXIT=\d+/, 10000);
      expect(end).toMatch(/^\[server exited unexpectedly\]\nEXIT=1$/m);
      expect(await a.format("#{alternate_on}#{cursor_flag}#{mouse_any_flag}")).toBe("010");
    } finally {
      await a.kill();
    }
  }, 60_000);
});
