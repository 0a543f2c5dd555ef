// Tests for OcbCipher and the raw OCB helper: RFC 7253 Appendix A vectors and mosh's nonce layout.
import { describe, expect, it } from "vitest";
import { CryptoError } from "./crypto-error.js";
import { OcbCipher, ocbSealRaw } from "./ocb.js";
import { SessionKey } from "./session-key.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

/** RFC 7253 Appendix A, AES-128, 128-bit tag: [nonce, associated data, plaintext, ciphertext||tag]. */
const RFC7253_KEY = hex("000102030405060708090A0B0C0D0E0F");
const P8 = "0001020304050607";
const P16 = "000102030405060708090A0B0C0D0E0F";
const P24 = P16 + "1011121314151617";
const P32 = P16 + "101112131415161718191A1B1C1D1E1F";
const P40 = P32 + "2021222324252627";
const RFC7253_VECTORS: [string, string, string, string][] = [
  ["BBAA99887766554433221100", "", "", "785407BFFFC8AD9EDCC5520AC9111EE6"],
  ["BBAA99887766554433221101", P8, P8, "6820B3657B6F615A5725BDA0D3B4EB3A257C9AF1F8F03009"],
  ["BBAA99887766554433221102", P8, "", "81017F8203F081277152FADE694A0A00"],
  ["BBAA99887766554433221103", "", P8, "45DD69F8F5AAE72414054CD1F35D82760B2CD00D2F99BFA9"],
  ["BBAA99887766554433221104", P16, P16, "571D535B60B277188BE5147170A9A22C3AD7A4FF3835B8C5701C1CCEC8FC3358"],
  ["BBAA99887766554433221105", P16, "", "8CF761B6902EF764462AD86498CA6B97"],
  ["BBAA99887766554433221106", "", P16, "5CE88EC2E0692706A915C00AEB8B2396F40E1C743F52436BDF06D8FA1ECA343D"],
  [
    "BBAA99887766554433221107",
    P24,
    P24,
    "1CA2207308C87C010756104D8840CE1952F09673A448A122C92C62241051F57356D7F3C90BB0E07F",
  ],
  ["BBAA99887766554433221108", P24, "", "6DC225A071FC1B9F7C69F93B0F1E10DE"],
  [
    "BBAA99887766554433221109",
    "",
    P24,
    "221BD0DE7FA6FE993ECCD769460A0AF2D6CDED0C395B1C3CE725F32494B9F914D85C0B1EB38357FF",
  ],
  [
    "BBAA9988776655443322110A",
    P32,
    P32,
    "BD6F6C496201C69296C11EFD138A467ABD3C707924B964DEAFFC40319AF5A48540FBBA186C5553C68AD9F592A79A4240",
  ],
  ["BBAA9988776655443322110B", P32, "", "FE80690BEE8A485D11F32965BC9D2A32"],
  [
    "BBAA9988776655443322110C",
    "",
    P32,
    "2942BFC773BDA23CABC6ACFD9BFD5835BD300F0973792EF46040C53F1432BCDFB5E1DDE3BC18A5F840B52E653444D5DF",
  ],
  [
    "BBAA9988776655443322110D",
    P40,
    P40,
    "D5CA91748410C1751FF8A2F618255B68A0A12E093FF454606E59F9C1D0DDC54B65E8628E568BAD7AED07BA06A4A69483A7035490C5769E60",
  ],
  ["BBAA9988776655443322110E", P40, "", "C5CD9D1850C141E358649994EE701B68"],
  [
    "BBAA9988776655443322110F",
    "",
    P40,
    "4412923493C57D5DE0D700F753CCE0D1D2D95060122E9F15A5DDBFC5787E50B5CC55EE507BCB084E479AD363AC366B95A98CA5F3000B1479",
  ],
];

describe("ocbSealRaw (RFC 7253 Appendix A)", () => {
  it.each(RFC7253_VECTORS)("nonce %s", (nonce, ad, pt, expected) => {
    expect(toHex(ocbSealRaw(RFC7253_KEY, hex(nonce), hex(ad), hex(pt)))).toBe(expected);
  });

  it("matches the 'wider variety' iterated vector for AES-128 / 128-bit tag", () => {
    // K = zeros(15) || 128; C = concatenation over i of three encryptions of zeros(i); output tag.
    const key = Buffer.alloc(16);
    key[15] = 128;
    const num2str96 = (n: number): Buffer => {
      const b = Buffer.alloc(12);
      b.writeUInt32BE(n, 8);
      return b;
    };
    const empty = new Uint8Array(0);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 128; i++) {
      const s = new Uint8Array(i);
      parts.push(ocbSealRaw(key, num2str96(3 * i + 1), s, s));
      parts.push(ocbSealRaw(key, num2str96(3 * i + 2), empty, s));
      parts.push(ocbSealRaw(key, num2str96(3 * i + 3), s, empty));
    }
    const out = ocbSealRaw(key, num2str96(385), Buffer.concat(parts), empty);
    expect(toHex(out)).toBe("67E944D23256C5E0B6C61FA22FDF1EA2");
  });
});

describe("OcbCipher", () => {
  const key = SessionKey.fromBytes(RFC7253_KEY);
  const cipher = new OcbCipher(key);

  it("uses 4 zero bytes + the 64-bit nonce big-endian, and no associated data", () => {
    const pt = hex("0001020304050607ff");
    const nonce = 0x8000000000000005n;
    const expected = ocbSealRaw(RFC7253_KEY, hex("00000000 8000000000000005"), new Uint8Array(0), pt);
    const sealed = cipher.seal(nonce, pt);
    expect(toHex(sealed)).toBe(toHex(expected));
    expect(sealed.length).toBe(pt.length + 16);
  });

  it("round-trips plaintexts of many lengths, nonces 0 and 2^64-1 included", () => {
    for (const nonce of [0n, 1n, 0x7fffffffffffffffn, 0xffffffffffffffffn]) {
      for (const len of [0, 1, 15, 16, 17, 100, 1300]) {
        const pt = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len) & 0xff);
        expect(Buffer.from(cipher.open(nonce, cipher.seal(nonce, pt)))).toEqual(Buffer.from(pt));
      }
    }
  });

  it("rejects any flipped bit, a wrong nonce, a wrong key and short input", () => {
    const pt = Buffer.from("hello, mosh");
    const sealed = cipher.seal(7n, pt);
    const integrity = new CryptoError("integrity", "Packet failed integrity check.");
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const bad = Buffer.from(sealed);
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(() => cipher.open(7n, bad)).toThrow(integrity);
    }
    expect(() => cipher.open(8n, sealed)).toThrow(integrity);
    expect(() => new OcbCipher(SessionKey.generate()).open(7n, sealed)).toThrow(integrity);
    for (let len = 0; len < 16; len++) {
      expect(() => cipher.open(7n, sealed.subarray(0, len))).toThrow(integrity);
    }
    expect(() => cipher.open(-1n, sealed)).toThrow(integrity);
  });
});
