import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeSpawner, runFor, runUntil } from "../../test/helpers/fake-pty.js";
import { visibleDifferences } from "../../test/helpers/screens.js";
import { FakeClock, SimNetwork } from "../../test/helpers/sim-network.js";
import { MoshSession } from "../client/mosh-session.js";
import { HostView } from "../state/host-view.js";
import { UserStream } from "../state/user-stream.js";
import { Emulator } from "../terminal/emulator.js";
import { Transport } from "../transport/transport.js";
import { MoshServer, type MoshServerOptions } from "./mosh-server.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

interface Rig {
  clock: FakeClock;
  net: SimNetwork;
  server: MoshServer;
  fake: ReturnType<typeof fakeSpawner>;
  logs: string[];
  run: (ms: number, step?: number) => Promise<void>;
  until: (cond: () => boolean, maxMs?: number, step?: number) => Promise<number>;
}

async function rig(opts: Partial<MoshServerOptions> = {}, seed = 1): Promise<Rig> {
  const clock = new FakeClock();
  const net = new SimNetwork(clock, { seed });
  const fake = fakeSpawner();
  const logs: string[] = [];
  const server = await MoshServer.start({
    command: ["/bin/sh"],
    env: { PATH: "/usr/bin:/bin", HOME: "/tmp", STY: "screen-session", LANG: "C.UTF-8" },
    bindAddress: "127.0.0.1",
    port: 60001,
    clock,
    network: net,
    spawn: fake.spawn,
    log: (l) => logs.push(l),
    ...opts,
  });
  cleanups.push(() => {
    void server.close();
    clock.advance(20_000);
  });
  const settle = () => server.settled();
  return {
    clock,
    net,
    server,
    fake,
    logs,
    run: (ms, step = 1) => runFor(clock, ms, step, settle),
    until: (cond, maxMs, step = 1) => runUntil(clock, cond, maxMs, step, settle),
  };
}

async function connect(r: Rig, cols = 80, rows = 24): Promise<MoshSession> {
  const s = new MoshSession({
    host: "127.0.0.1",
    port: r.server.port,
    key: r.server.key,
    cols,
    rows,
    clock: r.clock,
    network: r.net,
  });
  const connected = s.connect();
  await r.until(() => s.connected);
  await connected;
  cleanups.push(() => {
    void s.close();
  });
  return s;
}

/** A bare client transport, to watch states and send hand-made input. */
async function rawClient(r: Rig) {
  const input = new UserStream();
  input.pushResize(80, 24);
  const t = await Transport.open<UserStream, HostView>({
    role: "client",
    key: r.server.key,
    clock: r.clock,
    network: r.net,
    initialLocal: new UserStream(),
    initialRemote: new HostView(80, 24),
    remote: { address: "127.0.0.1", port: r.server.port },
    sendMindelay: 1,
  });
  t.setCurrentState(input);
  cleanups.push(() => t.close());
  return { t, input };
}

