// Debian's `mosh` wrapper, through a real sshd, running mosh-ts-server as a program (its sh preamble: one process from the start-up snapshot).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTmux } from "../helpers/tmux.js";
import { keygen, killTagged, removeDir, type Sshd, scratchDir, startSshd } from "./sshd-fixture.js";

const tag = `wrapdirect${process.pid}`;
const serverBin = join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-ts-server.js");
const hasSnapshot = existsSync(
  join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-ts-server-snapshot.id"),
);
let dir = "";

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
let sshd: Sshd;

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

describe("Debian's mosh wrapper with mosh-ts-server (run as a program) through sshd", () => {
  it.skipIf(!hasSnapshot)(
    "mosh --server=PROGRAM: one server process; a command runs, exit ends the client with status 0",
    async () => {
      const tmux = await startTmux({
        cols: 80,
        rows: 24,
        command: [
          "sh",
          "-c",
          `mosh --ssh="ssh -F ${join(dir, "ssh", "config")}" --server="${serverBin}" wrapped -- /bin/sh; echo "EXIT=$?"; exec sleep 600`,
        ],
        env: { TERM: "xterm-256color", PS1: "$ " },
      });
      try {
        await tmux.waitForText(/^[#$] ?$/m, 20000);
        await tmux.sendKeys("echo wrapped-$((6*7))", { literal: true });
        await tmux.sendKeys("Enter");
        await tmux.waitForText(/^wrapped-42$/m, 15000);
        const servers = taggedCommandLines().filter((c) => c.includes(serverBin));
        expect(servers).toHaveLength(1);
        expect(servers[0]).toContain("--session-direct");
        await tmux.sendKeys("exit", { literal: true });
        await tmux.sendKeys("Enter");
        const after = await tmux.waitForText(/EXIT=\d+/, 15000);
        expect(after).toContain("[mosh is exiting.]");
        expect(after).toContain("EXIT=0");
      } finally {
        await tmux.kill();
      }
    },
  );
});
