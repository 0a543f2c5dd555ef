// Opening SSH connections: TCP (address families, ConnectTimeout), ProxyCommand, ProxyJump chains, host keys and auth over ssh2.
import { spawn } from "node:child_process";
import { lookup } from "node:dns/promises";
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import { Duplex } from "node:stream";
import type { ClientChannel, ConnectConfig, Client as SshClient } from "ssh2";
import ssh2 from "ssh2";
import { Authenticator } from "./authenticate.js";
import { BootstrapError } from "./errors.js";
import { type HostVerifier, hostKeyInfo, verifyHostKey } from "./host-key-check.js";
import { loadIdentities } from "./identities.js";
import { knownHostsName, knownKeyTypes, readKnownHosts } from "./known-hosts.js";
import type { MessageListener, ProgressListener } from "./progress.js";
import type { PromptFn } from "./prompt.js";
import { type ResolvedHost, resolveHost, type SshConfigOptions } from "./ssh-config.js";

const { Client } = ssh2;

/** mosh's `--family`: which addresses to use, and in which order. */
export type AddressFamilyPolicy = "inet" | "inet6" | "auto" | "all" | "prefer-inet" | "prefer-inet6";

/** How to talk to the user and what to honour while connecting. */
export interface TransportContext {
  prompt?: PromptFn;
  onMessage?: MessageListener;
  onProgress?: ProgressListener;
  hostVerifier?: HostVerifier;
  signal?: AbortSignal;
  /** mosh's `--family` (default `prefer-inet`); `AddressFamily` in the config narrows it further. */
  family?: AddressFamilyPolicy;
  /** Used to resolve jump hosts (their own config entries; command-line overrides do not apply to them). */
  config: SshConfigOptions;
  /** Time allowed for TCP connect plus the SSH banner exchange when `ConnectTimeout` is not set (default 30 s). */
  defaultConnectTimeoutMs?: number;
}

/** An authenticated SSH connection to the target (possibly through jump hosts). */
export interface SshConnection {
  client: SshClient;
  /** The numeric address of the target's TCP peer, or null when the connection went through a proxy. */
  address: string | null;
  /** Closes the target connection and every jump host connection. */
  close(): void;
}

const DEFAULT_HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/** Host key algorithms with those whose key type is already in known_hosts first (OpenSSH does the same). */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const forType = (t: string) => (t === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [t]);
  const first = knownTypes.flatMap(forType).filter((a) => DEFAULT_HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...first, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}

