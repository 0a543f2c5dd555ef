// MoshSession against Debian's real mosh-server on loopback: rendering, resize, exit, lossy links, roaming, bad input.
import { createSocket } from "node:dgram";
import { join } from "node:path";
import * as pty from "node-pty";
import { afterAll, describe, expect, it } from "vitest";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { LinkEmulator } from "../sdk/linkem/link-emulator.js";
import { Emulator } from "../sdk/terminal/emulator.js";
import type { Frame } from "../sdk/terminal/frame.js";
import { frameDifferences } from "./helpers/frames.js";
import { startRealMoshServer } from "./helpers/mosh-server.js";

const showcase = join(import.meta.dirname, "fixtures", "showcase.sh");
const sessions: MoshSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
});

function track(s: MoshSession): MoshSession {
  sessions.push(s);
  return s;
}

/** Renders the showcase script's raw pty output with @xterm/headless directly. */
async function referenceFrame(cols: number, rows: number): Promise<Frame> {
  const chunks: string[] = [];
  const p = pty.spawn("/bin/sh", ["-c", `sh ${showcase}; exec sleep 60`], {
    cols,
    rows,
    env: { ...process.env, LANG: "C.UTF-8", TERM: "xterm" },
  });
  // The title is the last thing the script prints; node-pty may drop output after exit, so
  // keep the program alive until it has arrived.
  await new Promise<void>((resolve) =>
    p.onData((d) => {
      chunks.push(d);
      if (chunks.join("").includes("showcase-title\x07")) resolve();
    }),
  );
  p.kill("SIGKILL");
  const emu = new Emulator(cols, rows);
  await emu.write(chunks.join(""));
  const frame = emu.snapshot();
  emu.dispose();
  return frame;
}

