// Tests for SessionKey: mosh-client's validation order and texts, and redaction of the key.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CryptoError } from "./crypto-error.js";
import { KEY_PATTERN, SessionKey } from "./session-key.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const GOOD = "bV4R7Hq0Y2nmKQs1S3jdCw";

function parseError(text: string): string {
  try {
    SessionKey.parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).name).toBe("CryptoError");
    return (err as CryptoError).message;
  }
  throw new Error(`parse(${JSON.stringify(text)}) did not throw`);
}

describe("SessionKey.parse", () => {
  it("accepts a valid key and gives it back unchanged", () => {
    const key = SessionKey.parse(GOOD);
    expect(key.reveal()).toBe(GOOD);
    expect(Buffer.from(key.bytes()).toString("base64")).toBe(GOOD + "==");
  });

  it("rejects a wrong length first", () => {
    expect(parseError("")).toBe("Key must be 22 letters long.");
    expect(parseError(GOOD.slice(0, 21))).toBe("Key must be 22 letters long.");
    expect(parseError(GOOD + "A")).toBe("Key must be 22 letters long.");
    expect(parseError(GOOD + "==")).toBe("Key must be 22 letters long.");
    // mosh counts bytes: 21 ASCII characters and one 2-byte UTF-8 character are 23 bytes.
    expect(parseError(GOOD.slice(0, 21) + "é")).toBe("Key must be 22 letters long.");
    // A length error wins over bad characters.
    expect(parseError("!!!")).toBe("Key must be 22 letters long.");
  });

  it("rejects characters outside the base64 alphabet", () => {
    expect(parseError(GOOD.slice(0, 10) + "-" + GOOD.slice(11))).toBe("Key must be well-formed base64.");
    expect(parseError(GOOD.slice(0, 10) + "_" + GOOD.slice(11))).toBe("Key must be well-formed base64.");
    expect(parseError(GOOD.slice(0, 10) + " " + GOOD.slice(11))).toBe("Key must be well-formed base64.");
    expect(parseError(GOOD.slice(0, 21) + "=")).toBe("Key must be well-formed base64.");
    expect(parseError(GOOD.slice(0, 20) + "==")).toBe("Key must be well-formed base64.");
    expect(parseError(GOOD.slice(0, 10) + "\n" + GOOD.slice(11))).toBe("Key must be well-formed base64.");
    // 20 ASCII characters and one 2-byte character: 22 bytes, so the alphabet check catches it.
    expect(parseError(GOOD.slice(0, 20) + "é")).toBe("Key must be well-formed base64.");
  });

  it("requires the 4 unused bits of the 22nd character to be zero (A, Q, g or w)", () => {
    const accepted: string[] = [];
    for (const c of ALPHABET) {
      const text = GOOD.slice(0, 21) + c;
      if ("AQgw".includes(c)) {
        expect(SessionKey.parse(text).reveal()).toBe(text);
        accepted.push(c);
      } else {
        expect(parseError(text)).toBe("Base64 key was not encoded 128-bit key.");
      }
    }
    expect(accepted).toEqual(["A", "Q", "g", "w"]);
  });

  it("accepts every generated key, and the wrapper's pattern matches them", () => {
    for (let i = 0; i < 200; i++) {
      const text = SessionKey.generate().reveal();
      expect(text).toMatch(KEY_PATTERN);
      expect(SessionKey.parse(text).reveal()).toBe(text);
    }
    expect(KEY_PATTERN.test(GOOD + "A")).toBe(false);
    expect(KEY_PATTERN.test(GOOD.slice(0, 21) + "=")).toBe(false);
  });

  it("generates a different key each time, every byte position varying (no zero fill)", () => {
    const keys = Array.from({ length: 64 }, () => SessionKey.generate().bytes());
    expect(new Set(keys.map((k) => Buffer.from(k).toString("hex"))).size).toBe(64);
    for (let i = 0; i < 16; i++) expect(new Set(keys.map((k) => k[i])).size).toBeGreaterThan(8);
  });
});

describe("SessionKey.fromBytes / bytes", () => {
  it("round-trips 16 bytes and copies in both directions", () => {
    const raw = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    const key = SessionKey.fromBytes(raw);
    raw[0] = 99;
    const out = key.bytes();
    expect(out[0]).toBe(0);
    out[1] = 99;
    expect(key.bytes()[1]).toBe(7);
    expect(SessionKey.parse(key.reveal()).bytes()).toEqual(key.bytes());
  });

  it("rejects anything but 16 bytes with mosh's text", () => {
    expect(() => SessionKey.fromBytes(new Uint8Array(15))).toThrow(
      new CryptoError("bad-key", "Key must represent 16 octets."),
    );
    expect(() => SessionKey.fromBytes(new Uint8Array(17))).toThrow(CryptoError);
  });
});

describe("redaction", () => {
  const key = SessionKey.parse(GOOD);
  const redacted = "SessionKey(<redacted>)";

  it("never shows the key through string, JSON or inspect conversions", () => {
    const outputs = [
      String(key),
      `${key}`,
      "" + key,
      key.toString(),
      JSON.stringify(key),
      JSON.stringify({ key }),
      inspect(key),
      inspect({ nested: { key } }, { depth: 10, showHidden: true }),
      inspect(key, { customInspect: true, showHidden: true }),
    ];
    for (const out of outputs) {
      expect(out).toContain(redacted);
      expect(out).not.toContain(GOOD);
    }
    expect(JSON.parse(JSON.stringify({ key }))).toEqual({ key: redacted });
    expect(Object.keys(key)).toEqual([]);
  });

  it("keeps the key out of error messages", () => {
    const bad = GOOD.slice(0, 21) + "B";
    expect(parseError(bad)).not.toContain(bad);
  });
});
