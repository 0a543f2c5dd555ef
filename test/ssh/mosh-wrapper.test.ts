// Debian's `mosh` wrapper, through a real sshd, starting mosh-ts-server as its --server: as `node FILE`, and run as a program (its sh preamble: one process), with Debian's mosh-client and with mosh-ts-client.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTmux, type TmuxSession } from "../helpers/tmux.js";
import { keygen, killTagged, removeDir, type Sshd, scratchDir, startSshd } from "./sshd-fixture.js";

const tag = `wrap${process.pid}`;
const serverBin = join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-ts-server.js");
const clientBin = join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-ts-client.js");
let dir = "";
let sshd: Sshd;

/** Command lines of the processes that carry this file's sshd tag. */
function taggedCommandLines(): string[] {
  const out: string[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, "latin1").includes(`MOSHTS_SSH_TEST=${tag}\0`))
        out.push(readFileSync(`/proc/${name}/cmdline`, "latin1").replace(/\0/g, " "));
    } catch {
      // gone
    }
  }
  return out;
}

/** Runs `mosh --server=SERVER wrapped -- /bin/sh` in tmux until a command's output is on screen. */
async function wrapped(server: string, client = "mosh-client"): Promise<TmuxSession> {
  const tmux = await startTmux({
    cols: 80,
    rows: 24,
    command: [
      "sh",
      "-c",
      `mosh --client="${client}" --ssh="ssh -F ${join(dir, "ssh", "config")}" --server="${server}" wrapped -- /bin/sh; echo "EXIT=$?"; exec sleep 600`,
    ],
    env: { TERM: "xterm-256color", PS1: "$ " },
  });
  await tmux.waitForText(/^[#$] ?$/m, 20000);
  await tmux.sendKeys("echo wrapped-$((6*7))", { literal: true });
  await tmux.sendKeys("Enter");
  await tmux.waitForText(/^wrapped-42$/m, 15000);
  return tmux;
}

/** Exits the remote shell: the client says mosh's goodbye and exits with status 0. */
async function exitCleanly(tmux: TmuxSession): Promise<void> {
  await tmux.sendKeys("exit", { literal: true });
  await tmux.sendKeys("Enter");
  const after = await tmux.waitForText(/EXIT=\d+/, 15000);
  expect(after).toContain("[mosh is exiting.]");
  expect(after).toContain("EXIT=0");
}

beforeAll(async () => {
  dir = scratchDir("moshts-wrap-");
  mkdirSync(join(dir, "ssh"), { recursive: true, mode: 0o700 });
  const pub = keygen(join(dir, "ssh", "id"));
  writeFileSync(join(dir, "authorized_keys"), `${pub}\n`);
  sshd = await startSshd(dir, { authorizedKeysFile: join(dir, "authorized_keys"), tag });
  writeFileSync(join(dir, "ssh", "known_hosts"), `[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`);
  writeFileSync(
    join(dir, "ssh", "config"),
    [
      "Host wrapped",
      "  HostName 127.0.0.1",
      `  Port ${sshd.port}`,
      "  User root",
      `  IdentityFile ${join(dir, "ssh", "id")}`,
      "  IdentitiesOnly yes",
      `  UserKnownHostsFile ${join(dir, "ssh", "known_hosts")}`,
      "  StrictHostKeyChecking yes",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await killTagged(tag);
  await sshd?.stop();
  if (dir) removeDir(dir);
});

describe("Debian's mosh wrapper with mosh-ts-server through sshd", () => {
  it("mosh --ssh=... --server=mosh-ts-server wrapped: a command runs, exit ends the client with status 0", async () => {
    const tmux = await wrapped(`${process.execPath} ${serverBin}`);
    try {
      await exitCleanly(tmux);
    } finally {
      await tmux.kill();
    }
  });

  it("mosh --server=PROGRAM: one server process; a command runs, exit ends the client with status 0", async () => {
    const tmux = await wrapped(serverBin);
    try {
      const servers = taggedCommandLines().filter((c) => c.includes(serverBin));
      expect(servers).toHaveLength(1);
      expect(servers[0]).toContain("--session-direct");
      await exitCleanly(tmux);
    } finally {
      await tmux.kill();
    }
  });

  it("mosh --client=mosh-ts-client --server=PROGRAM: both ends ours; exit ends the client with status 0", async () => {
    const tmux = await wrapped(serverBin, clientBin);
    try {
      await exitCleanly(tmux);
    } finally {
      await tmux.kill();
    }
  });
});
