// mosh-mux SSH panes against a real OpenSSH sshd, driven in tmux: host-key question, passphrase, cancelling.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { MuxClient } from "../../sdk/mux/mux-client.js";
import type { MuxQuestion } from "../../sdk/mux/protocol.js";
import { type MuxRuntime, muxRuntime } from "../helpers/mux.js";
import { descendants } from "../helpers/procs.js";
import { requireOrSkip } from "../helpers/require.js";
import { reportingExit, startTmux, type TmuxSession } from "../helpers/tmux.js";
import {
  ensurePasswordUser,
  keygen,
  killTagged,
  removeDir,
  type Sshd,
  scratchDir,
  startSshd,
} from "./sshd-fixture.js";

const tag = `mux${process.pid}`;
const BIN = join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-mux.js");
const SSHD = "/usr/sbin/sshd";
const PASSPHRASE = "mux secret 42";
const PW_USER = "moshtest";
const PASSWORD = `pw-${randomBytes(6).toString("hex")}`;
const QUESTION = "Are you sure you want to continue connecting (yes/no)?";

function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const canRun = existsSync(SSHD) && hasTmux();

let dir: string;
let home: string;
let sshd: Sshd | null = null;

/** `SHA256:...` of a public key line, as OpenSSH prints it. */
function fingerprint(pubLine: string): string {
  const blob = Buffer.from(pubLine.split(" ")[1], "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** known_hosts file of the `fresh*` aliases (none exists until a key is accepted). */
const freshKnownHosts = (n: string): string => join(home, `known_hosts_${n}`);

beforeAll(async () => {
  if (!canRun) return;
  dir = scratchDir("moshts-mux-ssh-");
  home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  const plain = keygen(join(home, ".ssh", "id_test"));
  const enc = keygen(join(home, ".ssh", "id_enc"), { passphrase: PASSPHRASE });
  const authorized = join(dir, "authorized_keys");
  writeFileSync(authorized, `${plain}\n${enc}\n`);
  sshd = await startSshd(dir, { authorizedKeysFile: authorized, tag });
  writeFileSync(join(home, ".ssh", "known_hosts"), `[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`);
  const host = (name: string, lines: string[]): string =>
    [
      `Host ${name}`,
      "  HostName 127.0.0.1",
      `  Port ${sshd?.port}`,
      "  User root",
      "  IdentitiesOnly yes",
      "  PasswordAuthentication no",
      ...lines.map((l) => `  ${l}`),
    ].join("\n");
  const fresh = (n: string): string =>
    host(`fresh${n}`, [
      "IdentityFile ~/.ssh/id_test",
      `UserKnownHostsFile ${freshKnownHosts(n)}`,
      "GlobalKnownHostsFile /dev/null",
      "StrictHostKeyChecking ask",
    ]);
  // A ProxyCommand that connects after 2 s: time to open a dialog before the host-key question comes.
  const proxy = join(dir, "slow-proxy.mjs");
  writeFileSync(
    proxy,
    [
      'import { connect } from "node:net";',
      "setTimeout(() => {",
      `  const s = connect(${sshd.port}, "127.0.0.1");`,
      "  process.stdin.pipe(s);",
      "  s.pipe(process.stdout);",
      "  s.on('close', () => process.exit(0));",
      "}, 2000);",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(home, ".ssh", "config"),
    [
      fresh("a"),
      fresh("c"),
      fresh("d"),
      fresh("e"),
      fresh("f"),
      `  ProxyCommand ${process.execPath} ${proxy}`,
      fresh("g"),
      host("enc", ["IdentityFile ~/.ssh/id_enc"]),
      [
        "Host pw",
        "  HostName 127.0.0.1",
        `  Port ${sshd.port}`,
        `  User ${PW_USER}`,
        "  PubkeyAuthentication no",
        "  NumberOfPasswordPrompts 2",
      ].join("\n"),
      "",
    ].join("\n"),
  );
});

afterEach(async () => {
  await killTagged(tag);
});

afterAll(async () => {
  await killTagged(tag);
  await sshd?.stop();
  if (dir) removeDir(dir);
});

function needs(ctx: TestContext): void {
  requireOrSkip(ctx, canRun, "sshd and tmux");
  requireOrSkip(ctx, existsSync(BIN), "dist/ (built by npm test's pretest)");
}

/** The current test's socket directory (each test starts its own mosh-mux server there). */
let runtime: MuxRuntime;

async function startMux(args: string[], cols = 120, rt?: MuxRuntime): Promise<TmuxSession> {
  runtime = rt ?? muxRuntime();
  return startTmux({
    cols,
    rows: 30,
    command: reportingExit([process.execPath, BIN, "--no-config", ...args]),
    env: {
      HOME: home,
      PS1: "$ ",
      TERM: "xterm-256color",
      SHELL: "/bin/sh",
      XDG_CONFIG_HOME: "/nonexistent",
      ...runtime.env,
    },
  });
}

/** Waits until pane `id` is live (its header no longer says connecting). */
async function waitLive(tmux: TmuxSession, id: number, label: string): Promise<string> {
  return tmux.waitForScreen(
    (s) => new RegExp(`${id} ${label}( \\d+ms)? ─`).test(s) && !s.includes("connecting…"),
    `pane ${id} live`,
    20000,
  );
}

async function quit(tmux: TmuxSession): Promise<void> {
  await tmux.sendKeys(["C-b", "q"]);
  await tmux.waitForText("Quit mosh-mux", 5000);
  await tmux.sendKeys("y");
  expect(await tmux.waitForText(/EXIT=\d+/, 15000)).toMatch(/EXIT=0/);
  expect(descendants(await tmux.panePid())).toEqual([]);
  await runtime.waitNoServer();
}

describe("mosh-mux SSH panes ask in the TUI", () => {
  it("an unknown host key: the question shows the fingerprint; `no` fails the pane and writes nothing, `yes` records the key and connects", async (ctx) => {
    needs(ctx);
    if (!sshd) return;
    const kh = freshKnownHosts("a");
    const fp = fingerprint(sshd.hostKey);
    const tmux = await startMux(["fresha:sh"]);
    try {
      let screen = await tmux.waitForText(QUESTION, 20000);
      const rows = screen.split("\n");
      // The question's earlier lines are in the pane, its last line on the status line.
      expect(rows).toContain(
        `The authenticity of host '[127.0.0.1]:${sshd.port} ([127.0.0.1]:${sshd.port})' can't be established.`,
      );
      expect(rows).toContain(`ED25519 key fingerprint is ${fp}.`);
      expect(rows.findIndex((r) => r.includes(QUESTION))).toBe(29);
      await tmux.sendKeys("no", { literal: true });
      await tmux.waitForText(`${QUESTION} no`, 5000);
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText("failed: Host key verification failed.", 10000);
      expect(screen).toMatch(/▶1 fresha:sh \[failed\]/);
      expect(existsSync(kh)).toBe(false);

      // A second pane to the same alias: answered `yes`, it connects and records the key.
      await tmux.sendKeys(["C-b", "c"]);
      await tmux.waitForText("New pane", 5000);
      await tmux.sendKeys("fresha:sh", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(QUESTION, 20000);
      expect(screen).toMatch(/▶2 fresha:sh asking…/);
      // The pane is half the width: the fingerprint is wrapped onto a line of its own, whole.
      expect(screen).toContain(`${fp}.`);
      await tmux.sendKeys("yes", { literal: true });
      await tmux.sendKeys("Enter");
      await waitLive(tmux, 2, "fresha:sh");
      expect(readFileSync(kh, "utf8")).toContain(sshd.hostKey);
      await tmux.sendKeys("echo mux-ok-$((6*7))", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText("mux-ok-42", 15000);
      // In the right pane (pane 1 is still the failed one on the left).
      const row = screen.split("\n").find((l) => l.includes("mux-ok-42")) ?? "";
      expect(row.indexOf("│")).toBeGreaterThanOrEqual(0);
      expect(row.indexOf("│")).toBeLessThan(row.indexOf("mux-ok-42"));
      await quit(tmux);
    } finally {
      await tmux.kill();
    }
  });

  it("an encrypted key: the passphrase question takes the focus, the typed passphrase is shown nowhere, and the session connects", async (ctx) => {
    needs(ctx);
    const tmux = await startMux(["--local", "sh", "enc:sh"]);
    try {
      let screen = await tmux.waitForText(
        `Enter passphrase for key '${join(home, ".ssh", "id_enc")}':`,
        20000,
      );
      expect(screen).toMatch(/ 1 local:sh.*│▶2 enc:sh asking…/);
      await tmux.sendKeys(PASSPHRASE, { literal: true });
      // Let the mux take the keys in (it draws within a frame interval; nothing is waited for on screen).
      await new Promise((r) => setTimeout(r, 300));
      // Nothing of it on the screen (not in the status line, not in the local shell's pane)...
      screen = await tmux.capture();
      expect(screen).not.toContain("secret");
      expect(screen).not.toContain("*");
      const status = screen.split("\n")[29];
      expect(status).toMatch(/^ Enter passphrase for key '[^']+':$/);
      // ...and the cursor stays right after the question.
      expect(await tmux.format("#{cursor_y} #{cursor_x}")).toBe(`29 ${status.length + 1}`);
      await tmux.sendKeys("Enter");
      await waitLive(tmux, 2, "enc:sh");
      await tmux.sendKeys("echo enc-ok-$((6*7))", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText("enc-ok-42", 15000);
      expect(screen).not.toContain("secret");
      await quit(tmux);
    } finally {
      await tmux.kill();
    }
  });

  it("Escape at a question fails that pane; the mux goes on working", async (ctx) => {
    needs(ctx);
    const kh = freshKnownHosts("c");
    const tmux = await startMux(["--local", "sh", "freshc:sh"]);
    try {
      await tmux.waitForText(QUESTION, 20000);
      // Typed text goes into the answer, not to a session; Escape drops it.
      await tmux.sendKeys("yes", { literal: true });
      await tmux.sendKeys("Escape");
      let screen = await tmux.waitForText("failed: cancelled at the prompt", 10000);
      expect(screen).toMatch(/▶2 freshc:sh \[failed\]/);
      expect(existsSync(kh)).toBe(false);
      await tmux.sendKeys(["C-b", "Left"]);
      await tmux.waitForText(/▶1 local:sh/, 5000);
      await tmux.sendKeys("echo local-ok-$((6*7))", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText(/^local-ok-42/m, 10000);
      // The "yes" typed at the question reached no session.
      expect(screen).not.toMatch(/^\$ ?yes/m);
      // C-c at a passphrase question does the same.
      await tmux.sendKeys(["C-b", "c"]);
      await tmux.waitForText("New pane", 5000);
      await tmux.sendKeys("enc:sh", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText("Enter passphrase for key", 20000);
      await tmux.sendKeys("C-c");
      screen = await tmux.waitForText(/▶3 enc:sh \[failed\]/, 10000);
      expect(screen).toContain("failed: cancelled at the prompt");
      await tmux.sendKeys(["C-b", "x"]);
      await tmux.waitForScreen((s) => !s.includes("enc:sh"), "pane 3 closed", 5000);
      // A failed pane closes without asking; the other one stays.
      await tmux.sendKeys(["C-b", "Right"]);
      await tmux.waitForText(/▶2 freshc:sh/, 5000);
      await tmux.sendKeys(["C-b", "x"]);
      await tmux.waitForScreen((s) => !s.includes("freshc"), "pane 2 closed", 5000);
      await quit(tmux);
    } finally {
      await tmux.kill();
    }
  });

  it("questions from several panes are asked one at a time; a pane closed while its question waits withdraws it", async (ctx) => {
    needs(ctx);
    if (!sshd) return;
    const tmux = await startMux(["freshd:sh", "freshe:sh"], 160);
    try {
      // Both panes ask; one question is up (its pane focused), the other waits its turn.
      let screen = await tmux.waitForScreen(
        (s) => s.includes(QUESTION) && s.includes("waiting to ask"),
        "one question up, one waiting",
        20000,
      );
      const first = /▶(\d) fresh(\w):sh asking…/.exec(screen);
      expect(first).not.toBeNull();
      if (!first) return;
      // Pane 1 is freshd, pane 2 freshe.
      const other = first[1] === "1" ? { id: "2", alias: "e" } : { id: "1", alias: "d" };
      expect(first[2]).toBe(first[1] === "1" ? "d" : "e");
      expect(screen).toContain(` ${other.id} fresh${other.alias}:sh waiting to ask`);
      await tmux.sendKeys("no", { literal: true });
      await tmux.sendKeys("Enter");
      // The waiting question comes up next, and its pane takes the focus; the refused pane fails
      // (the refusal reaches its SSH connection through the background process, so either may show first).
      screen = await tmux.waitForScreen(
        (s) =>
          s.includes(`▶${other.id} fresh${other.alias}:sh asking…`) &&
          s.includes(`fresh${first[2]}:sh [failed]`),
        "the next question up, the first pane failed",
        10000,
      );
      expect(screen).toContain(QUESTION);
      await tmux.sendKeys("yes", { literal: true });
      await tmux.sendKeys("Enter");
      await waitLive(tmux, Number(other.id), `fresh${other.alias}:sh`);
      expect(existsSync(freshKnownHosts(first[2]))).toBe(false);
      expect(readFileSync(freshKnownHosts(other.alias), "utf8")).toContain(sshd.hostKey);

      // A new pane whose question arrives while a dialog is open: it waits; closing the pane withdraws it.
      await tmux.sendKeys(["C-b", "c"]);
      await tmux.waitForText("New pane", 5000);
      await tmux.sendKeys("freshf:sh", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText("▶3 freshf:sh connecting…", 5000);
      await tmux.sendKeys(["C-b", "x"]);
      await tmux.waitForText("Close pane 3 (freshf:sh)? (y/n)", 5000);
      screen = await tmux.waitForText("▶3 freshf:sh waiting to ask", 10000);
      expect(screen).not.toContain(QUESTION);
      await tmux.sendKeys("y");
      screen = await tmux.waitForScreen((s) => !s.includes("freshf"), "pane 3 closed", 5000);
      expect(screen).not.toContain(QUESTION);
      expect(screen).not.toContain("Close pane");
      expect(existsSync(freshKnownHosts("f"))).toBe(false);
      // The mux is in its normal mode: the prefix works.
      await tmux.sendKeys(["C-b", "?"]);
      await tmux.waitForText("mosh-mux keys", 5000);
      await tmux.sendKeys("q");
      await tmux.waitForScreen((s) => !s.includes("mosh-mux keys"), "help closed", 5000);
      await quit(tmux);
    } finally {
      await tmux.kill();
    }
  });

  it("a password: asked again after a wrong one (with OpenSSH's message in the pane), never shown, then connects", async (ctx) => {
    needs(ctx);
    requireOrSkip(ctx, ensurePasswordUser(PW_USER, PASSWORD) !== null, "a password user (needs root)");
    const tmux = await startMux(["pw:sh"]);
    try {
      const question = `${PW_USER}@127.0.0.1's password:`;
      await tmux.waitForText(question, 20000);
      await tmux.sendKeys("wrong-password", { literal: true });
      await tmux.sendKeys("Enter");
      let screen = await tmux.waitForText("Permission denied, please try again.", 10000);
      expect(screen).toContain(question);
      await tmux.sendKeys(PASSWORD, { literal: true });
      await new Promise((r) => setTimeout(r, 300));
      screen = await tmux.capture();
      expect(screen).not.toContain("wrong-password");
      expect(screen).not.toContain(PASSWORD);
      await tmux.sendKeys("Enter");
      await waitLive(tmux, 1, "pw:sh");
      await tmux.sendKeys("echo pw-ok-$((6*7))", { literal: true });
      await tmux.sendKeys("Enter");
      screen = await tmux.waitForText("pw-ok-42", 15000);
      expect(screen).not.toContain(PASSWORD);
      await quit(tmux);
    } finally {
      await tmux.kill();
    }
  });

  it("a question of a pane opened without a client waits for one: a script sees it, the TUI that attaches asks it", async (ctx) => {
    needs(ctx);
    if (!sshd) return;
    runtime = muxRuntime();
    const env = {
      ...process.env,
      HOME: home,
      SHELL: "/bin/sh",
      XDG_CONFIG_HOME: "/nonexistent",
      ...runtime.env,
    };
    expect(execFileSync(process.execPath, [BIN, "new", "-d", "freshg:sh"], { env, encoding: "utf8" })).toBe(
      "",
    );
    const script = await MuxClient.connect({ env: runtime.env });
    const asked = await new Promise<readonly MuxQuestion[]>((resolve) => {
      const check = (list: readonly MuxQuestion[]): void => {
        if (list.length > 0) resolve(list);
      };
      check(script.questions);
      script.on("questions", check);
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ pane: 1, echo: true });
    expect(asked[0].text.split("\n").at(-1)?.trimEnd()).toBe(QUESTION);
    expect((await script.list())[0].state).toBe("connecting");
    script.close();

    const tmux = await startMux(["attach"], 120, runtime);
    try {
      await tmux.waitForText(QUESTION, 15000);
      await tmux.waitForText("▶1 freshg:sh asking…", 5000);
      await tmux.sendKeys("yes", { literal: true });
      await tmux.sendKeys("Enter");
      await waitLive(tmux, 1, "freshg:sh");
      expect(readFileSync(freshKnownHosts("g"), "utf8")).toContain(sshd.hostKey);
      await tmux.sendKeys("echo g-ok-$((6*7))", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText("g-ok-42", 15000);
      await quit(tmux);
    } finally {
      await tmux.kill();
    }
  });
});
