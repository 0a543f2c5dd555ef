// ~/.ssh/config resolution for one target: the ssh-config parser plus OpenSSH's defaults, overrides and expansions.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir, hostname as localHostname, userInfo } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import SSHConfig from "ssh-config";
import { BootstrapError } from "./errors.js";
import { expandPath, expandTilde, expandTokens, type TokenValues } from "./path-expand.js";

/** Where the configuration comes from, and the command-line overrides (`-o`, `--ssh-port`, `-i`). */
export interface SshConfigOptions {
  /** The user's home directory (default `os.homedir()`): `~` and the default file locations. */
  home?: string;
  /** The user's config file (default `<home>/.ssh/config`; `null`: none). */
  configFile?: string | null;
  /** The system-wide config file, read after the user's (default `/etc/ssh/ssh_config`; `null`: none). */
  systemConfigFile?: string | null;
  /** Environment for `SSH_AUTH_SOCK` and `${VAR}` expansion (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The local user name (default `os.userInfo().username`): the default remote user and `%u`. */
  localUser?: string;
  /** `-o Key=Value` options, in command-line order (they win over the config files). */
  sshOptions?: readonly string[];
  /** `--ssh-port`: the SSH port (wins over `Port` in the config files). */
  sshPort?: number;
  /** `-i`: identity files tried before those of the config files. */
  identityFiles?: readonly string[];
  /** Directory relative `-i` paths are resolved against (default `process.cwd()`). */
  cwd?: string;
}

/** `StrictHostKeyChecking` (`off` reads as `no`). */
export type StrictHostKeyChecking = "yes" | "no" | "accept-new" | "ask";

/** An identity file to try, after expansion. */
export interface IdentityFileEntry {
  path: string;
  /** True for OpenSSH's defaults (~/.ssh/id_*), which are skipped silently when missing. */
  isDefault: boolean;
}

/** Everything the bootstrap needs to reach one host, resolved from the config files and overrides. */
export interface ResolvedHost {
  /** The host as given on the command line (lowercased), i.e. the alias. */
  alias: string;
  /** The host to connect to (`HostName`, with `%h` expanded), or the alias. */
  hostname: string;
  port: number;
  user: string;
  identityFiles: IdentityFileEntry[];
  identitiesOnly: boolean;
  /** Agent socket path, or null for none (`IdentityAgent none`, or no `SSH_AUTH_SOCK`). */
  identityAgent: string | null;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  hashKnownHosts: boolean;
  /** `HostKeyAlias`: the name looked up in known_hosts instead of the host name. */
  hostKeyAlias: string | null;
  /** `ProxyJump` as written (`[user@]host[:port]` list), or null. */
  proxyJump: string | null;
  /** `ProxyCommand` with its tokens expanded, or null. */
  proxyCommand: string | null;
  /** `ConnectTimeout` in ms, or null for the system's TCP timeout. */
  connectTimeoutMs: number | null;
  addressFamily: "any" | "inet" | "inet6";
  batchMode: boolean;
  preferredAuthentications: string[];
  pubkeyAuthentication: boolean;
  kbdInteractiveAuthentication: boolean;
  passwordAuthentication: boolean;
  numberOfPasswordPrompts: number;
}

/** A `[user@]host` target split (the user part, if any, wins over `User` in the config). */
export interface Target {
  user: string | null;
  host: string;
}

/** Splits `[user@]host` (the last `@` separates; `[v6addr]` brackets are removed). */
export function parseTarget(target: string): Target {
  const at = target.lastIndexOf("@");
  const user = at >= 0 ? target.slice(0, at) : null;
  let host = at >= 0 ? target.slice(at + 1) : target;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "" || /\s/.test(host) || host.startsWith("-")) {
    throw new BootstrapError("bad-argument", `invalid target "${target}"`);
  }
  if (user === "") throw new BootstrapError("bad-argument", `invalid target "${target}": empty user name`);
  return { user, host };
}

/** OpenSSH's default identity files when no IdentityFile is configured. */
export const DEFAULT_IDENTITY_FILES = ["id_ed25519", "id_ecdsa", "id_rsa"];

const MAX_INCLUDE_DEPTH = 16;

/**
 * Resolves `target` (`[user@]host`) the way `ssh` would: command-line overrides first, then the
 * user's config, then the system's, first value wins; `Host` patterns (with `!` negation) and
 * `Match` (without `exec`) are evaluated by the ssh-config parser; `Include` is followed.
 * @throws BootstrapError("bad-argument") on a malformed `-o` option, port or token.
 */
