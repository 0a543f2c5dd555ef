// Tests that OcbCipher's OCB (on reused AES-ECB contexts) equals OpenSSL's aes-128-ocb for any length and nonce.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CryptoError } from "./crypto-error.js";
import { OcbCipher, ocbSealRaw } from "./ocb.js";
import { SessionKey } from "./session-key.js";

function nonce96(n: bigint): Uint8Array {
  const b = Buffer.alloc(12);
  b.writeBigUInt64BE(n, 4);
  return b;
}

describe("OcbCipher against OpenSSL's aes-128-ocb", () => {
  it("seals exactly as ocbSealRaw does and opens its output", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.array(
          fc.record({
            nonce: fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
            pt: fc.oneof(fc.uint8Array({ maxLength: 70 }), fc.uint8Array({ maxLength: 3000 })),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (key, items) => {
          const cipher = new OcbCipher(SessionKey.fromBytes(key));
          for (const { nonce, pt } of items) {
            const expected = ocbSealRaw(key, nonce96(nonce), new Uint8Array(0), pt);
            const sealed = cipher.seal(nonce, pt);
            expect(Buffer.from(sealed).equals(Buffer.from(expected))).toBe(true);
            expect(Buffer.from(cipher.open(nonce, expected)).equals(Buffer.from(pt))).toBe(true);
          }
        },
      ),
      { seed: 9, numRuns: 150 },
    );
  });

  it("agrees across consecutive nonces (the cached Ktop changes every 64)", () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const cipher = new OcbCipher(SessionKey.fromBytes(key));
    const pt = Uint8Array.from({ length: 37 }, (_, i) => i);
    for (let n = 0n; n < 200n; n++) {
      const nonce = n < 100n ? n : 0xffffffffffffff00n + n;
      expect(
        Buffer.from(cipher.seal(nonce, pt)).equals(
          Buffer.from(ocbSealRaw(key, nonce96(nonce), pt.subarray(0, 0), pt)),
        ),
      ).toBe(true);
    }
  });

  it("rejects a tampered tag or body at every length", () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    const cipher = new OcbCipher(SessionKey.fromBytes(key));
    for (let len = 0; len < 50; len++) {
      const sealed = cipher.seal(
        5n,
        Uint8Array.from({ length: len }, (_, i) => i * 3),
      );
      for (const at of [0, sealed.length - 1, len]) {
        if (at >= sealed.length) continue;
        const bad = Uint8Array.from(sealed);
        bad[at] ^= 0x40;
        expect(() => cipher.open(5n, bad)).toThrow(CryptoError);
      }
    }
  });
});
