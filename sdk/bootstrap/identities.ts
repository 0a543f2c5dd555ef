// The keys to offer, in OpenSSH's order: agent keys, then identity files (decrypted only once the server accepts them).
import { existsSync, readFileSync } from "node:fs";
import type { ParsedKey, PublicKeyEntry, SigningRequestOptions } from "ssh2";
import ssh2 from "ssh2";
import { BootstrapError } from "./errors.js";
import type { MessageListener } from "./progress.js";
import type { PromptFn } from "./prompt.js";
import type { IdentityFileEntry } from "./ssh-config.js";

const { BaseAgent, OpenSSHAgent, utils } = ssh2;

/** One key the server may be offered. */
interface Identity {
  publicKey: ParsedKey;
  /** Where it comes from: "agent", or the file's path. */
  source: string;
  sign(data: Buffer, options: SigningRequestOptions): Promise<Buffer>;
}

/** What {@link loadIdentities} needs. */
export interface IdentityOptions {
  /** Agent socket, or null for none. */
  agentSocket: string | null;
  identityFiles: readonly IdentityFileEntry[];
  /** Offer only keys that come from identity files (agent keys only if their file is listed). */
  identitiesOnly: boolean;
  prompt?: PromptFn;
  batchMode: boolean;
  /** How many times to ask for a passphrase before skipping the key (NumberOfPasswordPrompts). */
  passphraseTries: number;
  onMessage?: MessageListener;
  /** Called when the user aborts at a passphrase prompt: the connection must stop. */
  onAbort: (err: Error) => void;
}

/**
 * All public-key identities behind ssh2's agent interface, so ssh2 offers each public key first
 * and asks for a signature only after the server said it would accept it: an encrypted key's
 * passphrase is asked for only then (as OpenSSH does when the `.pub` file is present).
 */
export class KeyRing extends BaseAgent<ParsedKey> {
  readonly identities: readonly Identity[];

  constructor(identities: Identity[]) {
    super();
    this.identities = identities;
  }

  /** How many keys will be offered. */
  get size(): number {
    return this.identities.length;
  }

  override getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    cb(
      undefined,
      this.identities.map((i) => i.publicKey),
    );
  }

  override sign(
    pubKey: ParsedKey | Buffer | string,
    data: Buffer,
    options: SigningRequestOptions | ((err: Error | undefined, signature?: Buffer) => void),
    cb?: (err: Error | undefined, signature?: Buffer) => void,
  ): void {
    const done = typeof options === "function" ? options : cb;
    const opts = typeof options === "function" ? {} : options;
    if (!done) return;
    const blob = publicBlob(pubKey);
    const id = this.identities.find((i) => i.publicKey === pubKey || i.publicKey.getPublicSSH().equals(blob));
    if (!id) {
      done(new Error("unknown key"));
      return;
    }
    id.sign(data, opts).then(
      (sig) => done(undefined, sig),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  }
}

function publicBlob(key: ParsedKey | Buffer | string): Buffer {
  if (typeof key === "string" || Buffer.isBuffer(key)) {
    const parsed = utils.parseKey(key);
    return parsed instanceof Error ? Buffer.alloc(0) : firstKey(parsed).getPublicSSH();
  }
  return key.getPublicSSH();
}

function firstKey(k: ParsedKey | ParsedKey[]): ParsedKey {
  return Array.isArray(k) ? k[0] : k;
}

/** Parses a key; null if it does not parse. */
function parse(data: Buffer | string, passphrase?: string): ParsedKey | Error {
  const k = utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
  return k instanceof Error ? k : firstKey(k);
}

/**
 * The public key of an OpenSSH-format private key file, read from its unencrypted header
 * (`openssh-key-v1`: cipher, kdf, kdf options, count, then the public key blob).
 */
export function publicKeyFromOpenSshPrivate(text: string): Buffer | null {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!m) return null;
  const buf = Buffer.from(m[1].replace(/\s+/g, ""), "base64");
  const magic = "openssh-key-v1\0";
  if (buf.toString("latin1", 0, magic.length) !== magic) return null;
  let off = magic.length;
  const str = (): Buffer | null => {
    if (off + 4 > buf.length) return null;
    const n = buf.readUInt32BE(off);
    if (off + 4 + n > buf.length) return null;
    const s = buf.subarray(off + 4, off + 4 + n);
    off += 4 + n;
    return s;
  };
  if (!str() || !str() || !str()) return null; // cipher, kdf, kdf options
  if (off + 4 > buf.length || buf.readUInt32BE(off) < 1) return null;
  off += 4;
  return str();
}

/** A public key (ParsedKey) from a blob. */
function publicFromBlob(blob: Buffer): ParsedKey | null {
  const n = blob.readUInt32BE(0);
  const type = blob.subarray(4, 4 + n).toString("latin1");
  const k = parse(`${type} ${blob.toString("base64")}`);
  return k instanceof Error ? null : k;
}