export function resolveHost(target: string, opts: SshConfigOptions = {}): ResolvedHost {
  const home = opts.home ?? homedir();
  const env = opts.env ?? process.env;
  const localUser = opts.localUser ?? safeUserName();
  const { user: targetUser, host: rawHost } = parseTarget(target);
  const alias = rawHost.toLowerCase();

  // The parser re-quotes ProxyCommand values; OpenSSH takes the rest of the line verbatim.
  const rawCommands: string[] = [];
  const text = configText(opts, home).replace(
    /^(\s*proxycommand)(?:\s*=\s*|\s+)(.+?)\s*$/gim,
    (_line, key: string, value: string) => `${key} moshts-proxy-command-${rawCommands.push(value) - 1}`,
  );
  const config = SSHConfig.parse(text);
  const computed = config.compute(targetUser === null ? { Host: alias } : { Host: alias, User: targetUser }, {
    ignoreCase: true,
    matchExec: false,
  });
  const one = (key: string): string | undefined => {
    const v = computed[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const many = (key: string): string[] | undefined => {
    const v = computed[key];
    return v === undefined ? undefined : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);
  };

  const hostname = expandTokens(one("hostname") ?? alias, { h: alias }, "HostName");
  const port = parsePort(one("port") ?? "22", "Port");
  const user = one("user") ?? localUser;
  const hostKeyAlias = one("hostkeyalias") ?? null;
  const lhost = localHostname();
  const tokens: TokenValues = {
    h: hostname,
    p: String(port),
    r: user,
    u: localUser,
    d: home,
    n: alias,
    l: lhost,
    L: lhost.split(".")[0],
    i: String(process.getuid?.() ?? 0),
    k: hostKeyAlias ?? hostname,
    C: createHash("sha1").update(`${lhost}${hostname}${port}${user}`).digest("hex"),
  };
  const expand = (v: string, directive: string) => expandPath(v, home, tokens, env, directive);

  const configured = many("identityfile") ?? [];
  const identityFiles: IdentityFileEntry[] =
    configured.length > 0
      ? configured.map((p) => ({
          path: resolve(opts.cwd ?? process.cwd(), expand(p, "IdentityFile")),
          isDefault: false,
        }))
      : DEFAULT_IDENTITY_FILES.map((n) => ({ path: join(home, ".ssh", n), isDefault: true }));

  const agentSetting = one("identityagent");
  let identityAgent: string | null;
  if (agentSetting === undefined || agentSetting === "SSH_AUTH_SOCK")
    identityAgent = env.SSH_AUTH_SOCK || null;
  else if (agentSetting.toLowerCase() === "none") identityAgent = null;
  else if (agentSetting.startsWith("$")) identityAgent = env[agentSetting.slice(1)] || null;
  else identityAgent = expand(agentSetting, "IdentityAgent");

  const knownFiles = (key: string, defaults: string[], directive: string): string[] => {
    const v = many(key) ?? defaults;
    if (v.length === 1 && v[0].toLowerCase() === "none") return [];
    return v.map((p) => expand(p, directive));
  };

  const proxyJump = one("proxyjump");
  const proxyCommandRef = /^moshts-proxy-command-(\d+)$/.exec(one("proxycommand") ?? "");
  const proxyCommand = proxyCommandRef ? rawCommands[Number(proxyCommandRef[1])] : undefined;
  const timeout = one("connecttimeout");
  const family = (one("addressfamily") ?? "any").toLowerCase();
  if (family !== "any" && family !== "inet" && family !== "inet6") {
    throw new BootstrapError("bad-argument", `AddressFamily: unsupported value "${family}"`);
  }

  return {
    alias,
    hostname,
    port,
    user,
    identityFiles,
    identitiesOnly: yesNo(one("identitiesonly"), false, "IdentitiesOnly"),
    identityAgent,
    userKnownHostsFiles: knownFiles(
      "userknownhostsfile",
      ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"],
      "UserKnownHostsFile",
    ),
    globalKnownHostsFiles: knownFiles(
      "globalknownhostsfile",
      ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"],
      "GlobalKnownHostsFile",
    ),
    strictHostKeyChecking: strictness(one("stricthostkeychecking")),
    hashKnownHosts: yesNo(one("hashknownhosts"), false, "HashKnownHosts"),
    hostKeyAlias,
    proxyJump: proxyJump === undefined || proxyJump.toLowerCase() === "none" ? null : proxyJump,
    proxyCommand:
      proxyCommand === undefined || proxyCommand.toLowerCase() === "none"
        ? null
        : expandTokens(proxyCommand, tokens, "ProxyCommand"),
    connectTimeoutMs:
      timeout === undefined || timeout.toLowerCase() === "none"
        ? null
        : parseSeconds(timeout, "ConnectTimeout"),
    addressFamily: family,
    batchMode: yesNo(one("batchmode"), false, "BatchMode"),
    preferredAuthentications: (
      one("preferredauthentications") ?? "publickey,keyboard-interactive,password"
    ).split(","),
    pubkeyAuthentication: yesNo(one("pubkeyauthentication"), true, "PubkeyAuthentication"),
    kbdInteractiveAuthentication: yesNo(
      one("kbdinteractiveauthentication") ?? one("challengeresponseauthentication"),
      true,
      "KbdInteractiveAuthentication",
    ),
    passwordAuthentication: yesNo(one("passwordauthentication"), true, "PasswordAuthentication"),
    numberOfPasswordPrompts: parseCount(one("numberofpasswordprompts") ?? "3", "NumberOfPasswordPrompts"),
  };
}

/** The config text: overrides (global), then the user's file, then the system's, with `Include`s inlined. */
function configText(opts: SshConfigOptions, home: string): string {
  const lines: string[] = [];
  for (const o of opts.sshOptions ?? []) lines.push(parseOption(o));
  if (opts.sshPort !== undefined) lines.push(`Port ${parsePort(String(opts.sshPort), "--ssh-port")}`);
  for (const i of opts.identityFiles ?? []) {
    const p = expandTilde(i, home);
    lines.push(`IdentityFile "${isAbsolute(p) ? p : resolve(opts.cwd ?? process.cwd(), p)}"`);
  }
  const userFile = opts.configFile === undefined ? join(home, ".ssh", "config") : opts.configFile;
  const systemFile = opts.systemConfigFile === undefined ? "/etc/ssh/ssh_config" : opts.systemConfigFile;
  if (userFile !== null) lines.push(readConfig(userFile, join(home, ".ssh"), home, 0));
  // A file's top-level lines must not fall into the previous file's last Host block.
  if (systemFile !== null) lines.push("Host *", readConfig(systemFile, dirname(systemFile), home, 0));
  return lines.join("\n") + "\n";
}

/** `Key=Value` / `Key Value` from `-o` as one config line. */
function parseOption(option: string): string {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=|\s)\s*(.*?)\s*$/.exec(option);
  if (!m || m[2] === "" || /[\r\n]/.test(option)) {
    throw new BootstrapError(
      "bad-argument",
      `command-line: bad configuration option "${option}" (expected Key=Value)`,
    );
  }
  if (/^(host|match|include)$/i.test(m[1])) {
    throw new BootstrapError("bad-argument", `command-line: ${m[1]} is not allowed in -o`);
  }
  return `${m[1]} ${m[2]}`;
}

