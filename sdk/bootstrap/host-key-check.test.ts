// Host-key policy: StrictHostKeyChecking in each mode, the questions asked, revoked and changed keys, what gets written.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { BootstrapError } from "./errors.js";
import { type HostKeyPolicy, hostKeyInfo, verifyHostKey } from "./host-key-check.js";
import { blobKeyType } from "./known-hosts.js";

function blob(seed: number): Buffer {
  const t = Buffer.from("ssh-ed25519");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(t.length);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(32);
  return Buffer.concat([head, t, len, Buffer.alloc(32, seed)]);
}
const KEY = blob(1);
const OTHER = blob(2);
const line = (host: string, b: Buffer) => `${host} ${blobKeyType(b)} ${b.toString("base64")}\n`;
const info = hostKeyInfo("127.0.0.1", 2222, "127.0.0.1", KEY);

const root = mkdtempSync(join(tmpdir(), "moshts-hostkey-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let file: string;
let asked: string[];
let messages: string[];
let n = 0;

function policy(over: Partial<HostKeyPolicy> & { answers?: string[] } = {}): HostKeyPolicy {
  const answers = [...(over.answers ?? [])];
  return {
    strict: "ask",
    userKnownHostsFiles: [file],
    globalKnownHostsFiles: [],
    hashKnownHosts: false,
    batchMode: false,
    prompt: async (q) => {
      asked.push(q);
      return answers.shift() ?? "";
    },
    onMessage: (m) => messages.push(m),
    ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<BootstrapError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BootstrapError) return e;
    throw e;
  }
  throw new Error("expected a rejection");
}

beforeEach(() => {
  file = join(root, `kh${n++}`, "known_hosts");
  asked = [];
  messages = [];
});

describe("verifyHostKey", () => {
  it("accepts a known key silently", async () => {
    const f = join(root, "known");
    writeFileSync(f, line("[127.0.0.1]:2222", KEY));
    await expect(verifyHostKey(info, policy({ userKnownHostsFiles: [f] }))).resolves.toEqual({
      restrictAuth: false,
    });
    expect(asked).toEqual([]);
  });

  it("re-asks until yes, no or the fingerprint", async () => {
    await verifyHostKey(info, policy({ answers: ["maybe", info.fingerprint] }));
    expect(asked[1]).toBe("Please type 'yes', 'no' or the fingerprint: ");
    expect(readFileSync(file, "utf8")).toBe(line("[127.0.0.1]:2222", KEY));
  });

  it("accepts new keys without asking under accept-new and no; refuses them under yes and in batch mode", async () => {
    await verifyHostKey(info, policy({ strict: "accept-new" }));
    expect(asked).toEqual([]);
    expect(existsSync(file)).toBe(true);
    file = join(root, "no-mode", "known_hosts");
    await verifyHostKey(info, policy({ strict: "no" }));
    expect(existsSync(file)).toBe(true);
    file = join(root, "yes-mode", "known_hosts");
    expect((await rejection(verifyHostKey(info, policy({ strict: "yes" })))).code).toBe("host-key-rejected");
    expect((await rejection(verifyHostKey(info, policy({ batchMode: true })))).code).toBe(
      "host-key-rejected",
    );
    expect(asked).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a revoked key with OpenSSH's banner", async () => {
    const f = join(root, "revoked");
    writeFileSync(f, `@revoked ${line("[127.0.0.1]:2222", KEY)}`);
    const e = await rejection(verifyHostKey(info, policy({ userKnownHostsFiles: [f], strict: "no" })));
    expect(e.code).toBe("host-key-revoked");
    expect(e.message).toContain("@       WARNING: REVOKED HOST KEY DETECTED!               @");
    expect(e.message).toContain("The ED25519 host key for [127.0.0.1]:2222 is marked as revoked.");
  });

  it("under StrictHostKeyChecking=no lets a changed key through with the warning, restricting authentication", async () => {
    const f = join(root, "changed-no");
    writeFileSync(f, line("[127.0.0.1]:2222", OTHER));
    const outcome = await verifyHostKey(info, policy({ userKnownHostsFiles: [f], strict: "no" }));
    expect(outcome).toEqual({ restrictAuth: true });
    expect(messages.join("\n")).toContain("WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!");
    expect(messages.join("\n")).toContain(
      "Password authentication is disabled to avoid man-in-the-middle attacks.",
    );
    expect(readFileSync(f, "utf8")).toBe(line("[127.0.0.1]:2222", OTHER));
  });

  it("refuses a changed key found in a global file under accept-new", async () => {
    const g = join(root, "global");
    writeFileSync(g, `# comment\n${line("[127.0.0.1]:2222", OTHER)}`);
    const e = await rejection(
      verifyHostKey(info, policy({ globalKnownHostsFiles: [g], strict: "accept-new" })),
    );
    expect(e.code).toBe("host-key-changed");
    expect(e.details).toMatchObject({ file: g, line: 2 });
    expect(existsSync(file)).toBe(false);
  });

  it("uses only the caller's hostVerifier when given", async () => {
    const seen: string[] = [];
    await verifyHostKey(
      info,
      policy({
        strict: "yes",
        hostVerifier: (i) => {
          seen.push(i.fingerprint);
          return true;
        },
      }),
    );
    expect(seen).toEqual([info.fingerprint]);
    expect(existsSync(file)).toBe(false);
  });
});
