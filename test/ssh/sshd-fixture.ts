// Test fixtures for the SSH bootstrap: a real OpenSSH sshd on a loopback port, throwaway HOMEs and keys, cleanup by tag.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killPids, spawnTracked, untrack } from "../helpers/procs.js";

/** A running sshd. */
export interface Sshd {
  port: number;
  /** The host public key line (`ssh-ed25519 AAAA...`). */
  hostKey: string;
  /** Every line sshd logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** A scratch directory, removed by {@link removeDir}. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a scratch directory (ignoring errors). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Generates a key pair with ssh-keygen; returns the public key line. */
export function keygen(
  path: string,
  opts: { type?: string; passphrase?: string; comment?: string } = {},
): string {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    opts.type ?? "ed25519",
    "-N",
    opts.passphrase ?? "",
    "-C",
    opts.comment ?? "mosh-ts-test",
    "-f",
    path,
  ]);
  return readFileSync(`${path}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}

/** A free TCP port on 127.0.0.1 (free when asked; sshd binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `/usr/sbin/sshd -D -e` on 127.0.0.1 with a throwaway host key, `UsePAM no`,
 * `StrictModes no`, root login allowed, keys from `authorizedKeysFile`, and `tag` set in every
 * session's environment (so the mosh-server daemons the tests start can be found and killed).
 */
export async function startSshd(
  dir: string,
  opts: { authorizedKeysFile: string; tag: string; hostKeyType?: string; extra?: string[] },
): Promise<Sshd> {
  // sshd's privilege separation needs this directory (Debian creates it at boot).
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKeyPath = join(dir, `host_${opts.hostKeyType ?? "ed25519"}_key`);
  const hostKey = keygen(hostKeyPath, { type: opts.hostKeyType });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const configPath = join(dir, `sshd_config_${port}`);
    writeFileSync(
      configPath,
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${hostKeyPath}`,
        "UsePAM no",
        "StrictModes no",
        `AuthorizedKeysFile ${opts.authorizedKeysFile}`,
        "PidFile none",
        "PermitRootLogin yes",
        "PubkeyAuthentication yes",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "AllowTcpForwarding yes",
        "PrintMotd no",
        "MaxStartups 100",
        "LogLevel INFO",
        `SetEnv MOSH_SERVER_NETWORK_TMOUT=120 MOSHTS_SSH_TEST=${opts.tag}`,
        ...(opts.extra ?? []),
        "",
      ].join("\n"),
    );
    const child = spawnTracked("/usr/sbin/sshd", ["-D", "-e", "-f", configPath], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (s: string) => {
      log += s;
    });
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10000);
      const check = () => {
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stderr?.on("data", check);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ready) {
      return {
        port,
        hostKey,
        log: () => log,
        stop: async () => {
          if (child.pid !== undefined) {
            await killPids([child.pid]);
            untrack(child.pid);
          }
        },
      };
    }
    if (child.pid !== undefined) await killPids([child.pid]);
    if (attempt >= 3) throw new Error(`sshd did not start:\n${log}`);
  }
}

/** Kills every process whose environment holds `MOSHTS_SSH_TEST=<tag>` (the detached mosh-servers of a test file). */
export async function killTagged(tag: string): Promise<void> {
  const needle = `MOSHTS_SSH_TEST=${tag}\0`;
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(needle)) pids.push(pid);
    } catch {
      // gone or not readable
    }
  }
  if (pids.length > 0) await killPids(pids, 500);
}

/** Every process's command line (NULs as spaces) and environment, to search for a leaked key. */
export function allProcessTexts(): string[] {
  const out: string[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    for (const f of ["cmdline", "environ"]) {
      try {
        out.push(readFileSync(`/proc/${name}/${f}`, "latin1").replace(/\0/g, " "));
      } catch {
        // gone
      }
    }
  }
  return out;
}

/** The throwaway password user for password authentication, created idempotently; null if that is impossible. */
export function ensurePasswordUser(name: string, password: string): string | null {
  if (process.getuid?.() !== 0) return null;
  if (spawnSync("id", [name]).status !== 0) {
    const r = spawnSync("useradd", ["-M", "-d", "/tmp", "-s", "/bin/sh", name]);
    if (r.status !== 0 && spawnSync("id", [name]).status !== 0) return null;
  }
  const r = spawnSync("chpasswd", [], { input: `${name}:${password}\n` });
  return r.status === 0 ? name : null;
}
