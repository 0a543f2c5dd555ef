// known_hosts files: parsing (plain, hashed `|1|salt|hash`, `[host]:port`, markers), host-key lookup, fingerprints, appending.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  file: string;
  /** 1-based line number. */
  line: number;
  /** `@revoked` / `@cert-authority`, or null for an ordinary line. */
  marker: "revoked" | "cert-authority" | null;
  /** The host field: a comma-separated pattern list, or one `|1|salt|hash`. */
  hosts: string;
  /** The key type embedded in the key blob (e.g. `ssh-ed25519`). */
  keyType: string;
  /** The key blob (the base64 field decoded). */
  blob: Buffer;
}

/** What known_hosts says about a host key. */
export type KnownHostsVerdict =
  /** An ordinary line for this host holds exactly this key. */
  | { status: "known"; entry: KnownHostEntry }
  /** The key is `@revoked` for this host. */
  | { status: "revoked"; entry: KnownHostEntry }
  /** A line for this host holds a different key of the same type. */
  | { status: "changed"; entry: KnownHostEntry }
  /** No line for this host holds a key of this type; `otherTypes` lists the types that are known. */
  | { status: "unknown"; otherTypes: string[] };

/** The name OpenSSH looks up in known_hosts: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type named inside an SSH public key blob (its first string), or "" if malformed. */
export function blobKeyType(blob: Buffer): string {
  if (blob.length < 4) return "";
  const n = blob.readUInt32BE(0);
  if (n > blob.length - 4 || n > 64) return "";
  return blob.subarray(4, 4 + n).toString("latin1");
}

/** OpenSSH's `SHA256:<base64 without padding>` fingerprint of a key blob. */
export function sha256Fingerprint(blob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

/** The key type as OpenSSH names it in messages (`ED25519`, `ECDSA`, `RSA`, `DSA`, ...). */
export function keyTypeLabel(keyType: string): string {
  if (keyType === "ssh-ed25519") return "ED25519";
  if (keyType.startsWith("ecdsa-sha2-")) return "ECDSA";
  if (keyType === "ssh-rsa") return "RSA";
  if (keyType === "ssh-dss") return "DSA";
  if (keyType.startsWith("sk-ecdsa-")) return "ECDSA-SK";
  if (keyType.startsWith("sk-ssh-ed25519")) return "ED25519-SK";
  return keyType.toUpperCase();
}

/** Parses one known_hosts file's text; malformed lines are skipped (as OpenSSH does). */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].trim().split(/[ \t]+/);
    if (fields[0] === "" || fields[0].startsWith("#")) continue;
    let marker: KnownHostEntry["marker"] = null;
    if (fields[0].startsWith("@")) {
      if (fields[0] === "@revoked") marker = "revoked";
      else if (fields[0] === "@cert-authority") marker = "cert-authority";
      else continue;
      fields.shift();
    }
    if (fields.length < 3) continue;
    const blob = Buffer.from(fields[2], "base64");
    const keyType = blobKeyType(blob);
    if (keyType === "" || keyType !== fields[1]) continue;
    out.push({ file, line: i + 1, marker, hosts: fields[0], keyType, blob });
  }
  return out;
}

/** Reads and parses a known_hosts file; a missing or unreadable file has no entries. */
export function readKnownHosts(file: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(readFileSync(file, "utf8"), file);
  } catch {
    return [];
  }
}

/** Whether a known_hosts host field matches `name` (hashed entry, or a pattern list with `*`, `?` and `!`). */
export function hostFieldMatches(field: string, name: string): boolean {
  const lower = name.toLowerCase();
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (salt === undefined || hash === undefined) return false;
    const mac = createHmac("sha1", Buffer.from(salt, "base64")).update(lower).digest("base64");
    return mac === hash;
  }
  let matched = false;
  for (const raw of field.split(",")) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (globMatch(pattern, lower)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH's `match_pattern`: `*` any run, `?` exactly one character. */
function globMatch(pattern: string, text: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === text;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(text);
}

/**
 * Looks up a host key for `name` (see {@link knownHostsName}) in the entries of all files, in
 * order. A key `@revoked` for this host wins over everything; then an exact match; then the first line of the same
 * key type with a different key (changed). `@cert-authority` lines are skipped: host
 * certificates are not supported, so such hosts are verified by plain keys only.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  blob: Buffer,
): KnownHostsVerdict {
  const keyType = blobKeyType(blob);
  const mine = entries.filter((e) => e.marker !== "cert-authority" && hostFieldMatches(e.hosts, name));
  const revoked = mine.find((e) => e.marker === "revoked" && e.blob.equals(blob));
  if (revoked) return { status: "revoked", entry: revoked };
  const plain = mine.filter((e) => e.marker === null);
  const exact = plain.find((e) => e.blob.equals(blob));
  if (exact) return { status: "known", entry: exact };
  const changed = plain.find((e) => e.keyType === keyType);
  if (changed) return { status: "changed", entry: changed };
  return { status: "unknown", otherTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** The key types known for `name`, in file order (used to prefer those host key algorithms). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries
    .filter((e) => e.marker === null && hostFieldMatches(e.hosts, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/** The host field OpenSSH writes for `name`: the name itself, or `|1|salt|hash` when hashing. */
export function hostField(name: string, hash: boolean): string {
  if (!hash) return name;
  const salt = randomBytes(20);
  const mac = createHmac("sha1", salt).update(name.toLowerCase()).digest("base64");
  return `|1|${salt.toString("base64")}|${mac}`;
}

/**
 * Appends a line for `name` and `blob` to `file`, creating its directory (0700) and the file (0600)
 * if missing, and adding a newline first if the file does not end with one.
 */
export function appendKnownHost(file: string, name: string, blob: Buffer, hash: boolean): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  let prefix = "";
  if (existsSync(file) && statSync(file).size > 0) {
    const text = readFileSync(file);
    if (text[text.length - 1] !== 0x0a) prefix = "\n";
  }
  const created = !existsSync(file);
  appendFileSync(
    file,
    `${prefix}${hostField(name, hash)} ${blobKeyType(blob)} ${blob.toString("base64")}\n`,
    {
      mode: 0o600,
    },
  );
  if (created) chmodSync(file, 0o600);
}
