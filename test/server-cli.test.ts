// The mosh-ts-server program: detaching, start-up texts against the real mosh-server, signals, idle timeout, floods, no orphans.
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { descendants, isAlive } from "./helpers/procs.js";
import { reportingExit, startTmux, type TmuxSession } from "./helpers/tmux.js";
import { startTsServer, TS_SERVER } from "./helpers/ts-server.js";

const sessions: MoshSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close().catch(() => undefined)));
});

const BASE_ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp", LANG: "C.UTF-8", PS1: "$ " };

function stat(pid: number): { ppid: number; pgid: number; sid: number } {
  const text = readFileSync(`/proc/${pid}/stat`, "latin1");
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]) };
}

async function gone(pids: number[], timeoutMs = 20000): Promise<number> {
  const start = Date.now();
  while (pids.some(isAlive)) {
    if (Date.now() - start > timeoutMs) throw new Error(`still alive: ${pids.filter(isAlive).join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

async function connect(port: number, key: string): Promise<MoshSession> {
  const s = new MoshSession({ host: "127.0.0.1", port, key });
  sessions.push(s);
  await s.connect();
  await s.waitFor("$ ");
  return s;
}

function realClient(port: number, key: string): Promise<TmuxSession> {
  return startTmux({
    command: reportingExit(["mosh-client", "127.0.0.1", String(port)]),
    env: { MOSH_KEY: key, MOSH_PREDICTION_DISPLAY: "never", TERM: "xterm-256color" },
  });
}

/** Runs a server program to completion with a private environment (for start-up failures). */
function runToEnd(binary: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(binary, args, { env, encoding: "utf8", timeout: 10000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("mosh-ts-server new", () => {
  it("prints MOSH CONNECT and mosh's banner, detaches into its own session, keeps the key out of argv and env, passes the environment on", async () => {
    const server = await startTsServer({
      args: ["-i", "127.0.0.1", "-p", "0", "-c", "256"],
      env: { MOSH_SERVER_NETWORK_TMOUT: "600", SOME_VAR: "passed-through", STY: "12.screen", HOME: "/tmp" },
    });
    expect(server.parentStatus).toBe(0);
    expect(server.stdout).toBe(`MOSH CONNECT ${server.port} ${server.key}\n`);
    expect(server.stderr).toMatch(
      /^\nmosh-ts-server \(mosh-ts [\d.]+\) \[compatible with mosh 1\.4\.0\]\nLicense GPLv3\+: GNU GPL version 3 or later <http:\/\/gnu\.org\/licenses\/gpl\.html>\.\nThis is free software: you are free to change and redistribute it\.\nThere is NO WARRANTY, to the extent permitted by law\.\n\n\[mosh-ts-server detached, pid = \d+\]\n$/,
    );
    const st = stat(server.pid);
    expect(st.sid).toBe(server.pid);
    expect(st.pgid).toBe(server.pid);
    for (const f of ["cmdline", "environ"])
      expect(readFileSync(`/proc/${server.pid}/${f}`, "latin1")).not.toContain(server.key);
    const s = await connect(server.port, server.key);
    s.write("echo $TERM $NCURSES_NO_UTF8_ACS $SOME_VAR $MOSH_SERVER_NETWORK_TMOUT sty=$STY pwd=$PWD\r");
    await s.waitFor(/^xterm-256color 1 passed-through 600 sty= pwd=\/tmp$/m);
    const shell = descendants(server.pid);
    expect(shell.length).toBeGreaterThan(0);
    for (const pid of shell) expect(readFileSync(`/proc/${pid}/environ`, "latin1")).not.toContain(server.key);
    // SIGTERM: the shutdown handshake, then the session process and the shell are gone.
    const exit = new Promise((resolve) => s.once("exit", resolve));
    process.kill(server.pid, "SIGTERM");
    expect(await exit).toEqual({ reason: "server", clean: true });
    await gone([server.pid, ...shell]);
  });

  it("searches mosh's default port range, and TERM is xterm without -c 256", async () => {
    const server = await startTsServer({ args: ["-i", "127.0.0.1"] });
    expect(server.port).toBeGreaterThanOrEqual(60001);
    expect(server.port).toBeLessThanOrEqual(60999);
    const s = await connect(server.port, server.key);
    s.write("echo term=$TERM\r");
    await s.waitFor(/^term=xterm$/m);
    await server.stop();
  });

  it("fails to bind exactly as the real mosh-server does", async () => {
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const port = String(sock.address().port);
    try {
      const env = { PATH: BASE_ENV.PATH, LANG: "C.UTF-8" };
      const real = runToEnd(
        "/usr/bin/mosh-server",
        ["new", "-i", "127.0.0.1", "-p", port, "--", "/bin/true"],
        env,
      );
      const ours = runToEnd(
        process.execPath,
        [TS_SERVER, "new", "-i", "127.0.0.1", "-p", port, "--", "/bin/true"],
        env,
      );
      expect(real.status).toBe(1);
      expect(ours.status).toBe(1);
      expect(ours.stdout).toBe("");
      expect(ours.stderr).toBe(real.stderr);
      expect(ours.stderr).toContain("Network exception: bind: Address already in use");
    } finally {
      sock.close();
    }
  });

  it("refuses a non-UTF-8 locale with the real mosh-server's message, and accepts the client's -l", async () => {
    const env = { PATH: BASE_ENV.PATH, LANG: "C" };
    const args = ["new", "-i", "127.0.0.1", "-p", "0", "-l", "LC_CTYPE=POSIX", "--", "/bin/true"];
    const real = runToEnd("/usr/bin/mosh-server", args, env);
    const ours = runToEnd(process.execPath, [TS_SERVER, ...args], env);
    expect(ours.status).toBe(1);
    expect(real.status).toBe(1);
    expect(ours.stderr).toBe(real.stderr);
    expect(ours.stdout).toBe(real.stdout);
    expect(ours.stderr).toMatch(/^mosh-server needs a UTF-8 native locale to run\./);
    const server = await startTsServer({
      env: { LANG: "C" },
      args: ["-i", "127.0.0.1", "-p", "0", "-l", "LANG=C.UTF-8"],
    });
    const s = await connect(server.port, server.key);
    s.write("echo lang=$LANG\r");
    await s.waitFor(/^lang=C\.UTF-8$/m);
    await server.stop();
  });

  it("warns about bad timeout variables as mosh-server does", async () => {
    const server = await startTsServer({
      env: { MOSH_SERVER_NETWORK_TMOUT: "5x", MOSH_SERVER_SIGNAL_TMOUT: "-3" },
    });
    expect(server.stderr).toMatch(
      /^MOSH_SERVER_NETWORK_TMOUT not a valid integer, ignoring\nMOSH_SERVER_SIGNAL_TMOUT is negative, ignoring\n\n/,
    );
    await server.stop();
  });

  it("SIGUSR1 ends the session only when the client has been idle for MOSH_SERVER_SIGNAL_TMOUT", async () => {
    const patient = await startTsServer({ env: { MOSH_SERVER_SIGNAL_TMOUT: "600" } });
    const s1 = await connect(patient.port, patient.key);
    process.kill(patient.pid, "SIGUSR1");
    s1.write("echo still-here\r");
    await s1.waitFor(/^still-here$/m);
    expect(isAlive(patient.pid)).toBe(true);
    await patient.stop();

    const eager = await startTsServer({});
    const s2 = await connect(eager.port, eager.key);
    const exit = new Promise((resolve) => s2.once("exit", resolve));
    const shell = descendants(eager.pid);
    process.kill(eager.pid, "SIGUSR1");
    expect(await exit).toEqual({ reason: "server", clean: true });
    await gone([eager.pid, ...shell]);
  });

  it("with the real mosh-client: a flood (yes) stops at Ctrl-C and the prompt returns", async () => {
    const server = await startTsServer();
    const tmux = await realClient(server.port, server.key);
    try {
      await tmux.waitForText(/^\$ ?$/m, 15000);
      await tmux.sendKeys("yes flood-line", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText("flood-line\nflood-line\nflood-line", 15000);
      await new Promise((r) => setTimeout(r, 3000));
      await tmux.sendBytes("\x03");
      // The tty echoes ^C wherever the output stopped (it may overwrite the start of a line).
      await tmux.waitForText(/\^C.*\n\$ ?$/m, 20000);
      await tmux.sendKeys("echo after-$((40+2))", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText(/^after-42\n\$ ?$/m, 15000);
      await tmux.sendKeys("exit", { literal: true });
      await tmux.sendKeys("Enter");
      expect(await tmux.waitForText(/EXIT=\d+/, 15000)).toMatch(/EXIT=0/);
    } finally {
      await tmux.kill();
      await server.stop();
    }
  });

  it("when the real mosh-client is killed, the session ends after MOSH_SERVER_NETWORK_TMOUT and leaves no process behind", async () => {
    const server = await startTsServer({ env: { MOSH_SERVER_NETWORK_TMOUT: "2" } });
    const tmux = await realClient(server.port, server.key);
    try {
      await tmux.waitForText(/^\$ ?$/m, 15000);
      const shell = descendants(server.pid);
      expect(shell.length).toBeGreaterThan(0);
      const clientPids = descendants(await tmux.panePid()).filter((p) =>
        readFileSync(`/proc/${p}/cmdline`, "latin1").startsWith("mosh-client"),
      );
      expect(clientPids).toHaveLength(1);
      process.kill(clientPids[0], "SIGKILL");
      const took = await gone([server.pid, ...shell], 20000);
      expect(took).toBeGreaterThan(0);
    } finally {
      await tmux.kill();
      await server.stop();
    }
  });
});