/** The hops to go through: jump hosts first (the first one's own ProxyJump honoured), then the target. */
export function planHops(target: ResolvedHost, config: SshConfigOptions, depth = 0): ResolvedHost[] {
  if (target.proxyJump === null) return [target];
  if (depth > 8) throw new BootstrapError("bad-argument", "ProxyJump: too many nested jump hosts");
  const base: SshConfigOptions = { ...config, sshOptions: [], identityFiles: [], sshPort: undefined };
  const jumps = target.proxyJump.split(",").map((spec, i) => {
    const m = /^(?:ssh:\/\/)?(?:([^@]*)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(spec.trim());
    if (!m) throw new BootstrapError("bad-argument", `ProxyJump: invalid jump host "${spec}"`);
    const [, user, host, port] = m;
    const resolved = resolveHost(user ? `${user}@${host}` : host, {
      ...base,
      sshPort: port === undefined ? undefined : Number(port),
    });
    // Only the first jump host's own ProxyJump applies; the others are reached through the previous one.
    return i === 0 ? resolved : { ...resolved, proxyJump: null };
  });
  const [first, ...rest] = jumps;
  return [...planHops(first, config, depth + 1), ...rest, { ...target, proxyJump: null }];
}

/** Strips the `::ffff:` of an IPv4-mapped address. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Connects to `target` (through its jump hosts, if any), verifying every host key and
 * authenticating every hop. Rejects with a {@link BootstrapError}.
 */
export async function openSsh(target: ResolvedHost, ctx: TransportContext): Promise<SshConnection> {
  const hops = planHops(target, ctx.config);
  const clients: SshClient[] = [];
  const closeAll = () => {
    for (const c of [...clients].reverse()) c.end();
  };
  try {
    let address: string | null = null;
    let prev: ResolvedHost | null = null;
    for (const hop of hops) {
      abortCheck(ctx.signal);
      const via = prev ? `${prev.user}@${prev.hostname}:${prev.port}` : undefined;
      let sock: Duplex;
      if (clients.length > 0) {
        ctx.onProgress?.({ kind: "connecting", host: hop.hostname, port: hop.port, via });
        sock = await forward(clients[clients.length - 1], hop, prev!);
        address = null;
      } else if (hop.proxyCommand !== null) {
        ctx.onProgress?.({ kind: "connecting", host: hop.hostname, port: hop.port, via: "ProxyCommand" });
        sock = proxyCommand(hop.proxyCommand, ctx.onMessage);
        address = null;
      } else {
        const s = await connectTcp(hop, ctx);
        sock = s;
        address = plainAddress(s.remoteAddress ?? hop.hostname);
      }
      try {
        clients.push(await handshake(hop, sock, address, ctx));
      } catch (err) {
        sock.destroy();
        throw err;
      }
      prev = hop;
    }
    return { client: clients[clients.length - 1], address, close: closeAll };
  } catch (err) {
    closeAll();
    throw err;
  }
}

function abortCheck(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BootstrapError("aborted", "connection aborted");
}

/** Address order for the host under mosh's family policy and the config's AddressFamily. */
export async function addressesFor(hop: ResolvedHost, policy: AddressFamilyPolicy): Promise<string[]> {
  let allowed = policy === "inet" ? [4] : policy === "inet6" ? [6] : [4, 6];
  if (hop.addressFamily === "inet") allowed = allowed.filter((f) => f === 4);
  if (hop.addressFamily === "inet6") allowed = allowed.filter((f) => f === 6);
  const family = allowed.length === 1 ? allowed[0] : 0;
  const ipFamily = isIP(hop.hostname);
  if (ipFamily !== 0 || allowed.length === 0) {
    if (!allowed.includes(ipFamily)) {
      throw new BootstrapError(
        "unknown-host",
        `Could not resolve hostname ${hop.hostname}: Address family for hostname not supported`,
      );
    }
    return [hop.hostname];
  }
  let found: { address: string; family: number }[];
  try {
    found = await lookup(hop.hostname, { all: true, family });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOTFOUND" || code === "ENODATA"
        ? "Name or service not known"
        : code === "EAI_AGAIN"
          ? "Temporary failure in name resolution"
          : (err as Error).message;
    throw new BootstrapError("unknown-host", `Could not resolve hostname ${hop.hostname}: ${why}`);
  }
  if (found.length === 0) {
    throw new BootstrapError(
      "unknown-host",
      `Could not resolve hostname ${hop.hostname}: Name or service not known`,
    );
  }
  const prefer = policy === "prefer-inet6" ? 6 : policy === "prefer-inet" ? 4 : 0;
  if (prefer !== 0) found.sort((a, b) => Number(b.family === prefer) - Number(a.family === prefer));
  return found.map((f) => f.address);
}

/** Tries each address in turn, like OpenSSH; the error names the last failure. */
async function connectTcp(hop: ResolvedHost, ctx: TransportContext): Promise<Socket> {
  const addresses = await addressesFor(hop, ctx.family ?? "prefer-inet");
  const timeout = hop.connectTimeoutMs ?? ctx.defaultConnectTimeoutMs ?? 30000;
  let last: BootstrapError | null = null;
  for (const address of addresses) {
    abortCheck(ctx.signal);
    ctx.onProgress?.({ kind: "connecting", host: hop.hostname, port: hop.port, address });
    try {
      return await connectOne(address, hop.port, timeout, ctx.signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (err instanceof BootstrapError && err.code === "aborted") throw err;
      const why =
        code === "ECONNREFUSED"
          ? "Connection refused"
          : code === "ETIMEDOUT"
            ? "Connection timed out"
            : code === "EHOSTUNREACH"
              ? "No route to host"
              : code === "ENETUNREACH"
                ? "Network is unreachable"
                : (err as Error).message;
      const kind =
        code === "ECONNREFUSED"
          ? "connection-refused"
          : code === "ETIMEDOUT"
            ? "connection-timeout"
            : "connection-failed";
      last = new BootstrapError(kind, `connect to host ${hop.hostname} port ${hop.port}: ${why}`);
    }
  }
  throw (
    last ??
    new BootstrapError("connection-failed", `connect to host ${hop.hostname} port ${hop.port}: no address`)
  );
}

function connectOne(address: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: address, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(Object.assign(new Error("Connection timed out"), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    const onAbort = () => {
      sock.destroy();
      cleanup();
      reject(new BootstrapError("aborted", "connection aborted"));
    };
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      sock.off("error", onError);
    };
    const onError = (err: Error) => {
      cleanup();
      sock.destroy();
      reject(err);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    sock.once("error", onError);
    sock.once("connect", () => {
      cleanup();
      sock.setNoDelay(true);
      resolve(sock);
    });
  });
}

/** A channel from the previous hop to `hop` (`ssh -W`, what ProxyJump does). */
function forward(via: SshClient, hop: ResolvedHost, prev: ResolvedHost): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    via.forwardOut("127.0.0.1", 0, hop.hostname, hop.port, (err, stream) => {
      if (!err) return resolve(stream);
      const refused = /refused|connect failed/i.test(err.message);
      reject(
        new BootstrapError(
          refused ? "connection-refused" : "connection-failed",
          `connect to host ${hop.hostname} port ${hop.port} through jump host ${prev.hostname} port ${prev.port}: ${err.message.replace(/^\(SSH\) /, "")}`,
        ),
      );
    });
  });
}

