// The drop-in programs run as programs (their sh preambles, launch.cjs and the code caches the build made), and mosh-ts-server's two-process path.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../frontend/server/server-node-flags.js";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { codeCacheStatus } from "./helpers/code-cache.js";
import { parseMoshConnect } from "./helpers/mosh-server.js";
import { isAlive, spawnTracked, track } from "./helpers/procs.js";
import { parseTsDetachedPid, TS_SERVER } from "./helpers/ts-server.js";

const ROOT = join(import.meta.dirname, "..");
const BIN_DIR = join(ROOT, "dist", "bin");
const LAUNCH = join(BIN_DIR, "launch.cjs");

const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp", LANG: "C.UTF-8", PS1: "$ " };
const ARGS = ["new", "-i", "127.0.0.1", "-p", "0", "--", "/bin/sh"];
const BANNER =
  /^\nmosh-ts-server \(mosh-ts [\d.]+\) \[compatible with mosh 1\.4\.0\]\nLicense GPLv3\+: GNU GPL version 3 or later <http:\/\/gnu\.org\/licenses\/gpl\.html>\.\nThis is free software: you are free to change and redistribute it\.\nThere is NO WARRANTY, to the extent permitted by law\.\n\n\[mosh-ts-server detached, pid = \d+\]\n$/;

const sessions: MoshSession[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close().catch(() => undefined)));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Started {
  status: number | null;
  stdout: string;
  stderr: string;
  port: number;
  key: string;
  pid: number;
}

/** Runs `argv` until it exits and closes its output; tracks the session process it reports. */
async function start(argv: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Started> {
  const child = spawnTracked(argv[0], argv.slice(1), {
    detached: true,
    cwd,
    env: { ...ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const status = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
  const connect = parseMoshConnect(stdout);
  const pid = parseTsDetachedPid(stderr);
  if (connect === null || pid === null) throw new Error(`no session (exit ${status}): ${stderr}`);
  track(pid, { group: true, label: "mosh-ts-server session" });
  return { status, stdout, stderr, port: connect.port, key: connect.key, pid };
}

function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "latin1")
    .split("\0")
    .filter((a) => a !== "");
}

function sid(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, "latin1");
  return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[3]);
}

async function prompt(port: number, key: string): Promise<MoshSession> {
  const s = new MoshSession({ host: "127.0.0.1", port, key });
  sessions.push(s);
  await s.connect();
  await s.waitFor("$ ");
  s.write("echo ok-$((6*7))\r");
  await s.waitFor(/^ok-42$/m);
  return s;
}

async function gone(pid: number): Promise<void> {
  const deadline = Date.now() + 10000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(isAlive(pid)).toBe(false);
}

