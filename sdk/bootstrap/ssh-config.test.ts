// ~/.ssh/config resolution: patterns, negation, first-wins, overrides, defaults, token and tilde expansion, Include.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BootstrapError } from "./errors.js";
import { parseTarget, resolveHost, type SshConfigOptions } from "./ssh-config.js";

let home: string;
let base: SshConfigOptions;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "moshts-config-"));
  mkdirSync(join(home, ".ssh", "conf.d"), { recursive: true });
  writeFileSync(
    join(home, ".ssh", "config"),
    [
      "Include conf.d/*.conf",
      "Host web",
      "  HostName %h.example.org",
      "  Port 2222",
      "  User deploy",
      "  IdentityFile ~/.ssh/id_web_%r_%p",
      "  IdentityFile /keys/%h",
      "  IdentitiesOnly yes",
      "  UserKnownHostsFile ~/.ssh/kh_%h /tmp/kh2",
      "  StrictHostKeyChecking accept-new",
      "  ConnectTimeout 7",
      "  ProxyJump jump1,admin@jump2:2200",
      "Host *.internal !secret.internal",
      "  User internal-user",
      "  IdentityAgent ~/agent.sock",
      "Host secret.internal",
      "  IdentityAgent none",
      "Host *",
      "  User fallback",
      "  HashKnownHosts yes",
      "",
    ].join("\n"),
  );
  writeFileSync(join(home, ".ssh", "conf.d", "10-db.conf"), "Host db\n  HostName 10.0.0.5\n  User dbuser\n");
  base = {
    home,
    systemConfigFile: null,
    env: { SSH_AUTH_SOCK: "/run/agent.sock", HOME: home },
    localUser: "me",
  };
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("resolveHost", () => {
  it("applies a Host block with HostName %h, Port, User, IdentityFile tokens and known_hosts files", () => {
    const r = resolveHost("web", base);
    expect(r.alias).toBe("web");
    expect(r.hostname).toBe("web.example.org");
    expect(r.port).toBe(2222);
    expect(r.user).toBe("deploy");
    expect(r.identityFiles).toEqual([
      { path: join(home, ".ssh", "id_web_deploy_2222"), isDefault: false },
      { path: "/keys/web.example.org", isDefault: false },
    ]);
    expect(r.identitiesOnly).toBe(true);
    expect(r.userKnownHostsFiles).toEqual([join(home, ".ssh", "kh_web.example.org"), "/tmp/kh2"]);
    expect(r.strictHostKeyChecking).toBe("accept-new");
    expect(r.connectTimeoutMs).toBe(7000);
    expect(r.proxyJump).toBe("jump1,admin@jump2:2200");
    expect(r.hashKnownHosts).toBe(true);
    expect(r.identityAgent).toBe("/run/agent.sock");
  });

  it("lets the user in the target win over User, and -o / --ssh-port / -i win over the file", () => {
    const r = resolveHost("alice@web", {
      ...base,
      sshOptions: ["Port=2300", "StrictHostKeyChecking no"],
      identityFiles: ["/cli/key"],
    });
    expect(r.user).toBe("alice");
    expect(r.port).toBe(2300);
    expect(r.strictHostKeyChecking).toBe("no");
    expect(r.identityFiles[0]).toEqual({ path: "/cli/key", isDefault: false });
    expect(r.identityFiles).toHaveLength(3);
    expect(resolveHost("web", { ...base, sshPort: 2400 }).port).toBe(2400);
  });

  it("honours negated patterns and falls through to later blocks", () => {
    const a = resolveHost("app.internal", base);
    expect(a.user).toBe("internal-user");
    expect(a.identityAgent).toBe(join(home, "agent.sock"));
    const s = resolveHost("secret.internal", base);
    expect(s.user).toBe("fallback");
    expect(s.identityAgent).toBeNull();
  });

  it("uses OpenSSH's defaults for an unknown host", () => {
    const r = resolveHost("Plain.Example", base);
    expect(r.alias).toBe("plain.example");
    expect(r.hostname).toBe("plain.example");
    expect(r.port).toBe(22);
    expect(r.user).toBe("fallback");
    expect(r.identityFiles.map((f) => f.path)).toEqual(
      ["id_ed25519", "id_ecdsa", "id_rsa"].map((n) => join(home, ".ssh", n)),
    );
    expect(r.identityFiles.every((f) => f.isDefault)).toBe(true);
    expect(r.userKnownHostsFiles).toEqual([
      join(home, ".ssh", "known_hosts"),
      join(home, ".ssh", "known_hosts2"),
    ]);
    expect(r.strictHostKeyChecking).toBe("ask");
    expect(r.proxyJump).toBeNull();
    expect(r.connectTimeoutMs).toBeNull();
    expect(r.numberOfPasswordPrompts).toBe(3);
    expect(r.preferredAuthentications).toEqual(["publickey", "keyboard-interactive", "password"]);
  });

  it("follows Include (relative to ~/.ssh, with a glob)", () => {
    const r = resolveHost("db", base);
    expect(r.hostname).toBe("10.0.0.5");
    expect(r.user).toBe("dbuser");
  });

  it("reads the system file after the user's, without leaking into the user's last block", () => {
    const sys = join(home, "ssh_config_sys");
    writeFileSync(sys, "ConnectTimeout 3\nHost web\n  Port 1\n");
    const r = resolveHost("other", { ...base, configFile: null, systemConfigFile: sys });
    expect(r.connectTimeoutMs).toBe(3000);
    expect(r.port).toBe(22);
    expect(resolveHost("web", { ...base, systemConfigFile: sys }).port).toBe(2222);
  });

  it("rejects malformed -o options and ports with bad-argument", () => {
    for (const o of ["Port", "=x", "Host=evil", "Port=abc"]) {
      const run = () => resolveHost("web", { ...base, sshOptions: [o] });
      expect(run).toThrow(BootstrapError);
    }
    try {
      resolveHost("web", { ...base, sshOptions: ["Port=99999"] });
      expect.unreachable();
    } catch (e) {
      expect((e as BootstrapError).code).toBe("bad-argument");
    }
  });
});

describe("parseTarget", () => {
  it("splits user@host at the last @ and strips IPv6 brackets", () => {
    expect(parseTarget("host")).toEqual({ user: null, host: "host" });
    expect(parseTarget("me@host")).toEqual({ user: "me", host: "host" });
    expect(parseTarget("a@b@host")).toEqual({ user: "a@b", host: "host" });
    expect(parseTarget("me@[::1]")).toEqual({ user: "me", host: "::1" });
    expect(() => parseTarget("@host")).toThrow(BootstrapError);
    expect(() => parseTarget("-oProxyCommand=x")).toThrow(BootstrapError);
    expect(() => parseTarget("")).toThrow(BootstrapError);
  });
});

describe("ProxyCommand", () => {
  it("keeps the command verbatim (quotes included) and expands its tokens", () => {
    const r = resolveHost("web", {
      ...base,
      sshOptions: [`ProxyCommand=node -e 'x=require("net")' %h %p %r %%`],
    });
    expect(r.proxyCommand).toBe(`node -e 'x=require("net")' web.example.org 2222 deploy %`);
    expect(resolveHost("web", { ...base, sshOptions: ["ProxyCommand none"] }).proxyCommand).toBeNull();
  });
});