describe("MoshServer over a simulated network", () => {
  it("starts the command only after the first client state, at the client's size, with mosh's environment", async () => {
    const r = await rig();
    await r.run(2000, 10);
    expect(r.fake.calls).toHaveLength(0);
    const connected = new Promise((resolve) => r.server.once("client-connect", resolve));
    const s = await connect(r, 100, 30);
    expect(await connected).toMatchObject({ address: "127.0.0.1" });
    expect(r.fake.calls).toHaveLength(1);
    const { opts } = r.fake.calls[0];
    expect([opts.cols, opts.rows]).toEqual([100, 30]);
    expect(opts.env.TERM).toBe("xterm-256color");
    expect(opts.env.NCURSES_NO_UTF8_ACS).toBe("1");
    expect(opts.env.STY).toBeUndefined();
    expect(opts.env.PWD).toBe("/tmp");
    expect(opts.cwd).toBe("/tmp");
    r.fake.pty.output("$ ");
    await r.until(() => s.screen().lines()[1] === "$");
    // mosh 1.4's first line is the echo of the release newline.
    expect(s.screen().lines().slice(0, 2)).toEqual(["", "$"]);
    expect(s.screen().cols).toBe(100);
  });

  it("answers DA, DA2 and DSR 5n/6n to the application itself", async () => {
    const r = await rig();
    const s = await connect(r);
    r.fake.pty.output("\x1b[3;7Hq:\x1b[c\x1b[>c\x1b[5n\x1b[6n");
    await r.until(() => r.fake.pty.input.includes("R"));
    expect(r.fake.pty.input).toBe("\x1b[?62c\x1b[>1;10;0c\x1b[0n\x1b[3;9R");
    await r.until(() => s.screen().lines()[2]?.includes("q:") ?? false);
    expect(visibleDifferences(s.screen(), r.server.screen())).toEqual([]);
  });

  it("turns ESC O arrows into ESC [ arrows unless the application enabled DECCKM", async () => {
    const r = await rig();
    const s = await connect(r);
    s.write("\x1bOA");
    await r.until(() => r.fake.pty.input.length >= 3);
    expect(r.fake.pty.input).toBe("\x1b[A");
    r.fake.pty.output("\x1b[?1h");
    await r.run(5);
    s.write("\x1bOB");
    await r.until(() => r.fake.pty.input.length >= 6);
    expect(r.fake.pty.input).toBe("\x1b[A\x1bOB");
  });

  it("sends the echo at once after a keystroke and the echo ack 50 ms after the keystroke reached the application", async () => {
    const r = await rig();
    const { t, input } = await rawClient(r);
    await r.until(() => t.remoteStateNum() > 0n);
    r.fake.pty.onInput = (text) => r.fake.pty.output(text);
    await r.run(500);
    const events: Array<{ at: number; echoAck: bigint; num: bigint }> = [];
    t.on("remote-state", (num, view) => events.push({ at: r.clock.now(), echoAck: view.echoAck, num }));
    const before = t.remoteState().echoAck;
    const sentAt = r.clock.now();
    input.pushKeys(Uint8Array.from([0x78]));
    t.setCurrentState(input);
    const keyState = t.currentState.length;
    expect(keyState).toBe(2);
    await r.until(() => (events.at(-1)?.echoAck ?? 0n) > before, 1000);
    const echo = events[0];
    const ack = events.find((e) => e.echoAck > before);
    expect(echo.echoAck).toBe(before);
    expect(echo, "the echo arrives before its ack").toBeDefined();
    expect(ack).toBeDefined();
    // One-way delay 1 ms each way; the client collects for 1 ms (its SEND_MINDELAY); the server
    // sends the echo of user input at once (the transport's interactive fast path), not after
    // its SEND_MINDELAY of 8 ms as mosh-server does.
    expect(echo!.at - sentAt).toBe(1 + 1 + 0 + 1);
    expect(ack!.at - sentAt).toBeGreaterThanOrEqual(50);
    expect(ack!.at - sentAt).toBeLessThanOrEqual(1 + 50 + 8 + 1 + 20);
    expect(r.server.echoAck).toBe(ack!.echoAck);
  });

  it("applies only the last of a run of resizes and ignores bogus sizes", async () => {
    const r = await rig();
    const { t, input } = await rawClient(r);
    await r.until(() => t.remoteStateNum() > 0n);
    input.pushResize(0, 0);
    input.pushResize(100000, 100000);
    input.pushResize(90, 25);
    input.pushResize(91, 26);
    t.setCurrentState(input);
    await r.until(() => r.server.screen().cols === 91);
    expect(r.fake.pty.sizes).toEqual([[91, 26]]);
    for (const [c, rows] of [
      [0, 0],
      [100000, 100000],
      [-5, 10],
      [4096, 4096],
    ]) {
      input.pushResize(c, rows);
      t.setCurrentState(input);
      await r.run(50);
    }
    expect(r.fake.pty.sizes).toEqual([[91, 26]]);
    expect([r.server.screen().cols, r.server.screen().rows]).toEqual([91, 26]);
    expect(r.logs.filter((l) => l.startsWith("Ignoring bad window size"))).toHaveLength(4);
    r.fake.pty.output("still alive");
    await r.until(() =>
      r.server
        .screen()
        .lines()
        .some((l) => l.includes("still alive")),
    );
  });

  it("under a flood of output takes about one snapshot per frame sent, and input still gets through", async () => {
    const r = await rig();
    const s = await connect(r);
    await r.run(1000); // a few round trips: the frame interval drops from 250 ms to 20 ms
    expect(r.server.srtt).toBeLessThan(10);
    const snapshot = vi.spyOn(Emulator.prototype, "snapshot");
    let serverDatagrams = 0;
    r.net.tap((d) => {
      if (d.from.port === r.server.port) serverDatagrams++;
    });
    let flooding = true;
    r.fake.pty.onInput = (text) => {
      if (text.includes("\x03")) flooding = false;
    };
    let chunks = 0;
    for (let ms = 0; ms < 500; ms++) {
      if (flooding) for (let i = 0; i < 10; i++, chunks++) r.fake.pty.output(`y ${chunks}\r\n`);
      if (ms === 300) s.write("\x03");
      await r.run(1);
    }
    expect(flooding).toBe(false);
    // Counts the client's emulator snapshots too (one per frame it receives).
    const serverSnapshots = snapshot.mock.calls.length;
    expect(chunks).toBeGreaterThan(3000);
    expect(serverSnapshots).toBeLessThan(chunks / 20);
    expect(serverSnapshots).toBeLessThanOrEqual(serverDatagrams * 2 + 10);
    r.fake.pty.output("\r\n$ done");
    await r.until(() =>
      s
        .screen()
        .lines()
        .some((l) => l.includes("$ done")),
    );
    await r.run(100);
    expect(visibleDifferences(s.screen(), r.server.screen())).toEqual([]);
  });

  it("when the command exits: the final screen, the shutdown handshake, a clean exit on both ends", async () => {
    const r = await rig();
    const s = await connect(r);
    const clientExit = new Promise((resolve) => s.once("exit", resolve));
    r.fake.pty.output("last words");
    r.fake.pty.exit(3);
    await r.until(() => r.server.exitInfo !== null && s.exitInfo !== null);
    expect(await clientExit).toEqual({ reason: "server", clean: true });
    expect(r.server.exitInfo).toEqual({ reason: "command-exit", clean: true, exitCode: 3, signal: null });
    expect(s.screen().lines().join("\n")).toContain("last words");
    expect(r.fake.pty.closed).toBe(false);
  });

  it("when the client ends the session, the server acknowledges, hangs up the command and exits", async () => {
    const r = await rig();
    const s = await connect(r);
    const closing = s.close();
    await r.until(() => r.server.exitInfo !== null);
    expect(r.server.exitInfo).toMatchObject({ reason: "client-shutdown", clean: true });
    expect(r.fake.pty.closed).toBe(true);
    await r.run(50);
    expect(await closing).toEqual({ reason: "client", clean: true });
  });

  it("ends with mosh's message when no client comes within 60 s", async () => {
    const r = await rig();
    r.clock.advance(59_999);
    expect(r.server.exitInfo).toBeNull();
    r.clock.advance(1);
    expect(r.server.exitInfo).toEqual({
      reason: "no-connection",
      clean: false,
      exitCode: null,
      signal: null,
    });
    expect(r.logs).toContain("No connection within 60 seconds.");
    expect(r.fake.calls).toHaveLength(0);
  });

  it("ends when no client state arrives for MOSH_SERVER_NETWORK_TMOUT", async () => {
    const r = await rig({ networkTimeoutMs: 5000 });
    const s = await connect(r);
    await r.run(4000, 10);
    expect(r.server.exitInfo).toBeNull();
    // The client vanishes: nothing from it reaches the server any more.
    r.net.setConditions({ loss: 1 }, { toPort: r.server.port });
    const lostAt = r.clock.now();
    await r.until(() => r.server.exitInfo !== null, 20_000, 10);
    expect(r.server.exitInfo?.reason).toBe("network-timeout");
    expect(r.clock.now() - lostAt).toBeLessThan(5000 + 3000 + 500);
    expect(r.logs.filter((l) => /^Network idle for \d+ seconds\.$/.test(l)).length).toBeGreaterThanOrEqual(1);
    expect(r.fake.pty.closed).toBe(true);
    void s;
  });

  it("follows the client to a new address (roaming) and keeps the screen in sync", async () => {
    const r = await rig();
    const s = await connect(r);
    const roams: string[] = [];
    r.server.on("roam", (ep) => roams.push(`${ep.address}:${ep.port}`));
    const local = s.localEndpoint!;
    r.net.translate(local, { address: "127.0.0.9", port: 5555 });
    s.write("a");
    r.fake.pty.onInput = (t) => r.fake.pty.output(`<${t}>`);
    await r.until(() => roams.length > 0);
    expect(roams).toEqual(["127.0.0.9:5555"]);
    expect(r.logs).toContain("Server now attached to client at 127.0.0.9:5555");
    s.write("b");
    await r.until(() => s.screen().lines().join("").includes("<b>"));
    expect(r.server.clientEndpoint).toEqual({ address: "127.0.0.9", port: 5555 });
  });

  it("converges through 20 % loss, reordering and duplication in both directions", async () => {
    const r = await rig({}, 42);
    r.net.setConditions({ loss: 0.2, delay: 50, jitter: 20, reorder: 0.1, duplicate: 0.05 });
    const s = await connect(r);
    r.fake.pty.onInput = (t) => r.fake.pty.output(t === "\r" ? "\r\n" : t);
    const text = "the quick brown fox jumps over the lazy dog";
    for (const ch of text) {
      s.write(ch);
      await r.run(30);
    }
    s.write("\r");
    for (let i = 0; i < 40; i++) r.fake.pty.output(`\x1b[3${i % 8}mline ${i}\x1b[0m\r\n`);
    await r.until(
      () =>
        s
          .screen()
          .lines()
          .some((l) => l.includes("line 39")),
      30_000,
    );
    await r.run(2000);
    expect(r.fake.pty.input).toBe(`${text}\r`);
    expect(visibleDifferences(s.screen(), r.server.screen())).toEqual([]);
  });

  it("shows execvp's error for a missing command, then ends with status 1", async () => {
    const r = await rig({ command: ["/nonexistent/program", "arg"] });
    const s = await connect(r);
    await r.until(() => s.screen().lines().join("\n").includes("execvp"));
    expect(s.screen().lines()[1]).toBe("execvp: /nonexistent/program: No such file or directory");
    expect(r.fake.calls).toHaveLength(0);
    await r.until(() => r.server.exitInfo !== null, 10_000, 10);
    expect(r.server.exitInfo).toMatchObject({ reason: "command-exit", exitCode: 1, clean: true });
  });

  it("never shows the session key in inspect, JSON or strings", async () => {
    const r = await rig();
    const key = r.server.key.reveal();
    for (const text of [
      inspect(r.server),
      JSON.stringify(r.server),
      String(r.server),
      inspect(r.server.key),
    ]) {
      expect(text).not.toContain(key);
    }
  });
});
