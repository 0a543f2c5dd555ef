// mosh-ts-server run as a program (its sh preamble: one Node process from the start-up snapshot), and its fallbacks to two processes.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MoshSession } from "../sdk/session/mosh-session.js";
import { SERVER_NODE_FLAGS } from "../sdk/session/server-node-flags.js";
import { parseMoshConnect } from "./helpers/mosh-server.js";
import { isAlive, spawnTracked, track } from "./helpers/procs.js";
import { parseTsDetachedPid, TS_SERVER } from "./helpers/ts-server.js";

const ROOT = join(import.meta.dirname, "..");
const BIN_DIR = join(ROOT, "dist", "bin");
const ID_FILE = join(BIN_DIR, "mosh-ts-server-snapshot.id");
/** The one-process start needs the snapshot (built by tsup for this Node) and setsid. */
const canRunDirect =
  existsSync(ID_FILE) && spawnSync("sh", ["-c", "command -v setsid"], { encoding: "utf8" }).status === 0;

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
  it.skipIf(!canRunDirect)(
    "is one process from the start-up snapshot: MOSH CONNECT, the banner, its own session, stdio on /dev/null, a shell",
    async () => {
      const r = await start([TS_SERVER, ...ARGS]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`MOSH CONNECT ${r.port} ${r.key}\n`);
      expect(r.stderr).toMatch(BANNER);
      const argv = cmdline(r.pid);
      expect(argv).toContain("--session-direct");
      expect(argv).toContain("--snapshot-blob");
      expect(argv).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
      expect(argv.join(" ")).not.toContain(r.key);
      expect(sid(r.pid)).toBe(r.pid);
      for (const fd of [0, 1, 2]) expect(readlinkSync(`/proc/${r.pid}/fd/${fd}`)).toBe("/dev/null");
      const s = await prompt(r.port, r.key);
      const exit = new Promise((resolve) => s.once("exit", resolve));
      process.kill(r.pid, "SIGTERM");
      expect(await exit).toEqual({ reason: "server", clean: true });
      await gone(r.pid);
    },
  );

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
});

describe("mosh-ts-server's session process and the start-up snapshot", () => {
  it.skipIf(!canRunDirect)(
    "`node FILE` runs the session process from the snapshot; MOSH_TS_SERVER_SNAPSHOT=0 runs it without, both ways",
    async () => {
      const snap = await start([process.execPath, TS_SERVER, ...ARGS]);
      expect(cmdline(snap.pid)).toEqual(
        expect.arrayContaining(["--snapshot-blob", "--session-daemon", ...SERVER_NODE_FLAGS]),
      );
      expect(sid(snap.pid)).toBe(snap.pid);
      await prompt(snap.port, snap.key);
      for (const argv of [
        [process.execPath, TS_SERVER, ...ARGS],
        [TS_SERVER, ...ARGS],
      ]) {
        const plain = await start(argv, { MOSH_TS_SERVER_SNAPSHOT: "0" });
        expect(plain.stderr).toMatch(BANNER);
        expect(cmdline(plain.pid)).toContain("--session-daemon");
        expect(cmdline(plain.pid)).not.toContain("--snapshot-blob");
        expect(cmdline(plain.pid)).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
        await prompt(plain.port, plain.key);
      }
    },
  );

  it.skipIf(!canRunDirect)("falls back to two processes when the snapshot will not load", async () => {
    // Under the repository, so that node-pty is found from the copy.
    mkdirSync(join(ROOT, ".tmp"), { recursive: true });
    const dir = mkdtempSync(join(ROOT, ".tmp", "snapshot-test-"));
    dirs.push(dir);
    cpSync(join(ROOT, "dist"), dir, { recursive: true });
    const blob = readFileSync(join(dir, "bin", "mosh-ts-server-snapshot.id"), "utf8").split("\n")[1];
    writeFileSync(join(dir, "bin", blob), "not a snapshot");
    const program = join(dir, "bin", "mosh-ts-server.js");
    for (const argv of [
      [program, ...ARGS],
      [process.execPath, program, ...ARGS],
    ]) {
      const r = await start(argv, {}, dir);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`MOSH CONNECT ${r.port} ${r.key}\n`);
      expect(r.stderr).toMatch(/\n\[mosh-ts-server detached, pid = \d+\]\n$/);
      expect(cmdline(r.pid)).toEqual([process.execPath, ...SERVER_NODE_FLAGS, program, "--session-daemon"]);
      await prompt(r.port, r.key);
    }
  });
});
