import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BootstrapError } from "./bootstrap/errors.js";
import { parseTarget } from "./bootstrap/ssh-config.js";
import { MoshSession } from "./client/mosh-session.js";
import { CryptoError } from "./crypto/crypto-error.js";
import { SessionKey } from "./crypto/session-key.js";
import { MoshError, type MoshErrorCode } from "./errors.js";
import { MoshServer } from "./server/mosh-server.js";
import { TransportError } from "./transport/transport-error.js";
import { WireError } from "./wire/wire-error.js";

/** What `fn` threw or rejected with. */
async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("nothing was thrown");
}

function expectMoshError(err: unknown, code: MoshErrorCode, message?: string | RegExp): MoshError {
  expect(err).toBeInstanceOf(MoshError);
  const e = err as MoshError;
  expect(e.code).toBe(code);
  if (message !== undefined) expect(e.message).toMatch(message);
  return e;
}

describe("MoshError: one error type with codes across the SDK", () => {
  it("a malformed key is `bad-key` everywhere, with mosh's text (and still a CryptoError)", async () => {
    const key = "short";
    const fromSession = await caught(() => new MoshSession({ host: "127.0.0.1", port: 1, key }));
    expectMoshError(fromSession, "bad-key", /^Key must be 22 letters long\.$/);
    expect(fromSession).toBeInstanceOf(CryptoError);
    expect((fromSession as Error).name).toBe("CryptoError");
    expectMoshError(await caught(() => MoshServer.start({ key })), "bad-key");
    for (const [text, message] of [
      ["short", "Key must be 22 letters long."],
      ["AAAAAAAAAAAAAAAAAAAA!A", "Key must be well-formed base64."],
      ["AAAAAAAAAAAAAAAAAAAAAB", "Base64 key was not encoded 128-bit key."],
    ]) {
      expectMoshError(await caught(() => SessionKey.parse(text)), "bad-key", message);
    }
    expectMoshError(await caught(() => SessionKey.fromBytes(new Uint8Array(3))), "bad-key");
  });

  it("bad options are `bad-argument`", async () => {
    const key = SessionKey.generate();
    expectMoshError(
      await caught(() => new MoshSession({ host: "h", port: 1, key, cols: 0 })),
      "bad-argument",
    );
    const s = new MoshSession({ host: "127.0.0.1", port: 1, key });
    expectMoshError(await caught(() => s.resize(0, 24)), "bad-argument", /bad window size 0x24/);
    expectMoshError(await caught(() => MoshServer.start({ rows: 0 })), "bad-argument");
    expectMoshError(await caught(() => MoshServer.start({ command: [] })), "bad-argument");
    expectMoshError(await caught(() => MoshServer.start({ port: [0, 5] })), "bad-argument");
  });

  it("a port that cannot be bound is `bind-failed`, with the socket's error as its cause", async () => {
    const busy: Socket = createSocket("udp4");
    await new Promise<void>((resolve) => busy.bind(0, "127.0.0.1", resolve));
    try {
      const port = busy.address().port;
      const err = expectMoshError(
        await caught(() =>
          MoshServer.start({ bindAddress: "127.0.0.1", port, onBindError: () => undefined }),
        ),
        "bind-failed",
        /EADDRINUSE/,
      );
      expect((err.cause as NodeJS.ErrnoException).code).toBe("EADDRINUSE");
    } finally {
      busy.close();
    }
  });

  it("session states are `not-connected`, `closed`, `bad-address`", async () => {
    const key = SessionKey.generate();
    const s = new MoshSession({ host: "127.0.0.1", port: 9, key });
    expectMoshError(await caught(() => s.rebind()), "not-connected");
    await s.close();
    expectMoshError(await caught(() => s.connect()), "closed");
    const unresolvable = new MoshSession({ host: "nosuchhost.invalid", port: 9, key });
    expectMoshError(await caught(() => unresolvable.connect()), "bad-address");
    await unresolvable.close();
  });

  it("the bootstrap's, the transport's and the wire's errors are MoshErrors with their codes", () => {
    const boot = (() => {
      try {
        parseTarget("@host");
      } catch (err) {
        return err;
      }
    })();
    expect(boot).toBeInstanceOf(BootstrapError);
    expectMoshError(boot, "bad-argument");
    expectMoshError(new TransportError("socket", "x"), "socket");
    expectMoshError(new WireError("Datagram too short"), "malformed-input");
    expectMoshError(new CryptoError("integrity", "Packet failed integrity check."), "integrity");
  });

  it("every code is documented where it is declared, and MoshError's TSDoc names every non-bootstrap code", () => {
    const src = readFileSync(join(import.meta.dirname, "errors.ts"), "utf8");
    const lines = src.split("\n");
    const codes: string[] = [];
    lines.forEach((line, i) => {
      const m = /^\s*\| "([a-z-]+)"/.exec(line) ?? /^\s*"([a-z-]+)"/.exec(line);
      if (!m) return;
      codes.push(m[1]);
      expect(lines[i - 1], `doc comment above ${m[1]}`).toMatch(/^\s*\/\*\*.*\*\/$|^\s*\*\/$/);
    });
    expect(codes.length).toBeGreaterThan(25);
    const doc = src.slice(
      src.indexOf("/**\n * The error type of the whole SDK"),
      src.indexOf("export class MoshError"),
    );
    const bootstrapOnly = src.slice(
      src.indexOf("export type BootstrapErrorCode"),
      src.indexOf("/** Codes of `MoshSession`"),
    );
    for (const code of new Set(codes)) {
      if (bootstrapOnly.includes(`"${code}"`) && code !== "bad-argument") continue;
      expect(doc, code).toContain(`\`${code}\``);
    }
  });
});
