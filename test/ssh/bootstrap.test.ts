// The SSH bootstrap and connect() against a real OpenSSH sshd on loopback, with Debian's mosh-server behind it.
import { execFileSync } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../sdk/bootstrap/connect.js";
import { BootstrapError, type BootstrapErrorCode } from "../../sdk/bootstrap/errors.js";
import type { ProgressEvent } from "../../sdk/bootstrap/progress.js";
import type { PromptFn } from "../../sdk/bootstrap/prompt.js";
import { type BootstrapOptions, bootstrap } from "../../sdk/bootstrap/start-server.js";
import { MoshSession } from "../../sdk/client/mosh-session.js";
import { SessionKey } from "../../sdk/crypto/session-key.js";
import { spawnTracked } from "../helpers/procs.js";
import { requireOrSkip } from "../helpers/require.js";
import {
  allProcessTexts,
  ensurePasswordUser,
  freePort,
  keygen,
  killTagged,
  removeDir,
  type Sshd,
  scratchDir,
  startSshd,
} from "./sshd-fixture.js";

const tag = `boot${process.pid}`;
const PASSPHRASE = "correct horse battery";
const PASSWORD = `pw-${randomBytes(6).toString("hex")}`;
const OUTPUT = ["sh", "-c", "echo mosh-ts-ok-$((6*7)); exec sleep 60"];

let dir: string;
let home: string;
let sshd: Sshd;
let sshdB: Sshd;
let closedPort: number;
let agentKeyPath: string;
const sessions: MoshSession[] = [];
/** Everything any test printed or reported, to check that no session key ever appears in it. */
const printed: string[] = [];

function blobOf(pubLine: string): Buffer {
  return Buffer.from(pubLine.split(" ")[1], "base64");
}
function fingerprint(pubLine: string): string {
  return "SHA256:" + createHash("sha256").update(blobOf(pubLine)).digest("base64").replace(/=+$/, "");
}
const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  LANG: "C.UTF-8",
  TERM: "xterm-256color",
  HOME: home,
});

function options(extra: Partial<BootstrapOptions> = {}): BootstrapOptions {
  return {
    home,
    systemConfigFile: null,
    env: env(),
    command: OUTPUT,
    serverTimeoutMs: 15000,
    onMessage: (m) => printed.push(m),
    onServerOutput: (m) => printed.push(m),
    ...extra,
  };
}

async function failure(p: Promise<unknown>): Promise<BootstrapError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BootstrapError) {
      printed.push(e.message);
      return e;
    }
    throw e;
  }
  throw new Error("expected a BootstrapError");
}

function expectCode(e: BootstrapError, code: BootstrapErrorCode): void {
  expect(e.code, e.message).toBe(code);
}

beforeAll(async () => {
  dir = scratchDir("moshts-ssh-");
  home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  const plain = keygen(join(home, ".ssh", "id_test"));
  const enc = keygen(join(home, ".ssh", "id_enc"), { passphrase: PASSPHRASE });
  agentKeyPath = join(dir, "agent_key");
  const agentPub = keygen(agentKeyPath);
  keygen(join(home, ".ssh", "id_wrong"));
  const authorized = join(dir, "authorized_keys");
  writeFileSync(authorized, [plain, enc, agentPub, ""].join("\n"));
  [sshd, sshdB] = await Promise.all([
    startSshd(dir, { authorizedKeysFile: authorized, tag }),
    startSshd(join(dir), { authorizedKeysFile: authorized, tag, hostKeyType: "ecdsa" }),
  ]);
  closedPort = await freePort();
  writeFileSync(
    join(home, ".ssh", "known_hosts"),
    `[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n[127.0.0.1]:${sshdB.port} ${sshdB.hostKey}\n`,
  );
  const host = (name: string, port: number, lines: string[]) =>
    [`Host ${name}`, "  HostName 127.0.0.1", `  Port ${port}`, ...lines.map((l) => `  ${l}`)].join("\n");
  writeFileSync(
    join(home, ".ssh", "config"),
    [
      host("alias", sshd.port, ["User root", "IdentityFile ~/.ssh/id_test", "IdentitiesOnly yes"]),
      host("enc", sshd.port, ["User root", "IdentityFile ~/.ssh/id_enc"]),
      host("agent", sshd.port, ["User root"]),
      host("pw", sshd.port, ["User moshtest", "PubkeyAuthentication no"]),
      host("wrongkey", sshd.port, ["User root", "IdentityFile ~/.ssh/id_wrong", "IdentitiesOnly yes"]),
      host("target-b", sshdB.port, ["User root", "IdentityFile ~/.ssh/id_test", "ProxyJump alias"]),
      host("closed", closedPort, ["User root"]),
      "",
    ].join("\n"),
  );
});

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close().catch(() => undefined);
  await killTagged(tag);
});

