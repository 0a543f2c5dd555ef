// Tests for DatagramCodec and timestamp16: layout, both directions, tampering, short and oversize input.
import { describe, expect, it } from "vitest";
import { CryptoError } from "../crypto/crypto-error.js";
import { ocbSealRaw } from "../crypto/ocb.js";
import { SessionKey } from "../crypto/session-key.js";
import { DatagramCodec, type Packet, TIMESTAMP_NONE, TO_CLIENT, TO_SERVER, timestamp16 } from "./datagram.js";
import { decodeFragment, encodeFragment, FragmentAssembly, Fragmenter } from "./fragment.js";
import { decodeInstruction, encodeInstruction, type Instruction } from "./instruction.js";
import { MTU_IPV4, MTU_IPV6, maxFragmentContents } from "./mtu.js";
import { WireError } from "./wire-error.js";

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const key = SessionKey.parse("bV4R7Hq0Y2nmKQs1S3jdCw");
const FIRST_FRAGMENT = hex("0000000000000001 8000 789c0102");

function packet(over: Partial<Packet>): Packet {
  return {
    direction: TO_SERVER,
    seq: 0n,
    timestamp: 1234,
    timestampReply: TIMESTAMP_NONE,
    payload: FIRST_FRAGMENT,
    ...over,
  };
}

describe("DatagramCodec.encode", () => {
  const codec = new DatagramCodec(key);

  it("lays out nonce tail || OCB(ts || ts_reply || fragment) || tag, with no associated data", () => {
    const d = codec.encode(packet({ seq: 0n, timestamp: 0x1234, timestampReply: 0xffff }));
    expect(d.length).toBe(8 + 4 + FIRST_FRAGMENT.length + 16);
    expect(toHex(d.subarray(0, 8))).toBe("0000000000000000");
    const plain = hex("1234 ffff" + toHex(FIRST_FRAGMENT));
    expect(toHex(d.subarray(8))).toBe(
      toHex(ocbSealRaw(key.bytes(), hex("00000000 0000000000000000"), new Uint8Array(0), plain)),
    );
  });

  it("sets the direction bit for the server's datagrams", () => {
    const d = codec.encode(packet({ direction: TO_CLIENT, seq: 91n }));
    expect(toHex(d.subarray(0, 8))).toBe("800000000000005b");
  });

  it("refuses a sequence number that does not fit in 63 bits", () => {
    expect(() => codec.encode(packet({ seq: 1n << 63n }))).toThrow(RangeError);
    expect(() => codec.encode(packet({ seq: -1n }))).toThrow(RangeError);
  });
});

describe("DatagramCodec.decode", () => {
  const codec = new DatagramCodec(key);

  it("round-trips both directions and extreme sequence numbers", () => {
    for (const direction of [TO_SERVER, TO_CLIENT] as const) {
      for (const seq of [0n, 1n, 92n, (1n << 63n) - 1n]) {
        const p = packet({ direction, seq, timestamp: 65534, timestampReply: 0 });
        expect(codec.decode(codec.encode(p))).toEqual(p);
      }
    }
  });

  it("decodes with another codec made from the same key, and fails with a different key", () => {
    const d = codec.encode(packet({ seq: 5n }));
    expect(new DatagramCodec(SessionKey.parse(key.reveal())).decode(d).seq).toBe(5n);
    expect(() => new DatagramCodec(SessionKey.generate()).decode(d)).toThrow(
      new CryptoError("integrity", "Packet failed integrity check."),
    );
  });

  it("rejects any flipped bit (nonce, ciphertext or tag) with CryptoError", () => {
    const d = codec.encode(packet({ seq: 3n }));
    for (let bit = 0; bit < d.length * 8; bit++) {
      const bad = Uint8Array.from(d);
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(() => codec.decode(bad)).toThrow(new CryptoError("integrity", "Packet failed integrity check."));
    }
  });

  it("rejects datagrams shorter than 24 bytes and larger than 2048 with WireError", () => {
    const d = codec.encode(packet({}));
    for (let n = 0; n < 24; n++) expect(() => codec.decode(d.subarray(0, n))).toThrow(WireError);
    const big = codec.encode(packet({ payload: new Uint8Array(2048 - 28 + 1) }));
    expect(big.length).toBe(2049);
    expect(() => codec.decode(big)).toThrow(WireError);
    const max = codec.encode(packet({ payload: new Uint8Array(2048 - 28) }));
    expect(codec.decode(max).payload.length).toBe(2020);
  });

  it("rejects authenticated plaintexts shorter than 14 bytes with WireError", () => {
    // 4 timestamp bytes + fewer than 10 fragment bytes: properly sealed, still refused.
    for (let n = 0; n < 10; n++) {
      const d = codec.encode(packet({ payload: new Uint8Array(n) }));
      expect(() => codec.decode(d)).toThrow(WireError);
    }
    expect(codec.decode(codec.encode(packet({ payload: new Uint8Array(10) }))).payload.length).toBe(10);
  });
});

describe("timestamp16", () => {
  it("is ms mod 65536, with 65535 sent as 0", () => {
    expect(timestamp16(0)).toBe(0);
    expect(timestamp16(1234.9)).toBe(1234);
    expect(timestamp16(65534)).toBe(65534);
    expect(timestamp16(65535)).toBe(0);
    expect(timestamp16(65536)).toBe(0);
    expect(timestamp16(65537)).toBe(1);
    expect(timestamp16(2 * 65536 + 65535)).toBe(0);
    expect(timestamp16(1e12 + 7)).toBe((1e12 + 7) % 65536);
  });
});

describe("the whole stack", () => {
  it.each([
    ["IPv4", MTU_IPV4],
    ["IPv6", MTU_IPV6],
  ])("instruction -> zlib -> fragments -> datagrams (%s) and back", (_name, mtu) => {
    let s = 99;
    const diff = Uint8Array.from({ length: 5000 }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s >>> 24;
    });
    const inst: Instruction = {
      protocolVersion: 2,
      oldNum: 3n,
      newNum: 4n,
      ackNum: 2n,
      throwawayNum: 3n,
      diff,
      chaff: hex("0102"),
    };
    const frags = new Fragmenter().fragment(encodeInstruction(inst), maxFragmentContents(mtu));
    expect(frags.length).toBe(5);
    const server = new DatagramCodec(key);
    const client = new DatagramCodec(key);
    const datagrams = frags.map((f, i) =>
      server.encode({
        direction: TO_CLIENT,
        seq: BigInt(i),
        timestamp: 7,
        timestampReply: i === 0 ? 5 : TIMESTAMP_NONE,
        payload: encodeFragment(f),
      }),
    );
    expect(Math.max(...datagrams.map((d) => d.length))).toBe(mtu);
    const assembly = new FragmentAssembly();
    let done: Uint8Array | null = null;
    for (const d of datagrams.reverse()) {
      const p = client.decode(d);
      expect(p.direction).toBe(TO_CLIENT);
      done = assembly.add(decodeFragment(p.payload)) ?? done;
    }
    expect(done).not.toBeNull();
    expect(decodeInstruction(done!)).toEqual(inst);
  });
});
