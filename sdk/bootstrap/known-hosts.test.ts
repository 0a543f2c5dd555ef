// known_hosts: plain, hashed and bracketed entries, patterns, markers, verdicts, fingerprints and appending.
import { createHash, createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  appendKnownHost,
  blobKeyType,
  checkHostKey,
  hostFieldMatches,
  keyTypeLabel,
  knownHostsName,
  parseKnownHosts,
  sha256Fingerprint,
} from "./known-hosts.js";

/** An SSH public key blob for a fresh key of `type` (ed25519, or a fake blob for other types). */
function blob(type: string, seed: number): Buffer {
  const name = Buffer.from(type);
  const body = Buffer.alloc(32, seed);
  const len = (b: Buffer) => {
    const l = Buffer.alloc(4);
    l.writeUInt32BE(b.length);
    return Buffer.concat([l, b]);
  };
  return Buffer.concat([len(name), len(body)]);
}

const ed1 = blob("ssh-ed25519", 1);
const ed2 = blob("ssh-ed25519", 2);
const ec1 = blob("ecdsa-sha2-nistp256", 3);
const line = (hosts: string, b: Buffer) => `${hosts} ${blobKeyType(b)} ${b.toString("base64")}`;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("known_hosts", () => {
  it("names non-22 ports as [host]:port", () => {
    expect(knownHostsName("example.org", 22)).toBe("example.org");
    expect(knownHostsName("127.0.0.1", 2222)).toBe("[127.0.0.1]:2222");
  });

  it("matches plain lists, wildcards, negation and hashed entries", () => {
    expect(hostFieldMatches("a.org,b.org", "B.ORG")).toBe(true);
    expect(hostFieldMatches("*.org,!evil.org", "good.org")).toBe(true);
    expect(hostFieldMatches("*.org,!evil.org", "evil.org")).toBe(false);
    expect(hostFieldMatches("host?", "host1")).toBe(true);
    expect(hostFieldMatches("host?", "host")).toBe(false);
    expect(hostFieldMatches("[127.0.0.1]:2222", "[127.0.0.1]:2222")).toBe(true);
    expect(hostFieldMatches("127.0.0.1", "[127.0.0.1]:2222")).toBe(false);
    const salt = Buffer.alloc(20, 7);
    const hash = createHmac("sha1", salt).update("[127.0.0.1]:2222").digest("base64");
    const hashed = `|1|${salt.toString("base64")}|${hash}`;
    expect(hostFieldMatches(hashed, "[127.0.0.1]:2222")).toBe(true);
    expect(hostFieldMatches(hashed, "[127.0.0.1]:2223")).toBe(false);
  });

  it("parses lines with markers and skips comments, junk and mismatched types", () => {
    const text = [
      "# comment",
      "",
      line("a.org", ed1),
      `@revoked ${line("b.org", ed2)}`,
      `@cert-authority ${line("*.org", ec1)}`,
      "@unknown-marker a.org ssh-ed25519 AAAA",
      "a.org ssh-rsa " + ed1.toString("base64"),
      "garbage",
    ].join("\n");
    const entries = parseKnownHosts(text, "/f");
    expect(entries.map((e) => [e.line, e.marker, e.hosts, e.keyType])).toEqual([
      [3, null, "a.org", "ssh-ed25519"],
      [4, "revoked", "b.org", "ssh-ed25519"],
      [5, "cert-authority", "*.org", "ecdsa-sha2-nistp256"],
    ]);
  });

  it("gives known / changed (with file and line) / unknown / revoked verdicts", () => {
    const entries = parseKnownHosts(
      [
        line("x.org", ec1),
        line("a.org", ed1),
        line("[c.org]:2200", ed1),
        `@revoked ${line("r.org", ed2)}`,
      ].join("\n"),
      "/kh",
    );
    expect(checkHostKey(entries, "a.org", ed1).status).toBe("known");
    const changed = checkHostKey(entries, "a.org", ed2);
    expect(changed.status).toBe("changed");
    if (changed.status === "changed") expect([changed.entry.file, changed.entry.line]).toEqual(["/kh", 2]);
    expect(checkHostKey(entries, "[c.org]:2200", ed1).status).toBe("known");
    expect(checkHostKey(entries, "c.org", ed1).status).toBe("unknown");
    const other = checkHostKey(entries, "x.org", ed1);
    expect(other).toEqual({ status: "unknown", otherTypes: ["ecdsa-sha2-nistp256"] });
    expect(checkHostKey(entries, "r.org", ed2).status).toBe("revoked");
    expect(checkHostKey(entries, "elsewhere.org", ed2).status).toBe("unknown");
  });

  it("computes OpenSSH's SHA256 fingerprint and type label of a real key", () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const b = Buffer.concat([blob("ssh-ed25519", 0).subarray(0, 15), Buffer.from([0, 0, 0, 32]), raw]);
    expect(blobKeyType(b)).toBe("ssh-ed25519");
    expect(sha256Fingerprint(b)).toBe(
      `SHA256:${createHash("sha256").update(b).digest("base64").replace(/=+$/, "")}`,
    );
    expect(sha256Fingerprint(b)).not.toMatch(/=/);
    expect(keyTypeLabel("ssh-ed25519")).toBe("ED25519");
    expect(keyTypeLabel("ecdsa-sha2-nistp384")).toBe("ECDSA");
    expect(keyTypeLabel("ssh-rsa")).toBe("RSA");
  });

  it("appends plain or hashed lines, creating ~/.ssh 0700 and the file 0600, fixing a missing final newline", () => {
    const dir = mkdtempSync(join(tmpdir(), "moshts-kh-"));
    dirs.push(dir);
    const file = join(dir, "new", ".ssh", "known_hosts");
    appendKnownHost(file, "[h]:2", ed1, false);
    expect(statSync(join(dir, "new", ".ssh")).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(`${line("[h]:2", ed1)}\n`);
    const f2 = join(dir, "kh2");
    writeFileSync(f2, "x.org ssh-ed25519 AAAA");
    appendKnownHost(f2, "[h]:2", ed2, true);
    const lines = readFileSync(f2, "utf8").split("\n");
    expect(lines[0]).toBe("x.org ssh-ed25519 AAAA");
    expect(lines[1]).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    const entries = parseKnownHosts(readFileSync(f2, "utf8"), f2);
    expect(checkHostKey(entries, "[h]:2", ed2).status).toBe("known");
  });
});