afterAll(async () => {
  await killTagged(tag);
  await Promise.all([sshd?.stop(), sshdB?.stop()]);
  if (dir) removeDir(dir);
});

describe("bootstrap against OpenSSH", () => {
  it("connects to an alias from ~/.ssh/config through Debian's mosh-server; the output appears and the key stays secret", async () => {
    const events: ProgressEvent[] = [];
    const shown: string[] = [];
    const r = await bootstrap(
      "alias",
      options({
        server: "echo 'Welcome: motd noise'; mosh-server",
        onProgress: (e) => events.push(e),
        onServerOutput: (m) => shown.push(m),
      }),
    );
    expect(r.host).toBe("127.0.0.1");
    expect(r.port).toBeGreaterThan(0);
    expect(() => SessionKey.parse(r.key)).not.toThrow();
    expect(shown).toEqual(["Welcome: motd noise"]);
    expect(events.map((e) => e.kind)).toEqual([
      "resolving",
      "connecting",
      "authenticating",
      "starting-server",
      "connected",
    ]);
    expect(events[1]).toMatchObject({ host: "127.0.0.1", port: sshd.port, address: "127.0.0.1" });
    expect(events[2]).toMatchObject({ user: "root" });
    const session = new MoshSession({ host: r.host, port: r.port, key: r.key });
    sessions.push(session);
    await session.connect();
    await session.waitFor("mosh-ts-ok-42");
    // While the session runs, no process's command line or environment holds the key.
    expect(allProcessTexts().filter((t) => t.includes(r.key))).toEqual([]);
    expect([...printed, ...shown, JSON.stringify(events)].filter((t) => t.includes(r.key))).toEqual([]);
  });

  it("connects with mosh-ts-server as the --server", async (ctx) => {
    const serverBin = join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-ts-server.js");
    requireOrSkip(ctx, existsSync(serverBin), "dist/ (built by npm test's pretest)");
    const session = await connect("alias", { ...options({ server: `${process.execPath} ${serverBin}` }) });
    sessions.push(session);
    await session.waitFor("mosh-ts-ok-42");
  });

  it("connect('<alias>') returns a connected MoshSession and reports each step", async () => {
    const events: ProgressEvent[] = [];
    const session = await connect("alias", {
      ...options(),
      onProgress: (e) => events.push(e),
      cols: 100,
      rows: 30,
    });
    sessions.push(session);
    expect(session.connected).toBe(true);
    const frame = await session.waitFor("mosh-ts-ok-42");
    expect(frame.lines().join("\n")).toContain("mosh-ts-ok-42");
    expect(events.map((e) => e.kind)).toEqual([
      "resolving",
      "connecting",
      "authenticating",
      "starting-server",
      "connected",
    ]);
  });

  it("authenticates with a key held by ssh-agent (and fails without it)", async () => {
    const sock = join(dir, "agent.sock");
    const agent = spawnTracked("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
    execFileSync("ssh-add", ["-q", agentKeyPath], {
      env: { ...process.env, SSH_AUTH_SOCK: sock },
      stdio: "ignore",
    });
    try {
      const r = await bootstrap("agent", options({ env: { ...env(), SSH_AUTH_SOCK: sock } }));
      expect(r.host).toBe("127.0.0.1");
      const e = await failure(bootstrap("agent", options()));
      expectCode(e, "auth-failed");
    } finally {
      agent.kill();
    }
  });

  it("asks for the passphrase of an encrypted key (and gives up after three wrong ones)", async () => {
    const asked: Array<[string, boolean]> = [];
    const answer =
      (text: string): PromptFn =>
      async (q, { echo }) => {
        asked.push([q, echo]);
        return text;
      };
    const r = await bootstrap("enc", options({ prompt: answer(PASSPHRASE) }));
    expect(r.port).toBeGreaterThan(0);
    const question = `Enter passphrase for key '${join(home, ".ssh", "id_enc")}': `;
    expect(asked).toEqual([[question, false]]);
    asked.length = 0;
    const e = await failure(bootstrap("enc", options({ prompt: answer("wrong") })));
    expectCode(e, "auth-failed");
    expect(e.message).toBe("root@127.0.0.1: Permission denied (publickey,password).");
    // Three passphrase tries (NumberOfPasswordPrompts), then OpenSSH's next method: password.
    expect(asked.slice(0, 3)).toEqual([
      [question, false],
      [question, false],
      [question, false],
    ]);
    expect(asked.slice(3).every(([q]) => q === "root@127.0.0.1's password: ")).toBe(true);
  });

  it("authenticates with a password through the prompt callback, and refuses a wrong one", async (ctx) => {
    // Creates (once, idempotently) the local user `moshtest` with a random password via useradd + chpasswd.
    requireOrSkip(ctx, ensurePasswordUser("moshtest", PASSWORD) !== null, "a password user (needs root)");
    const asked: string[] = [];
    const messages: string[] = [];
    const r = await bootstrap(
      "pw",
      options({
        command: ["sh", "-c", "echo user-$(id -un); exec sleep 60"],
        prompt: async (q, { echo }) => {
          asked.push(`${q}|${echo}`);
          return PASSWORD;
        },
      }),
    );
    expect(asked).toEqual(["moshtest@127.0.0.1's password: |false"]);
    const session = new MoshSession({ host: r.host, port: r.port, key: r.key });
    sessions.push(session);
    await session.connect();
    await session.waitFor("user-moshtest");

    asked.length = 0;
    const e = await failure(
      bootstrap(
        "pw",
        options({
          onMessage: (m) => messages.push(m),
          prompt: async (q) => {
            asked.push(q);
            return "not-the-password";
          },
        }),
      ),
    );
    expectCode(e, "auth-failed");
    expect(e.message).toBe("moshtest@127.0.0.1: Permission denied (publickey,password).");
    expect(asked).toHaveLength(3);
    expect(messages).toEqual([
      "Permission denied, please try again.",
      "Permission denied, please try again.",
    ]);
  });
});

describe("host keys", () => {
  const fresh = (name: string) => join(dir, name, ".ssh", "known_hosts");

  it("asks about an unknown host key: `no` aborts and writes nothing, `yes` records it", async () => {
    const file = fresh("unknown");
    const questions: string[] = [];
    const ask =
      (answer: string): PromptFn =>
      async (q) => {
        questions.push(q);
        return answer;
      };
    const o = options({ sshOptions: [`UserKnownHostsFile=${file}`] });
    const e = await failure(bootstrap("alias", { ...o, prompt: ask("no") }));
    expectCode(e, "host-key-rejected");
    expect(e.message).toBe("Host key verification failed.");
    expect(existsSync(join(dir, "unknown"))).toBe(false);
    expect(questions).toEqual([
      `The authenticity of host '[127.0.0.1]:${sshd.port} ([127.0.0.1]:${sshd.port})' can't be established.\n` +
        `ED25519 key fingerprint is ${fingerprint(sshd.hostKey)}.\n` +
        "Are you sure you want to continue connecting (yes/no)? ",
    ]);

    const messages: string[] = [];
    await bootstrap("alias", { ...o, prompt: ask("yes"), onMessage: (m) => messages.push(m) });
    expect(readFileSync(file, "utf8")).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "unknown", ".ssh")).mode & 0o777).toBe(0o700);
    expect(messages).toContain(
      `Warning: Permanently added '[127.0.0.1]:${sshd.port}' (ED25519) to the list of known hosts.`,
    );
    // Now known: no question.
    questions.length = 0;
    await bootstrap("alias", { ...o, prompt: ask("no") });
    expect(questions).toEqual([]);
  });

  it("honours StrictHostKeyChecking yes / accept-new, and HashKnownHosts", async () => {
    const file = fresh("strict");
    const never: PromptFn = async () => {
      throw new Error("must not ask");
    };
    const strict = await failure(
      bootstrap(
        "alias",
        options({ prompt: never, sshOptions: [`UserKnownHostsFile=${file}`, "StrictHostKeyChecking=yes"] }),
      ),
    );
    expectCode(strict, "host-key-rejected");
    expect(strict.message).toBe(
      `No ED25519 host key is known for [127.0.0.1]:${sshd.port} and you have requested strict checking.\nHost key verification failed.`,
    );
    expect(existsSync(file)).toBe(false);
    await bootstrap(
      "alias",
      options({
        prompt: never,
        sshOptions: [`UserKnownHostsFile=${file}`, "StrictHostKeyChecking=accept-new", "HashKnownHosts=yes"],
      }),
    );
    expect(readFileSync(file, "utf8")).toMatch(/^\|1\|\S+\|\S+ ssh-ed25519 \S+\n$/);
  });

  it("refuses a changed host key with OpenSSH's warning, naming the file and line, and writes nothing", async () => {
    const file = fresh("changed");
    mkdirSync(join(dir, "changed", ".ssh"), { recursive: true });
    const other = keygen(join(dir, "changed", "other_host_key"));
    const text = `example.org ${other}\n[127.0.0.1]:${sshd.port} ${other}\n`;
    writeFileSync(file, text);
    let asked = false;
    const e = await failure(
      bootstrap(
        "alias",
        options({
          sshOptions: [`UserKnownHostsFile=${file}`],
          prompt: async () => {
            asked = true;
            return "yes";
          },
        }),
      ),
    );
    expectCode(e, "host-key-changed");
    expect(e.message).toContain("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @");
    expect(e.message).toContain(
      `The fingerprint for the ED25519 key sent by the remote host is\n${fingerprint(sshd.hostKey)}.`,
    );
    expect(e.message).toContain(`Offending ED25519 key in ${file}:2\n`);
    expect(e.message).toMatch(
      new RegExp(
        `Host key for \\[127\\.0\\.0\\.1\\]:${sshd.port} has changed and you have requested strict checking\\.\\nHost key verification failed\\.$`,
      ),
    );
    expect(e.details).toMatchObject({ file, line: 2 });
    expect(asked).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("matches a hashed known_hosts entry", async () => {
    const file = fresh("hashed");
    mkdirSync(join(dir, "hashed", ".ssh"), { recursive: true });
    const salt = randomBytes(20);
    const mac = createHmac("sha1", salt).update(`[127.0.0.1]:${sshd.port}`).digest("base64");
    writeFileSync(file, `|1|${salt.toString("base64")}|${mac} ${sshd.hostKey}\n`);
    const r = await bootstrap(
      "alias",
      options({ sshOptions: [`UserKnownHostsFile=${file}`, "StrictHostKeyChecking=yes"] }),
    );
    expect(r.host).toBe("127.0.0.1");
  });

  it("lets an SDK hostVerifier decide instead of known_hosts", async () => {
    const file = fresh("verifier");
    const seen: string[] = [];
    const o = options({ sshOptions: [`UserKnownHostsFile=${file}`, "StrictHostKeyChecking=yes"] });
    const e = await failure(
      bootstrap("alias", {
        ...o,
        hostVerifier: (info) => {
          seen.push(`${info.knownHostsName} ${info.keyType} ${info.fingerprint} ${info.address}`);
          return false;
        },
      }),
    );
    expectCode(e, "host-key-rejected");
    expect(seen).toEqual([`[127.0.0.1]:${sshd.port} ssh-ed25519 ${fingerprint(sshd.hostKey)} 127.0.0.1`]);
    const r = await bootstrap("alias", {
      ...o,
      hostVerifier: async (info) => info.fingerprint === fingerprint(sshd.hostKey),
    });
    expect(r.port).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(false);
  });
});