/** An agent identity as a ParsedKey (ssh2 hands out parsed keys, its types allow wrapped ones). */
function agentKey(k: ParsedKey | PublicKeyEntry): ParsedKey | null {
  if ("getPublicSSH" in k) return k;
  const inner = "getPublicSSH" in k.pubKey ? k.pubKey : k.pubKey.pubKey;
  if (typeof inner === "string" || Buffer.isBuffer(inner)) {
    const p = parse(inner);
    return p instanceof Error ? null : p;
  }
  return inner;
}

/** The agent's keys (empty if there is no agent or it cannot be reached, as OpenSSH carries on). */
function agentKeys(socket: string): Promise<Identity[]> {
  return new Promise((resolve) => {
    const agent = new OpenSSHAgent(socket);
    let settled = false;
    const timer = setTimeout(() => finish([]), 5000);
    const finish = (ids: Identity[]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ids);
    };
    agent.getIdentities((err, keys) => {
      if (err || !keys) return finish([]);
      finish(
        keys
          .map(agentKey)
          .filter((k): k is ParsedKey => k !== null)
          .map((publicKey) => ({
            publicKey,
            source: "agent",
            sign: (data, options) =>
              new Promise<Buffer>((res, rej) => {
                agent.sign(publicKey, data, options, (e?: Error | null, sig?: Buffer) =>
                  e || !sig ? rej(e ?? new Error("agent refused to sign")) : res(sig),
                );
              }),
          })),
      );
    });
  });
}

/** Signs with a parsed private key. */
function signWith(key: ParsedKey, data: Buffer, options: SigningRequestOptions): Buffer {
  const sig = key.sign(data, options.hash) as Buffer | Error;
  if (sig instanceof Error) throw sig;
  return sig;
}

/** One identity file as an {@link Identity}, or null (missing, unreadable, invalid). */
function fileIdentity(entry: IdentityFileEntry, opts: IdentityOptions): Identity | null {
  const path = entry.path;
  if (!existsSync(path)) {
    if (!entry.isDefault) opts.onMessage?.(`no such identity: ${path}: No such file or directory`);
    return null;
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    opts.onMessage?.(`Load key "${path}": ${(err as Error).message}`);
    return null;
  }
  const plain = parse(text);
  if (!(plain instanceof Error)) {
    if (!plain.isPrivateKey()) {
      opts.onMessage?.(`Load key "${path}": invalid format`);
      return null;
    }
    const pub = publicFromBlob(plain.getPublicSSH());
    if (!pub) return null;
    return { publicKey: pub, source: path, sign: async (data, o) => signWith(plain, data, o) };
  }
  if (!/encrypt|passphrase/i.test(plain.message)) {
    opts.onMessage?.(`Load key "${path}": invalid format`);
    return null;
  }
  // Encrypted: the public half comes from the .pub file or the key's clear header.
  let pub: ParsedKey | null = null;
  try {
    const k = parse(readFileSync(`${path}.pub`, "utf8"));
    if (!(k instanceof Error)) pub = k;
  } catch {
    // no .pub
  }
  if (!pub) {
    const blob = publicKeyFromOpenSshPrivate(text);
    if (blob) pub = publicFromBlob(blob);
  }
  if (!pub) {
    opts.onMessage?.(
      `Load key "${path}": encrypted key without a public key file (${path}.pub) is not supported`,
    );
    return null;
  }
  let decrypted: ParsedKey | null = null;
  return {
    publicKey: pub,
    source: path,
    sign: async (data, o) => {
      if (!decrypted) decrypted = await unlock(path, text, opts);
      return signWith(decrypted, data, o);
    },
  };
}

/** Asks for the passphrase of an encrypted key until it decrypts; rejects to skip the key. */
async function unlock(path: string, text: string, opts: IdentityOptions): Promise<ParsedKey> {
  if (opts.batchMode || !opts.prompt) throw new Error(`no passphrase for ${path}`);
  for (let i = 0; i < Math.max(1, opts.passphraseTries); i++) {
    let answer: string;
    try {
      answer = await opts.prompt(`Enter passphrase for key '${path}': `, { echo: false });
    } catch (err) {
      const e =
        err instanceof BootstrapError ? err : new BootstrapError("aborted", "passphrase prompt aborted");
      opts.onAbort(e);
      throw e;
    }
    if (answer === "") break;
    const k = parse(text, answer);
    if (!(k instanceof Error) && k.isPrivateKey()) return k;
  }
  throw new Error(`no usable passphrase for ${path}`);
}

/**
 * Collects the identities in OpenSSH's order: the agent's keys (only those matching an identity
 * file when `identitiesOnly`), then the identity files whose keys the agent does not hold.
 */
export async function loadIdentities(opts: IdentityOptions): Promise<KeyRing> {
  const files = opts.identityFiles.map((e) => fileIdentity(e, opts)).filter((i): i is Identity => i !== null);
  const fromAgent = opts.agentSocket ? await agentKeys(opts.agentSocket) : [];
  const same = (a: Identity, b: Identity) => a.publicKey.getPublicSSH().equals(b.publicKey.getPublicSSH());
  const agentUsed = fromAgent.filter((a) => !opts.identitiesOnly || files.some((f) => same(a, f)));
  const rest = files.filter((f) => !fromAgent.some((a) => same(a, f)));
  return new KeyRing([...agentUsed, ...rest]);
}