/** A config file's text with `Include` directives replaced by the included files (missing file: empty). */
function readConfig(file: string, base: string, home: string, depth: number): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return "";
  }
  if (depth >= MAX_INCLUDE_DEPTH)
    throw new BootstrapError("bad-argument", `${file}: Include nested too deeply`);
  return text
    .split(/\r?\n/)
    .map((line) => {
      const m = /^\s*include(?:\s*=\s*|\s+)(.+?)\s*$/i.exec(line);
      if (!m) return line;
      const parts = m[1].match(/"[^"]*"|\S+/g) ?? [];
      return parts
        .map((p) => expandTilde(p.replace(/^"|"$/g, ""), home))
        .flatMap((p) => globFiles(isAbsolute(p) ? p : join(base, p)))
        .map((f) => readConfig(f, base, home, depth + 1))
        .join("\n");
    })
    .join("\n");
}

/** Files matching `pattern`, where only the last path component may hold `*` and `?`; sorted like glob(3). */
function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const name = pattern.slice(dir.length + 1);
  if (!/[*?]/.test(name)) return existsSync(pattern) ? [pattern] : [];
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  try {
    return readdirSync(dir)
      .filter((f) => re.test(f) && !f.startsWith("."))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? "root";
  }
}

function parsePort(v: string, directive: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
    throw new BootstrapError("bad-argument", `${directive}: bad port "${v}"`);
  }
  return Number(v);
}

function parseSeconds(v: string, directive: string): number {
  if (!/^\d+$/.test(v))
    throw new BootstrapError("bad-argument", `${directive}: bad number of seconds "${v}"`);
  return Number(v) * 1000;
}

function parseCount(v: string, directive: string): number {
  if (!/^\d+$/.test(v)) throw new BootstrapError("bad-argument", `${directive}: bad number "${v}"`);
  return Number(v);
}

function yesNo(v: string | undefined, dflt: boolean, directive: string): boolean {
  if (v === undefined) return dflt;
  const s = v.toLowerCase();
  if (s === "yes" || s === "true") return true;
  if (s === "no" || s === "false") return false;
  throw new BootstrapError("bad-argument", `${directive}: expected yes or no, got "${v}"`);
}

function strictness(v: string | undefined): StrictHostKeyChecking {
  const s = (v ?? "ask").toLowerCase();
  if (s === "yes" || s === "true") return "yes";
  if (s === "no" || s === "off" || s === "false") return "no";
  if (s === "ask" || s === "accept-new") return s;
  throw new BootstrapError("bad-argument", `StrictHostKeyChecking: unsupported value "${v}"`);
}