describe("ProxyJump", () => {
  it("reaches the server through a jump host and learns its address from SSH_CONNECTION", async () => {
    const events: ProgressEvent[] = [];
    const r = await bootstrap("target-b", options({ onProgress: (e) => events.push(e) }));
    expect(r.host).toBe("127.0.0.1");
    const connecting = events.filter((e) => e.kind === "connecting");
    expect(connecting).toEqual([
      { kind: "connecting", host: "127.0.0.1", port: sshd.port, address: "127.0.0.1" },
      { kind: "connecting", host: "127.0.0.1", port: sshdB.port, via: `root@127.0.0.1:${sshd.port}` },
    ]);
    expect(events.filter((e) => e.kind === "authenticating")).toHaveLength(2);
    const session = new MoshSession({ host: r.host, port: r.port, key: r.key });
    sessions.push(session);
    await session.connect();
    await session.waitFor("mosh-ts-ok-42");
    expect(sshdB.log()).toMatch(/Accepted publickey for root from 127\.0\.0\.1/);
  });

  it("connects through a ProxyCommand (its tokens expanded) and learns the address from SSH_CONNECTION", async () => {
    const relay = `const s=require("net").connect(Number(process.argv[1]),process.argv[2]);process.stdin.pipe(s);s.pipe(process.stdout)`;
    const events: ProgressEvent[] = [];
    const r = await bootstrap(
      "alias",
      options({
        sshOptions: [`ProxyCommand=${process.execPath} -e '${relay}' %p %h`],
        onProgress: (e) => events.push(e),
      }),
    );
    expect(r.host).toBe("127.0.0.1");
    expect(events.find((e) => e.kind === "connecting")).toMatchObject({ via: "ProxyCommand" });
  });

  it("reports a jump host that cannot reach the target", async () => {
    const e = await failure(
      bootstrap("alias", options({ sshOptions: ["ProxyJump=alias", `Port=${closedPort}`] })),
    );
    expectCode(e, "connection-refused");
    expect(e.message).toContain(
      `connect to host 127.0.0.1 port ${closedPort} through jump host 127.0.0.1 port ${sshd.port}`,
    );
  });
});

