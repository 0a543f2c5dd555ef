// The mosh-ts program: options, progress lines and specific errors (in-process), and the built binary end to end in tmux.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { ReadStream, WriteStream } from "node:tty";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TerminalClientOptions } from "../../frontend/client/terminal-client.js";
import { type CliIo, runCli } from "../../frontend/mosh-ts/cli.js";
import { MoshSession } from "../../sdk/client/mosh-session.js";
import { versionBlock } from "../../sdk/version.js";
import { requireOrSkip } from "../helpers/require.js";
import { reportingExit, startTmux } from "../helpers/tmux.js";
import {
  allProcessTexts,
  freePort,
  keygen,
  killTagged,
  removeDir,
  type Sshd,
  scratchDir,
  startSshd,
} from "./sshd-fixture.js";

const tag = `cli${process.pid}`;
const BIN = join(import.meta.dirname, "..", "..", "dist", "bin", "mosh-ts.js");
let dir: string;
let home: string;
let sshd: Sshd;
let closedPort: number;

beforeAll(async () => {
  dir = scratchDir("moshts-cli-");
  home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  const pub = keygen(join(home, ".ssh", "id_test"));
  keygen(join(home, ".ssh", "id_wrong"));
  writeFileSync(join(dir, "authorized_keys"), `${pub}\n`);
  sshd = await startSshd(dir, { authorizedKeysFile: join(dir, "authorized_keys"), tag });
  closedPort = await freePort();
  writeFileSync(join(home, ".ssh", "known_hosts"), `[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`);
  writeFileSync(
    join(home, ".ssh", "config"),
    [
      "Host alias",
      "  HostName 127.0.0.1",
      `  Port ${sshd.port}`,
      "  User root",
      "  IdentityFile ~/.ssh/id_test",
      "Host wrongkey",
      "  HostName 127.0.0.1",
      `  Port ${sshd.port}`,
      "  User root",
      "  IdentityFile ~/.ssh/id_wrong",
      "  PasswordAuthentication no",
      "Host closed",
      "  HostName 127.0.0.1",
      `  Port ${closedPort}`,
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

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  client: TerminalClientOptions | null;
}

/** Runs the program in-process; the "terminal client" is a MoshSession that waits for `expectText`. */
async function run(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; expectText?: string; stderrTty?: boolean; progressDelayMs?: number } = {},
): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (opts.stderrTty) Object.assign(stderr, { isTTY: true });
  let out = "";
  let err = "";
  stdout.on("data", (d) => {
    out += d;
  });
  stderr.on("data", (d) => {
    err += d;
  });
  let client: TerminalClientOptions | null = null;
  const io: CliIo = {
    stdin: new PassThrough() as unknown as ReadStream,
    stdout: stdout as unknown as WriteStream,
    stderr,
    env: { PATH: process.env.PATH, LANG: "C.UTF-8", TERM: "xterm-256color", HOME: home, ...opts.env },
    prompt: async () => {
      throw new Error("no prompt expected");
    },
    defaults: { home, systemConfigFile: null, serverTimeoutMs: 15000 },
    progressDelayMs: opts.progressDelayMs,
    runClient: async (o) => {
      client = o;
      const session = new MoshSession({ host: o.ip, port: o.port, key: o.key });
      try {
        await session.connect();
        if (opts.expectText) await session.waitFor(opts.expectText);
      } finally {
        await session.close();
      }
      return 0;
    },
  };
  const status = await runCli(args, io);
  return { status, stdout: out, stderr: err, client };
}

describe("mosh-ts (in-process)", () => {
  it("bootstraps an alias, prints the server's other output on stdout and no progress (stderr is no terminal), and hands the client its settings", async () => {
    const r = await run(
      [
        "--server",
        "echo 'motd: hello'; mosh-server",
        "--predict=always",
        "--predict-overwrite",
        "--no-init",
        "alias",
        "--",
        "sh",
        "-c",
        "echo cli-ok-$((6*7)); exec sleep 60",
      ],
      { expectText: "cli-ok-42", env: { MOSH_KEY: "should-be-removed" } },
    );
    expect(r.status, r.stderr).toBe(0);
    const c = r.client as TerminalClientOptions | null;
    expect(c).not.toBeNull();
    if (!c) return;
    expect(c.ip).toBe("127.0.0.1");
    expect(c.env.MOSH_PREDICTION_DISPLAY).toBe("always");
    expect(c.env.MOSH_PREDICTION_OVERWRITE).toBe("yes");
    expect(c.env.MOSH_NO_TERM_INIT).toBe("1");
    expect(c.env.MOSH_KEY).toBeUndefined();
    expect(r.stdout).toBe("motd: hello\n");
    expect(r.stderr).toBe("");
    expect(r.stdout + r.stderr).not.toContain(c.key);
  });

  it("progress lines only on a terminal, only once the bootstrap is slow, and never with -q", async () => {
    const command = ["--", "sh", "-c", "echo progress-ok; exec sleep 60"];
    // A terminal, and every step counts as slow: each one is shown.
    const slow = await run(["alias", ...command], {
      expectText: "progress-ok",
      stderrTty: true,
      progressDelayMs: 0,
    });
    expect(slow.status, slow.stderr).toBe(0);
    expect(slow.stderr.split("\n")).toEqual([
      `mosh-ts: connecting to 127.0.0.1 port ${sshd.port}`,
      "mosh-ts: authenticating as root on 127.0.0.1",
      "mosh-ts: starting the mosh server on 127.0.0.1",
      `mosh-ts: mosh-server is listening on 127.0.0.1 UDP port ${slow.client?.port}`,
      "",
    ]);
    // A server that takes a second to start: the step in progress appears (after 300 ms).
    const server = await run(["--server=sleep 1; mosh-server", "alias", ...command], {
      expectText: "progress-ok",
      stderrTty: true,
    });
    expect(server.status, server.stderr).toBe(0);
    expect(server.stderr).toMatch(/^mosh-ts: starting the mosh server on 127\.0\.0\.1\n/m);
    // -q: nothing, however slow.
    for (const q of ["-q", "--quiet"]) {
      const quiet = await run([q, "alias", ...command], {
        expectText: "progress-ok",
        stderrTty: true,
        progressDelayMs: 0,
      });
      expect(quiet.status, quiet.stderr).toBe(0);
      expect(quiet.stderr).toBe("");
    }
    // Quicker than the delay (an hour here): nothing.
    const fast = await run(["alias", ...command], {
      expectText: "progress-ok",
      stderrTty: true,
      progressDelayMs: 3_600_000,
    });
    expect(fast.stderr).toBe("");
  });

  const failures: Array<[string, string[], RegExp]> = [
    [
      "unknown host name",
      ["nosuchhost.invalid"],
      /^mosh-ts: Could not resolve hostname nosuchhost\.invalid: Name or service not known\n$/m,
    ],
    [
      "connection refused",
      ["closed"],
      /^mosh-ts: connect to host 127\.0\.0\.1 port \d+: Connection refused$/m,
    ],
    [
      "authentication failed",
      ["wrongkey"],
      /^mosh-ts: root@127\.0\.0\.1: Permission denied \(publickey,password\)\.$/m,
    ],
    [
      "no mosh-server on the host",
      ["--server=/nonexistent/mosh-server", "alias"],
      /^mosh-ts: could not start the mosh server on 127\.0\.0\.1: "\/nonexistent\/mosh-server" was not found there \(command not found, exit status 127\)\.$/m,
    ],
    [
      "no MOSH CONNECT",
      ["--server=echo hi; true", "alias"],
      /^mosh-ts: Did not find mosh server startup message\. \(Have you installed mosh on your server\?\)$/m,
    ],
  ];
  for (const [what, args, pattern] of failures) {
    it(`exits 255 with a specific message: ${what}`, async () => {
      const r = await run(args);
      expect(r.status).toBe(255);
      expect(r.stderr).toMatch(pattern);
      expect(r.client).toBeNull();
    });
  }

  it("exits 255 on a changed host key with OpenSSH's warning, and writes nothing", async () => {
    const file = join(dir, "kh-changed");
    const text = `[127.0.0.1]:${sshd.port} ${keygen(join(dir, "other_key"))}\n`;
    writeFileSync(file, text);
    const r = await run([`--ssh=ssh -o UserKnownHostsFile=${file}`, "alias"]);
    expect(r.status).toBe(255);
    expect(r.stderr).toContain("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n");
    expect(r.stderr).toContain(`Offending ED25519 key in ${file}:1\n`);
    expect(r.stderr).toMatch(/Host key verification failed\.\n$/);
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("exits 255 when the printed UDP port does not answer, saying UDP may be blocked", async () => {
    const port = await freePort();
    const key = "AAAAAAAAAAAAAAAAAAAAAA";
    const r = await run([`--server=printf 'MOSH CONNECT %s %s\\n' ${port} ${key};`, "alias"]);
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(
      new RegExp(
        `^mosh-ts: no UDP reply from 127\\.0\\.0\\.1 port ${port} .*UDP to port ${port} may be blocked`,
        "m",
      ),
    );
    expect(r.stderr).not.toContain(key);
    expect(r.client).toBeNull();
  });

  it("--local starts the server on this machine without SSH (and -o is mosh's --predict-overwrite)", async () => {
    const r = await run(
      ["-o", "--local", "127.0.0.1", "--", "sh", "-c", "echo local-ok-$((6*7)); exec sleep 60"],
      {
        expectText: "local-ok-42",
        env: { MOSHTS_SSH_TEST: tag },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.client?.ip).toBe("127.0.0.1");
    expect(r.client?.env.MOSH_PREDICTION_OVERWRITE).toBe("yes");
    expect(r.stderr).not.toContain("connecting to");
    const bad = await run(["--local", "localhost"]);
    expect(bad.status).toBe(255);
    expect(bad.stderr).toBe('mosh-ts: --local needs a numeric IP address, not "localhost"\n');
  });

  it("--ssh=COMMAND: ssh's -p, -l, -i and -o reach the in-process SSH client", async () => {
    const r = await run(
      [
        `--ssh=ssh -p ${sshd.port} -l root -i '${join(home, ".ssh", "id_test")}' -o IdentitiesOnly=yes -v`,
        "127.0.0.1",
        "--",
        "sh",
        "-c",
        "echo ssh-opts-$((6*7)); exec sleep 60",
      ],
      { expectText: "ssh-opts-42" },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.client?.ip).toBe("127.0.0.1");
  });

  it("--experimental-remote-ip=remote and =local find the server's address as mosh does", async () => {
    for (const mode of ["remote", "local"]) {
      const r = await run(
        [`--experimental-remote-ip=${mode}`, "alias", "--", "sh", "-c", "echo rip-ok; exec sleep 60"],
        {
          expectText: "rip-ok",
        },
      );
      expect(r.status, `${mode}: ${r.stderr}`).toBe(0);
      expect(r.client?.ip).toBe("127.0.0.1");
    }
  });

  it("--client=PATH runs that client as mosh runs mosh-client: -# ARGS, IP, PORT, the key in MOSH_KEY; its status is ours", async () => {
    const out = join(dir, "client-args");
    const fake = join(dir, "fake-client.sh");
    writeFileSync(
      fake,
      `#!/bin/sh\nif [ "$1" = -c ]; then echo 256; exit 0; fi\n` +
        `{ printf '%s\\n' "$@"; [ \${#MOSH_KEY} -eq 22 ] && echo key-in-env; echo "$MOSH_PREDICTION_DISPLAY"; } > ${out}\nexit 7\n`,
      { mode: 0o755 },
    );
    const r = await run([`--client=${fake}`, "-a", "--local", "127.0.0.1"], {
      env: { MOSHTS_SSH_TEST: tag },
    });
    expect(r.status, r.stderr).toBe(7);
    expect(r.client).toBeNull();
    const [hash, cmdline, ip, port, key, predict] = readFileSync(out, "utf8").split("\n");
    expect([hash, cmdline, ip]).toEqual(["-#", `--client=${fake} -a --local 127.0.0.1 |`, "127.0.0.1"]);
    expect(port).toMatch(/^\d+$/);
    expect([key, predict]).toEqual(["key-in-env", "always"]);
    const missing = await run(["--client=/nonexistent/client", "alias"]);
    expect(missing.status).toBe(255);
    expect(missing.stderr).toMatch(/^mosh-ts: Can't count colors: .*ENOENT/);
  });

  it("validates options like mosh and prints help and version", async () => {
    const port = await run(["-p", "0:5", "alias"]);
    expect(port.status).toBe(255);
    expect(port.stderr).toBe(
      "mosh-ts: Server-side port ranges may not be used with starting port 0 (0:5).\n",
    );
    const predict = await run(["--predict=sometimes", "alias"]);
    expect(predict.status).toBe(255);
    expect(predict.stderr).toMatch(/^mosh-ts: Unknown mode "sometimes"\.\n/);
    const envPredict = await run(["alias"], { env: { MOSH_PREDICTION_DISPLAY: "bogus" } });
    expect(envPredict.stderr).toMatch(
      /^mosh-ts: Unknown mode "bogus" \(MOSH_PREDICTION_DISPLAY in environment\)\.\n/,
    );
    expect((await run(["--bind-server=eth0", "alias"])).stderr).toBe(
      "mosh-ts: Unknown server binding option: eth0\n",
    );
    expect((await run(["--ssh-port=0", "alias"])).stderr).toBe("mosh-ts: Bad SSH port (0)\n");
    expect((await run(["--family=ipx", "alias"])).stderr).toBe('mosh-ts: Unknown address family "ipx".\n');
    const v6 = await run(["-6", "closed"]);
    expect(v6.status).toBe(255);
    expect(v6.stderr).toBe(
      "mosh-ts: Could not resolve hostname 127.0.0.1: Address family for hostname not supported\n",
    );
    const none = await run([]);
    expect(none.status).toBe(255);
    expect(none.stderr).toMatch(/^Usage: mosh-ts \[options\] \[--\] \[user@\]host \[command\.\.\.\]\n/);
    const help = await run(["--help"]);
    expect(help.status).toBe(0);
    for (const o of [
      "--server=COMMAND",
      "--predict=adaptive",
      "-o      --predict-overwrite",
      "--port=PORT[:PORT2]",
      "--family=inet",
      "--bind-server",
      "--ssh=COMMAND",
      "--no-init",
      "--local",
      "--ssh-option=KEY=VALUE",
      "--ssh-port=PORT",
      "-i FILE --identity=FILE",
    ]) {
      expect(help.stdout).toContain(o);
    }
    const ssh = await run(["--ssh=ssh -L 8080:localhost:80", "alias"]);
    expect(ssh.status).toBe(255);
    expect(ssh.stderr).toBe("mosh-ts: --ssh=ssh -L 8080:localhost:80: ssh's -L is not supported\n");
    const version = await run(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(versionBlock("mosh-ts"));
  });
});

describe("mosh-ts (built binary, in tmux)", () => {
  it("asks on the terminal: an unknown host key (yes) and a passphrase (not echoed)", async (ctx) => {
    requireOrSkip(ctx, existsSync(BIN), "dist/ (built by npm test's pretest)");
    const passphrase = "tty secret 42";
    const pub = keygen(join(home, ".ssh", "id_tty"), { passphrase });
    writeFileSync(join(dir, "authorized_keys"), `\n${pub}\n`, { flag: "a" });
    const knownHosts = join(dir, "tty-known-hosts");
    const tmux = await startTmux({
      cols: 100,
      rows: 24,
      command: reportingExit([
        process.execPath,
        BIN,
        "--ssh-option",
        `UserKnownHostsFile=${knownHosts}`,
        "-i",
        join(home, ".ssh", "id_tty"),
        "--ssh-option=IdentitiesOnly=yes",
        "alias",
        "--",
        "sh",
        "-c",
        "echo tty-ok-$((6*7)); exec sleep 60",
      ]),
      env: { HOME: home, LANG: "C.UTF-8", TERM: "xterm-256color" },
    });
    try {
      await tmux.waitForText("Are you sure you want to continue connecting (yes/no)?", 15000);
      await tmux.sendKeys("yes", { literal: true });
      await tmux.sendKeys("Enter");
      await tmux.waitForText(`Enter passphrase for key '${join(home, ".ssh", "id_tty")}':`, 15000);
      await tmux.sendKeys(passphrase, { literal: true });
      const typed = await tmux.capture();
      expect(typed).not.toContain(passphrase);
      await tmux.sendKeys("Enter");
      await tmux.waitForText("tty-ok-42", 20000);
      expect(readFileSync(knownHosts, "utf8")).toContain(sshd.hostKey);
      await tmux.sendBytes("\x1e.");
      expect(await tmux.waitForText(/EXIT=\d+/, 15000)).toMatch(/EXIT=0/);
    } finally {
      await tmux.kill();
    }
  });

  it("runs a session to an alias with Debian's mosh-server; the key appears in no process and on no screen", async (ctx) => {
    requireOrSkip(ctx, existsSync(BIN), "dist/ (built by npm test's pretest)");
    // A server wrapper that saves mosh-server's output, so the test knows the key to look for.
    const keyFile = join(dir, "server-output");
    const wrapper = join(dir, "wrap.sh");
    writeFileSync(
      wrapper,
      `out=$(mosh-server "$@")\nprintf '%s\\n' "$out" > ${keyFile}\nprintf '%s\\n' "$out"\n`,
    );
    const tmux = await startTmux({
      cols: 80,
      rows: 24,
      command: reportingExit([
        process.execPath,
        BIN,
        `--server=sh ${wrapper}`,
        "alias",
        "--",
        "sh",
        "-c",
        "echo cli-ok-$((6*7)); exec sleep 60",
      ]),
      env: { HOME: home, LANG: "C.UTF-8", TERM: "xterm-256color" },
    });
    try {
      await tmux.waitForText("cli-ok-42", 20000);
      const key = /MOSH CONNECT \d+ ([A-Za-z0-9/+]{22})/.exec(readFileSync(keyFile, "utf8"))?.[1];
      expect(key).toBeDefined();
      if (!key) return;
      expect(allProcessTexts().filter((t) => t.includes(key))).toEqual([]);
      expect(await tmux.capture()).not.toContain(key);
      await tmux.sendBytes("\x1e.");
      const after = await tmux.waitForText(/EXIT=\d+/, 15000);
      expect(after).toMatch(/EXIT=0/);
      expect(after).not.toContain(key);
    } finally {
      await tmux.kill();
    }
  });
});