describe("MoshSession with the real mosh-server", () => {
  it("renders colours, attributes, CJK, emoji, combining, scrolling and the alternate screen cell for cell", async () => {
    const server = await startRealMoshServer({
      command: ["/bin/sh", "-c", `sh ${showcase}; exec sleep 600`],
    });
    const s = track(
      new MoshSession({ host: "127.0.0.1", port: server.port, key: server.key, cols: 80, rows: 24 }),
    );
    await s.connect();
    const ref = await referenceFrame(80, 24);
    const frame = await s.waitFor("FULL-SCREEN APP", { timeout: 15000 });
    // Let the last frame settle (the title arrives with or after the text).
    const settled = frame.title === ref.title ? frame : await waitForTitle(s, ref.title);
    expect(frameDifferences(settled, ref)).toEqual([]);
    expect(settled.title).toBe("showcase-title");
    await s.close();
    await server.stop();
  });

  it("resize reaches the server; exit in the shell ends the session cleanly", async () => {
    const server = await startRealMoshServer({});
    const s = track(
      new MoshSession({ host: "127.0.0.1", port: server.port, key: server.key, cols: 80, rows: 24 }),
    );
    await s.connect();
    await s.waitFor(/^\$ ?$/m);
    s.resize(100, 30);
    s.write("stty size\r");
    await s.waitFor(/^30 100\s*$/m);
    expect(s.screen().cols).toBe(100);
    expect(s.screen().rows).toBe(30);
    const exit = new Promise((resolve) => s.once("exit", resolve));
    s.write("exit\r");
    expect(await exit).toEqual({ reason: "server", clean: true });
    await server.waitForExit();
  });

  it("converges through a link with 100 ms delay and 20 % loss each way", async () => {
    const server = await startRealMoshServer({});
    const link = await LinkEmulator.start({
      target: { address: "127.0.0.1", port: server.port },
      toServer: { delayMs: 100, loss: 0.2 },
      toClient: { delayMs: 100, loss: 0.2 },
      seed: 7,
    });
    try {
      const s = track(
        new MoshSession({ host: "127.0.0.1", port: link.port, key: server.key, cols: 80, rows: 24 }),
      );
      await s.connect();
      await s.waitFor(/^\$ ?$/m, { timeout: 20000 });
      s.write(
        "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do echo line-$i-$((i*i)); done\r",
      );
      await s.waitFor("line-30-900", { timeout: 30000 });
      s.write("echo final-$((6*7))\r");
      const frame = await s.waitFor(/^final-42\s*$/m, { timeout: 30000 });
      expect(frame.lines().some((l) => l.startsWith("line-29-841"))).toBe(true);
      expect(link.stats().toServer.dropped + link.stats().toClient.dropped).toBeGreaterThan(0);
      await s.close();
    } finally {
      await link.stop();
      await server.stop();
    }
  });

  it("roams: when the client's local port changes, the real server follows", async () => {
    const server = await startRealMoshServer({});
    const s = track(new MoshSession({ host: "127.0.0.1", port: server.port, key: server.key }));
    await s.connect();
    await s.waitFor(/^\$ ?$/m);
    const before = s.localEndpoint!.port;
    const roamed = new Promise((resolve) => s.once("roam", resolve));
    await s.rebind();
    await roamed;
    expect(s.localEndpoint!.port).not.toBe(before);
    s.write("echo roamed-$((40+2))\r");
    await s.waitFor(/^roamed-42/m);
    await s.close();
    await server.stop();
  });

  it("a cut link gives stall (after stallAfterMs) and resume when it returns", async () => {
    const server = await startRealMoshServer({});
    const link = await LinkEmulator.start({ target: { address: "127.0.0.1", port: server.port }, seed: 3 });
    try {
      const s = track(
        new MoshSession({ host: "127.0.0.1", port: link.port, key: server.key, stallAfterMs: 1000 }),
      );
      await s.connect();
      await s.waitFor(/^\$ ?$/m);
      const stalled = new Promise<number>((resolve) => s.once("stall", resolve));
      link.setProfile("both", { down: true });
      expect(await stalled).toBeGreaterThan(1000);
      const resumed = new Promise<void>((resolve) => s.once("resume", resolve));
      link.setProfile("both", {});
      await resumed;
      s.write("echo back-$((40+2))\r");
      await s.waitFor(/^back-42/m);
      await s.close();
    } finally {
      await link.stop();
      await server.stop();
    }
  });

  it("garbage and bit-flipped datagrams sent to the client are dropped; the session goes on", async () => {
    const server = await startRealMoshServer({});
    const s = track(new MoshSession({ host: "127.0.0.1", port: server.port, key: server.key }));
    const errors: Error[] = [];
    s.on("error", (e) => errors.push(e));
    await s.connect();
    await s.waitFor(/^\$ ?$/m);
    const local = s.localEndpoint!;
    const sock = createSocket("udp4");
    const send = (b: Buffer) => new Promise<void>((r) => sock.send(b, local.port, "127.0.0.1", () => r()));
    await send(Buffer.from("not a mosh datagram at all, just garbage bytes"));
    await send(Buffer.alloc(10));
    const big = Buffer.alloc(200, 7);
    big[0] = 0x80; // direction bit set: looks like server->client
    await send(big);
    sock.close();
    s.write("echo still-alive\r");
    await s.waitFor(/^still-alive/m);
    expect(errors.length).toBeGreaterThan(0);
    await s.close();
    await server.stop();
  });

  it("a wrong (but well-formed) key never connects, and says so", async () => {
    const server = await startRealMoshServer({});
    const wrong = server.key.startsWith("A") ? `B${server.key.slice(1)}` : `A${server.key.slice(1)}`;
    const s = track(
      new MoshSession({ host: "127.0.0.1", port: server.port, key: wrong, connectTimeoutMs: 1500 }),
    );
    await expect(s.connect()).rejects.toThrow(/did not make a successful connection/);
    await server.stop();
  });
});

async function waitForTitle(s: MoshSession, title: string): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`title never became ${title}`)), 5000);
    const check = (f: Frame) => {
      if (f.title === title) {
        clearTimeout(t);
        s.off("screen", check);
        resolve(f);
      }
    };
    s.on("screen", check);
    check(s.screen());
  });
}

describe("examples/run-command against the real mosh-server", () => {
  it("runs a command and prints the screen", async () => {
    const { spawnSync } = await import("node:child_process");
    const server = await startRealMoshServer({});
    const example = join(import.meta.dirname, "..", "dist", "examples", "run-command.js");
    const r = spawnSync(process.execPath, [example], {
      env: {
        ...process.env,
        MOSH_PORT: String(server.port),
        MOSH_KEY: server.key,
        MOSH_COMMAND: "echo example-$((2*21))",
      },
      encoding: "utf8",
      timeout: 30000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^example-42$/m);
    expect(r.status).toBe(0);
    await server.waitForExit().catch(() => server.stop());
  });
});