describe("specific errors", () => {
  it("a key the server does not accept", async () => {
    const e = await failure(bootstrap("wrongkey", options()));
    expectCode(e, "auth-failed");
    expect(e.message).toBe("root@127.0.0.1: Permission denied (publickey,password).");
  });

  it("a port with no sshd", async () => {
    const e = await failure(bootstrap("closed", options()));
    expectCode(e, "connection-refused");
    expect(e.message).toBe(`connect to host 127.0.0.1 port ${closedPort}: Connection refused`);
  });

  it("a host name that does not resolve", async () => {
    const e = await failure(bootstrap("nosuchhost.invalid", options()));
    expectCode(e, "unknown-host");
    expect(e.message).toBe("Could not resolve hostname nosuchhost.invalid: Name or service not known");
  });

  it("a server that accepts TCP but never speaks SSH (ConnectTimeout)", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const e = await failure(
        bootstrap("alias", options({ sshOptions: [`Port=${port}`, "ConnectTimeout=1"] })),
      );
      expectCode(e, "connection-timeout");
      expect(e.message).toBe(`Connection timed out during banner exchange with 127.0.0.1 port ${port}`);
    } finally {
      silent.close();
    }
  });

  it("no mosh-server on the host", async () => {
    const e = await failure(bootstrap("alias", options({ server: "/nonexistent/mosh-server" })));
    expectCode(e, "server-not-found");
    expect(e.message).toContain(
      '"/nonexistent/mosh-server" was not found there (command not found, exit status 127)',
    );
  });

  it("a server that prints no MOSH CONNECT, and one that prints a malformed one", async () => {
    const none = await failure(bootstrap("alias", options({ server: "echo hello; true" })));
    expectCode(none, "no-connect-line");
    expect(none.message).toBe(
      "Did not find mosh server startup message. (Have you installed mosh on your server?)",
    );
    const bad = await failure(bootstrap("alias", options({ server: "echo MOSH CONNECT 60001 xyz;" })));
    expectCode(bad, "bad-connect-line");
    expect(bad.message).toBe("Bad MOSH CONNECT string");
  });

  it("a UDP port that never answers", async () => {
    const port = await freePort();
    const key = "AAAAAAAAAAAAAAAAAAAAAA";
    const e = await failure(
      connect("alias", {
        ...options({ server: `printf 'MOSH CONNECT %s %s\\n' ${port} ${key};` }),
        udpTimeoutMs: 1500,
      }),
    );
    expectCode(e, "udp-timeout");
    expect(e.message).toContain(`UDP to port ${port} may be blocked`);
    expect(e.message).not.toContain(key);
  });

  it("an AbortSignal stops the attempt", async () => {
    const ac = new AbortController();
    const e = await failure(
      connect("alias", {
        ...options(),
        signal: ac.signal,
        onProgress: (ev) => {
          if (ev.kind === "authenticating") ac.abort();
        },
      }),
    );
    expectCode(e, "aborted");
  });

  it("an abort while a host-key question is open ends cleanly when the question then fails", async () => {
    const ac = new AbortController();
    const file = join(dir, "abort-at-question", ".ssh", "known_hosts");
    const e = await failure(
      connect("alias", {
        ...options({ sshOptions: [`UserKnownHostsFile=${file}`] }),
        signal: ac.signal,
        // The question is withdrawn: abort first, then reject (as mosh-mux does when a pane closes).
        prompt: () =>
          new Promise<string>((_, reject) => {
            ac.abort();
            setTimeout(() => reject(new Error("withdrawn")), 50);
          }),
      }),
    );
    expectCode(e, "aborted");
    // (ssh2 used to throw from the late answer, an uncaught error that fails this test.)
    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(file)).toBe(false);
  });

  it("never printed a session key", () => {
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.filter((t) => /MOSH CONNECT \d+ [A-Za-z0-9/+]{22}/.test(t))).toEqual([]);
  });
});