/** A ProxyCommand's stdin/stdout as the transport (its stderr lines go to the user). */
function proxyCommand(command: string, onMessage?: MessageListener): Duplex {
  const child = spawn("/bin/sh", ["-c", `exec ${command}`], { stdio: ["pipe", "pipe", "pipe"] });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (s: string) => {
    for (const line of s.split("\n")) if (line.trim() !== "") onMessage?.(line);
  });
  const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
  duplex.on("close", () => child.kill());
  child.on("error", (err) => duplex.destroy(err));
  return duplex;
}

/** The SSH handshake on `sock`: host key check, then authentication. */
async function handshake(
  hop: ResolvedHost,
  sock: Duplex,
  address: string | null,
  ctx: TransportContext,
): Promise<SshClient> {
  const keyName = hop.hostKeyAlias ?? hop.hostname;
  const known = [...hop.userKnownHostsFiles, ...hop.globalKnownHostsFiles].flatMap((f) => readKnownHosts(f));
  const algorithms = preferredHostKeyAlgorithms(knownKeyTypes(known, knownHostsName(keyName, hop.port)));
  let abortFromPrompt: (err: Error) => void = () => undefined;
  const keyRing = await loadIdentities({
    agentSocket: hop.pubkeyAuthentication ? hop.identityAgent : null,
    identityFiles: hop.pubkeyAuthentication ? hop.identityFiles : [],
    identitiesOnly: hop.identitiesOnly,
    prompt: ctx.prompt,
    batchMode: hop.batchMode,
    passphraseTries: hop.numberOfPasswordPrompts,
    onMessage: ctx.onMessage,
    onAbort: (err) => abortFromPrompt(err),
  });
  abortCheck(ctx.signal);
  const client = new Client();

  return new Promise<SshClient>((resolve, reject) => {
    let settled = false;
    let failure: Error | null = null;
    const fail = (err: Error) => {
      failure ??= err;
      if (settled) return;
      settled = true;
      cleanup();
      client.end();
      sock.destroy();
      reject(failure);
    };
    abortFromPrompt = fail;
    const onAbort = () => fail(new BootstrapError("aborted", "connection aborted"));
    let bannerTimer: NodeJS.Timeout | null = setTimeout(
      () =>
        fail(
          new BootstrapError(
            "connection-timeout",
            `Connection timed out during banner exchange with ${hop.hostname} port ${hop.port}`,
          ),
        ),
      hop.connectTimeoutMs ?? ctx.defaultConnectTimeoutMs ?? 30000,
    );
    const stopBannerTimer = () => {
      if (bannerTimer) clearTimeout(bannerTimer);
      bannerTimer = null;
    };
    const cleanup = () => {
      stopBannerTimer();
      ctx.signal?.removeEventListener("abort", onAbort);
    };
    ctx.signal?.addEventListener("abort", onAbort, { once: true });

    const auth = new Authenticator({
      user: hop.user,
      host: hop.hostname,
      keyRing,
      preferred: hop.preferredAuthentications,
      pubkey: hop.pubkeyAuthentication,
      keyboardInteractive: hop.kbdInteractiveAuthentication,
      password: hop.passwordAuthentication,
      tries: hop.numberOfPasswordPrompts,
      batchMode: hop.batchMode,
      prompt: ctx.prompt,
      onMessage: ctx.onMessage,
      onStart: () => ctx.onProgress?.({ kind: "authenticating", host: hop.hostname, user: hop.user }),
      onAbort: fail,
    });

    client.on("ready", () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(client);
    });
    client.on("error", (err: Error & { level?: string }) => {
      if (err.level === "agent") return; // one key could not sign: ssh2 goes on with the next
      if (failure) return fail(failure);
      if (err.level === "client-authentication") return fail(auth.failure());
      const where = `${hop.hostname} port ${hop.port}`;
      if (err.level === "client-timeout")
        return fail(new BootstrapError("connection-timeout", `${err.message} (${where})`));
      if (err.level === "handshake") {
        return fail(
          new BootstrapError("connection-failed", `Unable to negotiate with ${where}: ${err.message}`),
        );
      }
      if (/ECONNRESET/.test(err.message))
        return fail(new BootstrapError("connection-failed", `Connection reset by ${where}`));
      fail(new BootstrapError("connection-failed", `${where}: ${err.message}`));
    });
    client.on("banner", (message: string) => {
      if (message.trim() !== "") ctx.onMessage?.(message.replace(/\r?\n$/, ""));
    });
    client.on("close", () =>
      fail(new BootstrapError("connection-failed", `Connection closed by ${hop.hostname} port ${hop.port}`)),
    );

    client.connect({
      sock,
      username: hop.user,
      readyTimeout: 0,
      keepaliveInterval: 0,
      algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] },
      authHandler: auth.handler,
      hostVerifier: (blob: Buffer, verify: (ok: boolean) => void) => {
        stopBannerTimer();
        const info = hostKeyInfo(keyName, hop.port, address ?? "", blob);
        verifyHostKey(info, {
          strict: hop.strictHostKeyChecking,
          userKnownHostsFiles: hop.userKnownHostsFiles,
          globalKnownHostsFiles: hop.globalKnownHostsFiles,
          hashKnownHosts: hop.hashKnownHosts,
          batchMode: hop.batchMode,
          prompt: ctx.prompt,
          onMessage: ctx.onMessage,
          hostVerifier: ctx.hostVerifier,
        }).then(
          // After an abort the connection is already torn down: answering ssh2 then throws.
          (outcome) => {
            if (settled) return;
            auth.restrictAuth = outcome.restrictAuth;
            verify(true);
          },
          (err: Error) => {
            if (settled) return;
            failure ??= err;
            verify(false);
            fail(err);
          },
        );
      },
    });
  });
}