describe("mosh-ts-server run as a program", () => {
  it("is one process in its own session (setsid): MOSH CONNECT, the banner, stdio on /dev/null, a shell; NODE_EXTRA_CA_CERTS only for the shell", async () => {
    const r = await start([TS_SERVER, ...ARGS], { NODE_EXTRA_CA_CERTS: "/nonexistent/ca.pem" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`MOSH CONNECT ${r.port} ${r.key}\n`);
    expect(r.stderr).toMatch(BANNER);
    const argv = cmdline(r.pid);
    expect(argv.slice(1)).toEqual([
      ...SERVER_NODE_FLAGS,
      LAUNCH,
      "mosh-ts-server",
      TS_SERVER,
      "--session-direct",
      ...ARGS,
    ]);
    expect(argv.join(" ")).not.toContain(r.key);
    expect(sid(r.pid)).toBe(r.pid);
    for (const fd of [0, 1, 2]) expect(readlinkSync(`/proc/${r.pid}/fd/${fd}`)).toBe("/dev/null");
    // Node started without the CA bundle; the shell has it back, under its own name only.
    const environ = readFileSync(`/proc/${r.pid}/environ`, "latin1").split("\0");
    expect(environ.some((v) => v.startsWith("NODE_EXTRA_CA_CERTS="))).toBe(false);
    const s = await prompt(r.port, r.key);
    s.write('echo "ca=$NODE_EXTRA_CA_CERTS saved=$MOSH_TS_NODE_EXTRA_CA_CERTS."\r');
    await s.waitFor(/^ca=\/nonexistent\/ca\.pem saved=\.$/m);
    const exit = new Promise((resolve) => s.once("exit", resolve));
    process.kill(r.pid, "SIGTERM");
    expect(await exit).toEqual({ reason: "server", clean: true });
    await gone(r.pid);
  });

  it("prints the same texts with the same exit status as `node FILE` for bad command lines, --help, --version and a bad locale", () => {
    const cases: Array<{ args: string[]; env?: Record<string, string> }> = [
      { args: ["new", "-c", "2x"] },
      { args: ["new", "-p", "5:3", "-x"] },
      { args: ["a", "b", "c"] },
      { args: ["--help"] },
      { args: ["new", "--version"] },
      { args: ["new", "-l", "LC_CTYPE=POSIX", "--", "/bin/true"], env: { LANG: "C" } },
    ];
    for (const c of cases) {
      const env = { PATH: ENV.PATH, LANG: "C.UTF-8", ...c.env };
      const direct = spawnSync(TS_SERVER, c.args, { env, encoding: "utf8", timeout: 10000 });
      const viaNode = spawnSync(process.execPath, [TS_SERVER, ...c.args], {
        env,
        encoding: "utf8",
        timeout: 10000,
      });
      expect({ status: direct.status, stdout: direct.stdout, stderr: direct.stderr }).toEqual({
        status: viaNode.status,
        stdout: viaNode.stdout,
        stderr: viaNode.stderr,
      });
      expect(direct.stdout + direct.stderr).not.toBe("");
    }
  });

  it("`node FILE` runs a detached session process of its own (two processes)", async () => {
    const r = await start([process.execPath, TS_SERVER, ...ARGS]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(BANNER);
    expect(cmdline(r.pid).slice(1)).toEqual([...SERVER_NODE_FLAGS, TS_SERVER, "--session-daemon"]);
    expect(sid(r.pid)).toBe(r.pid);
    await prompt(r.port, r.key);
  });
});

describe("mosh-ts-client run as a program", () => {
  it("answers -c (the mosh wrapper's first question) as mosh-client does, for known, dumb, unknown and unset terminals", () => {
    const client = join(BIN_DIR, "mosh-ts-client.js");
    for (const term of ["xterm-256color", "xterm", "screen", "dumb", "no-such-terminal", undefined]) {
      const env: NodeJS.ProcessEnv = { PATH: ENV.PATH, HOME: "/nonexistent", LANG: "C.UTF-8" };
      if (term !== undefined) env.TERM = term;
      const ours = spawnSync(client, ["-c"], { env, encoding: "utf8", timeout: 10000 });
      const real = spawnSync("mosh-client", ["-c"], { env, encoding: "utf8", timeout: 10000 });
      expect({ term, status: ours.status, stdout: ours.stdout, stderr: ours.stderr }).toEqual({
        term,
        status: real.status,
        stdout: real.stdout,
        stderr: real.stderr,
      });
    }
  });
});

describe("the programs' code caches", () => {
  it("run bundles with no import() of a module outside them (launch.cjs compiles them without a module loader)", () => {
    for (const name of ["mosh-ts-client", "mosh-ts-server"]) {
      const text = readFileSync(join(BIN_DIR, `${name}.cjs`), "utf8");
      expect({ name, imports: text.match(/\bimport\(\s*["'][^"']*["']\s*\)/g) ?? [] }).toEqual({
        name,
        imports: [],
      });
    }
  });

  it("were built for this Node and load under the flags each program runs with", () => {
    expect(codeCacheStatus(BIN_DIR, "mosh-ts-server", SERVER_NODE_FLAGS)).toBe("accepted");
    expect(codeCacheStatus(BIN_DIR, "mosh-ts-client", [])).toBe("accepted");
  });

  it("a cache that will not load, or none, only costs the compile: the programs still work", async () => {
    // Under the repository, so that node-pty is found from the copy.
    mkdirSync(join(ROOT, ".tmp"), { recursive: true });
    const dir = mkdtempSync(join(ROOT, ".tmp", "code-cache-test-"));
    dirs.push(dir);
    cpSync(join(ROOT, "dist"), dir, { recursive: true });
    const bin = join(dir, "bin");
    const launch = createRequire(import.meta.url)(join(bin, "launch.cjs")) as {
      codeCacheName(name: string): string;
    };
    writeFileSync(join(bin, launch.codeCacheName("mosh-ts-server")), "not a code cache");
    rmSync(join(bin, launch.codeCacheName("mosh-ts-client")));
    const program = join(bin, "mosh-ts-server.js");
    const r = await start([program, ...ARGS], {}, dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`MOSH CONNECT ${r.port} ${r.key}\n`);
    await prompt(r.port, r.key);
    const client = spawnSync(join(bin, "mosh-ts-client.js"), ["--version"], { encoding: "utf8" });
    expect(client.status).toBe(0);
    expect(client.stdout).toMatch(/^mosh-ts-client \(mosh-ts /);
  });
});
