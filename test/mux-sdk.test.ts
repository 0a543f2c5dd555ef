// mosh-mux's background process without a terminal: `new -d`, `ls`, `kill-server`, `-L`, and the SDK's MuxClient (list, follow a pane, type, open panes, refusals).
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MuxConnection } from "../sdk/mux/connection.js";
import { MuxClient, type MuxPane } from "../sdk/mux/mux-client.js";
import { MOSH_MUX, type MuxRuntime, muxRuntime } from "./helpers/mux.js";
import { descendants, isAlive } from "./helpers/procs.js";

/** Runs the mosh-mux command line; resolves with its exit status and output. */
function run(
  rt: MuxRuntime,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MOSH_MUX, ...args],
      {
        env: {
          ...process.env,
          ...rt.env,
          PS1: "$ ",
          SHELL: "/bin/sh",
          XDG_CONFIG_HOME: "/nonexistent",
          ...env,
        },
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        const status = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

describe("mosh-mux commands without a terminal", () => {
  it("new -d starts a background process; ls lists its panes; new refuses a second; -L is another one; kill-server ends it", async () => {
    const rt = muxRuntime();
    const socket = rt.socket();
    expect(await run(rt, ["ls"])).toEqual({
      status: 1,
      stdout: "",
      stderr: `mosh-mux: no server running on ${socket}\n`,
    });
    expect((await run(rt, ["attach"])).stderr).toMatch(/^mosh-mux: needs a terminal/);

    const started = await run(rt, ["new", "-d", "--local", "sh", "--local", "cat"]);
    expect(started).toEqual({ status: 0, stdout: "", stderr: "" });
    const [pid] = rt.servers();
    expect(rt.servers()).toHaveLength(1);
    // In a session of its own (a terminal's hang-up never reaches it).
    expect(sessionOf(pid)).toBe(pid);

    const ls = await run(rt, ["ls"]);
    expect(ls.status).toBe(0);
    const lines = ls.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^default: 2 panes \(created .+\)$/);
    expect(lines[1]).toMatch(/^ {2}1: local:sh \[\d+x\d+\] (connecting|live( \d+ms)?) \(active\)$/);
    expect(lines[2]).toMatch(/^ {2}2: local:cat \[\d+x\d+\] (connecting|live( \d+ms)?)$/);

    const again = await run(rt, ["new", "-d"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(
      `mosh-mux: a server is already running on ${socket} (mosh-mux attach, or -L NAME)\n`,
    );
    expect(rt.servers()).toEqual([pid]);

    // Another socket name is another background process.
    expect((await run(rt, ["-L", "work", "ls"])).stderr).toBe(
      `mosh-mux: no server running on ${rt.socket("work")}\n`,
    );
    expect((await run(rt, ["new", "-d", "-L", "work", "--local", "sh"])).status).toBe(0);
    expect(rt.servers()).toHaveLength(2);
    expect((await run(rt, ["ls", "-L", "work"])).stdout).toMatch(/^work: 1 pane /);

    // kill-server ends that one and its sessions; the other goes on.
    const work = rt.servers().find((p) => p !== pid) ?? 0;
    const workChildren = descendants(work);
    expect(workChildren.length).toBeGreaterThan(0);
    expect(await run(rt, ["-L", "work", "kill-server"])).toEqual({ status: 0, stdout: "", stderr: "" });
    await waitGone(work);
    for (const c of workChildren) await waitGone(c);
    expect(rt.servers()).toEqual([pid]);
    expect((await run(rt, ["kill-server"])).status).toBe(0);
    await rt.waitNoServer();
    expect((await run(rt, ["kill-server"])).stderr).toBe(`mosh-mux: no server running on ${socket}\n`);
  });

  it("refuses a socket directory others can reach, and a bad socket name", async () => {
    const rt = muxRuntime();
    mkdirSync(join(rt.dir, "mosh-mux"), { mode: 0o700 });
    chmodSync(join(rt.dir, "mosh-mux"), 0o755);
    const r = await run(rt, ["new", "-d"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `mosh-mux: ${rt.dir}/mosh-mux has permissions 0755: other users could reach mosh-mux's socket there, so it is refused (chmod 700 ${rt.dir}/mosh-mux makes it private)\n`,
    );
    expect(rt.servers()).toEqual([]);
    expect((await run(rt, ["ls"])).stderr).toMatch(/has permissions 0755/);
    await expect(MuxClient.connect({ env: rt.env })).rejects.toMatchObject({ code: "unsafe-socket" });
    expect((await run(rt, ["-L", "a/b", "ls"])).stderr).toBe(
      'mosh-mux: bad socket name "a/b": it must not be empty or contain "/"\n',
    );
  });
});

/** The session id of a process (from /proc). */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
}

/** Waits until a followed pane's session is live. */
async function waitLive(pane: MuxPane): Promise<void> {
  if (pane.info.state === "live") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pane ${pane.id} not live: ${pane.info.state}`)), 15000);
    pane.on("info", (info) => {
      if (info.state !== "live") return;
      clearTimeout(timer);
      resolve();
    });
  });
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  expect(isAlive(pid)).toBe(false);
}

describe("the background process's robustness", () => {
  it("answers garbage and other protocol versions with an error and goes on serving", async () => {
    const rt = muxRuntime();
    expect((await run(rt, ["new", "-d", "--local", "cat"])).status).toBe(0);
    const talk = (text: string): Promise<string> =>
      new Promise((resolve) => {
        let got = "";
        const s = createConnection(rt.socket(), () => s.write(text));
        s.setEncoding("utf8");
        s.on("data", (d: string) => {
          got += d;
        });
        s.on("close", () => resolve(got));
        s.on("error", () => undefined);
      });
    expect(JSON.parse(await talk("not json\n"))).toEqual({
      t: "error",
      code: "protocol",
      message: "a line that is not JSON",
    });
    expect(JSON.parse(await talk('{"t":"list","id":1}\n'))).toMatchObject({
      t: "error",
      message: "hello first",
    });
    expect(JSON.parse(await talk('{"t":"hello","v":99,"version":"9.9.9"}\n'))).toMatchObject({
      t: "error",
      code: "version",
      message: expect.stringMatching(/the client 9\.9\.9 \(protocol 99\): kill-server and start again$/),
    });
    const replies = (
      await talk(
        [
          JSON.stringify({ t: "hello", v: 1, version: "x" }),
          JSON.stringify({ t: "watch", id: 2, pane: "one" }),
          JSON.stringify({ t: "command", id: 3, name: "explode" }),
          JSON.stringify({ t: "input", pane: 1 }),
          JSON.stringify({ t: "open", id: 4, sources: [] }),
          JSON.stringify({ t: "nonsense" }),
          "",
        ].join("\n"),
      )
    )
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(replies.map((r) => [r.t, r.id, r.message])).toEqual([
      ["welcome", undefined, undefined],
      ["error", 2, "no pane one"],
      ["error", 3, "unknown command explode"],
      ["error", undefined, "input needs data"],
      ["error", 4, "open needs sources"],
      ["error", undefined, "unknown message nonsense"],
    ]);
    // Still serving.
    const mux = await MuxClient.connect({ env: rt.env });
    expect((await mux.list()).map((p) => p.label)).toEqual(["local:cat"]);
    await mux.killServer();
    mux.close();
    await rt.waitNoServer();
  });

  it("a server killed outright leaves its socket: ls says none runs, a new one takes its place", async () => {
    const rt = muxRuntime();
    expect((await run(rt, ["new", "-d", "--local", "cat"])).status).toBe(0);
    const [pid] = rt.servers();
    process.kill(pid, "SIGKILL");
    await waitGone(pid);
    expect((await run(rt, ["ls"])).stderr).toBe(`mosh-mux: no server running on ${rt.socket()}\n`);
    expect((await run(rt, ["new", "-d", "--local", "cat"])).status).toBe(0);
    expect((await run(rt, ["ls"])).stdout).toMatch(/^default: 1 pane /);
    expect((await run(rt, ["kill-server"])).status).toBe(0);
    await rt.waitNoServer();
  });

  it("refuses to attach from inside one of its own panes (nesting), as tmux does", async () => {
    const rt = muxRuntime();
    const r = await run(rt, ["attach"], { MOSH_MUX: rt.socket() });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "mosh-mux: sessions should be nested with care, unset $MOSH_MUX to force (or use -L NAME for another server)\n",
    );
  });
});

describe("MuxClient (the SDK face of the background process)", () => {
  it("lists panes, follows one's screen, types into it, opens and closes panes; a second client sees the same", async () => {
    const rt = muxRuntime();
    await expect(MuxClient.connect({ env: rt.env })).rejects.toMatchObject({
      code: "no-server",
      message: `no server running on ${rt.socket()}`,
    });
    expect((await run(rt, ["new", "-d", "--local", "sh"])).status).toBe(0);
    const a = await MuxClient.connect({ env: rt.env });
    try {
      expect(a.name).toBe("default");
      expect(rt.servers()).toEqual([a.serverPid]);
      const [p1] = await a.list();
      expect(p1).toMatchObject({
        id: 1,
        label: "local:sh",
        focused: true,
        source: { kind: "local", command: ["sh"] },
      });
      const pane = await a.attachPane(1);
      await pane.waitFor("$ ", { timeout: 15000 });
      pane.write("echo sdk-$((6*7))\r");
      const screen = await pane.waitFor(/^sdk-42$/m);
      expect(screen.lines()).toContain("sdk-42");
      expect(pane.info.state).toBe("live");

      // A second client follows the same pane and sees what the first typed.
      const b = await MuxClient.connect({ env: rt.env });
      const same = await b.attachPane(1);
      expect(same.screen().lines()).toContain("sdk-42");
      same.write("echo from-b\r");
      await pane.waitFor(/^from-b$/m);
      b.close();

      // A pane opened by a script, for a person to attach to later.
      const id = await a.openPane({ kind: "local", command: ["cat"] });
      expect(id).toBe(2);
      const cat = await a.attachPane(id);
      await waitLive(cat);
      cat.write("meow\r");
      await cat.waitFor(/^meow\nmeow$/m);
      expect((await a.list()).map((p) => p.id)).toEqual([1, 2]);

      // Scrollback as text. (While no TUI is attached every pane takes at most ten screens a
      // second, and rows that scroll by between two are not seen: a pause every five rows.)
      pane.write("for i in $(seq 1 40); do echo row$i; case $i in *0|*5) sleep 0.1;; esac; done\r");
      await pane.waitFor(/^row40$/m);
      const sb = await a.scrollback(1);
      const rows = sb.filter((l) => /^row\d+$/.test(l));
      expect(rows.length).toBeGreaterThan(10);
      expect(rows).toEqual(rows.map((_, i) => `row${i + 1}`));

      const closed = new Promise<void>((r) => cat.once("close", () => r()));
      await a.closePane(2);
      await closed;
      await expect(a.attachPane(2)).rejects.toMatchObject({ code: "refused", message: "no pane 2" });
      expect(() => cat.write("x")).toThrow(/closed/);

      // Detaching a pane and closing the client leave the session running.
      pane.detach();
      a.close();
      const c = await MuxClient.connect({ env: rt.env });
      expect((await c.list()).map((p) => p.state)).toEqual(["live"]);
      const exit = new Promise<string>((r) => c.once("exit", r));
      await c.killServer();
      expect(await exit).toBe("killed");
      await rt.waitNoServer();
    } finally {
      a.close();
    }
  });

  it("while no client is attached, a session whose link goes down stalls, hops to a new port, and comes back (roaming)", async () => {
    const rt = muxRuntime();
    expect((await run(rt, ["new", "-d", "--local", "sh"])).status).toBe(0);
    // A pane behind a link that is up 4 s, down 11 s (longer than the 10 s after which a mosh
    // client hops to a new port), up 4 s..., opened as --demo opens its flaky pane.
    const conn = await MuxConnection.open(rt.socket());
    const reply = await conn.request({
      t: "open",
      sources: [
        { kind: "local", command: ["sh"], label: "flaky link", link: { toServer: {}, toClient: {} } },
      ],
      flap: { upMs: 4000, downMs: 11_000 },
    });
    conn.close();
    const id = reply.ids?.[0] ?? 0;
    const mux = await MuxClient.connect({ env: rt.env });
    try {
      expect(await mux.attachedClients()).toBe(0);
      const pane = await mux.attachPane(id);
      await waitLive(pane);
      const states: string[] = [];
      const roamed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no roam and resume: ${states.join(" ")}`)), 40_000);
        pane.on("info", (info) => {
          if (states.at(-1) !== info.state) states.push(info.state);
          if (info.state === "live" && info.roams > 0 && states.includes("stalled")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await roamed;
      pane.write("echo back-$((6*7))\r");
      await pane.waitFor(/^back-42$/m);
    } finally {
      await mux.killServer();
      mux.close();
    }
  }, 60_000);
});
