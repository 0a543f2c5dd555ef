// Tests for fragments: the header bytes, splitting at mosh's sizes, and reassembly in any order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeFragment, encodeFragment, type Fragment, FragmentAssembly, Fragmenter } from "./fragment.js";
import { MTU_FALLBACK, MTU_IPV4, MTU_IPV6, maxFragmentContents } from "./mtu.js";
import { WireError } from "./wire-error.js";

const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (n: number, seed = 0): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed) & 0xff);

describe("fragment header", () => {
  it("encodes id 1, final, number 0 as 00 00 00 00 00 00 00 01 80 00 (docs/mosh-protocol.md §5.4)", () => {
    const b = encodeFragment({ id: 1n, num: 0, final: true, contents: Uint8Array.of(0x78, 0x9c) });
    expect(toHex(b)).toBe("0000000000000001" + "8000" + "789c");
  });

  it("round-trips extreme ids and numbers", () => {
    const cases: Fragment[] = [
      { id: 0xffffffffffffffffn, num: 32767, final: true, contents: bytes(3) },
      { id: 0x0102030405060708n, num: 32767, final: false, contents: new Uint8Array(0) },
      { id: 5n, num: 1, final: false, contents: bytes(1214) },
    ];
    for (const f of cases) {
      expect(decodeFragment(encodeFragment(f))).toEqual(f);
    }
    expect(toHex(encodeFragment(cases[0]).subarray(8, 10))).toBe("ffff");
    expect(toHex(encodeFragment(cases[1]).subarray(0, 10))).toBe("01020304050607087fff");
  });

  it("decodes a fragment inside a larger buffer (byteOffset honoured)", () => {
    const outer = new Uint8Array(30);
    outer.set(encodeFragment({ id: 9n, num: 2, final: true, contents: Uint8Array.of(1, 2, 3) }), 7);
    expect(decodeFragment(outer.subarray(7, 20))).toEqual({
      id: 9n,
      num: 2,
      final: true,
      contents: Uint8Array.of(1, 2, 3),
    });
  });

  it("rejects fragments shorter than 10 bytes with WireError", () => {
    for (let n = 0; n < 10; n++) expect(() => decodeFragment(new Uint8Array(n))).toThrow(WireError);
    expect(decodeFragment(new Uint8Array(10)).contents.length).toBe(0);
  });

  it("refuses out-of-range numbers when encoding", () => {
    expect(() => encodeFragment({ id: 1n, num: 32768, final: false, contents: bytes(1) })).toThrow(
      RangeError,
    );
    expect(() => encodeFragment({ id: -1n, num: 0, final: false, contents: bytes(1) })).toThrow(RangeError);
  });
});

describe("size budget", () => {
  it("gives mosh's fragment contents per MTU", () => {
    expect(maxFragmentContents(MTU_IPV4)).toBe(1214);
    expect(maxFragmentContents(MTU_IPV6)).toBe(1178);
    expect(maxFragmentContents(MTU_FALLBACK)).toBe(462);
  });
});

describe("Fragmenter", () => {
  it("starts at id 1 and uses a new id for every call", () => {
    const f = new Fragmenter();
    expect(f.nextId).toBe(1n);
    const a = f.fragment(bytes(10), 1214);
    const b = f.fragment(bytes(10), 1214);
    expect(a.map((x) => x.id)).toEqual([1n]);
    expect(b.map((x) => x.id)).toEqual([2n]);
    expect(f.nextId).toBe(3n);
  });

  it("cuts at the IPv4 budget: slices of 1214, numbered from 0, last one final", () => {
    const payload = bytes(3000);
    const frags = new Fragmenter().fragment(payload, maxFragmentContents(MTU_IPV4));
    expect(frags.map((x) => [x.num, x.final, x.contents.length])).toEqual([
      [0, false, 1214],
      [1, false, 1214],
      [2, true, 572],
    ]);
    expect(toHex(Buffer.concat(frags.map((x) => x.contents)))).toBe(toHex(payload));
  });

  it("keeps a payload of exactly the budget in one fragment, and an empty one as one empty final fragment", () => {
    expect(new Fragmenter().fragment(bytes(1214), 1214).map((x) => [x.num, x.final])).toEqual([[0, true]]);
    expect(new Fragmenter().fragment(bytes(2428), 1214).length).toBe(2);
    const empty = new Fragmenter().fragment(new Uint8Array(0), 1214);
    expect(empty).toEqual([{ id: 1n, num: 0, final: true, contents: new Uint8Array(0) }]);
  });

  it("allows 32767 fragments and refuses more", () => {
    expect(new Fragmenter().fragment(new Uint8Array(32767), 1).length).toBe(32767);
    expect(() => new Fragmenter().fragment(new Uint8Array(32768), 1)).toThrow(RangeError);
    expect(() => new Fragmenter().fragment(bytes(3), 0)).toThrow(RangeError);
  });
});

describe("FragmentAssembly", () => {
  const split = (payload: Uint8Array, max: number, first = 1n): Fragment[] =>
    new Fragmenter(first).fragment(payload, max);

  it("returns a one-fragment instruction at once", () => {
    const a = new FragmentAssembly();
    expect(a.add(split(bytes(5), 100)[0])).toEqual(bytes(5));
  });

  it("reassembles fragments in any order with duplicates (seeded property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (len, max, seed) => {
          const payload = bytes(len, seed);
          const frags = split(payload, max);
          // A seeded shuffle with duplicates: every fragment once, then some twice.
          let s = seed;
          const rnd = (n: number): number => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return s % n;
          };
          const order = [...frags, ...frags.filter(() => rnd(3) === 0)];
          for (let i = order.length - 1; i > 0; i--) {
            const j = rnd(i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
          const a = new FragmentAssembly();
          const results = order.map((f) => a.add(f));
          // The first completion comes exactly when the last missing fragment first arrives.
          const seen = new Set<number>();
          const completeAt = order.findIndex((f) => seen.add(f.num).size === frags.length);
          expect(results.findIndex((r) => r !== null)).toBe(completeAt);
          // Later duplicates may complete a fresh assembly again (mosh's behaviour), never wrongly.
          for (const r of results) if (r !== null) expect(toHex(r)).toBe(toHex(payload));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it("ignores duplicates within an assembly", () => {
    const frags = split(bytes(30), 10);
    const a = new FragmentAssembly();
    expect(a.add(frags[0])).toBeNull();
    expect(a.add(frags[0])).toBeNull();
    expect(a.add(frags[2])).toBeNull();
    expect(a.add(frags[2])).toBeNull();
    expect(a.add(frags[1])).toEqual(bytes(30));
  });

  it("discards a partial assembly when a new id arrives", () => {
    const old = split(bytes(30, 1), 10, 1n);
    const next = split(bytes(20, 2), 10, 2n);
    const a = new FragmentAssembly();
    expect(a.add(old[0])).toBeNull();
    expect(a.add(old[1])).toBeNull();
    expect(a.add(next[1])).toBeNull();
    // The rest of the old instruction comes back: it starts a new assembly without fragments 0 and 1.
    expect(a.add(old[2])).toBeNull();
    expect(a.add(next[0])).toBeNull(); // id changed again, so fragment 1 of `next` was lost too
    expect(a.add(next[1])).toEqual(bytes(20, 2));
  });

  it("ignores fragments inconsistent with the final fragment", () => {
    const frags = split(bytes(30), 10);
    const a = new FragmentAssembly();
    expect(a.add(frags[2])).toBeNull();
    expect(a.add({ ...frags[0], num: 5 })).toBeNull(); // beyond the final fragment
    expect(a.add({ ...frags[1], final: true })).toBeNull(); // a second, earlier "final"
    expect(a.add(frags[0])).toBeNull();
    expect(a.add(frags[1])).toEqual(bytes(30));

    const b = new FragmentAssembly();
    expect(b.add(frags[2])).toBeNull();
    expect(b.add({ ...frags[0], final: true })).toBeNull(); // final before fragments already seen
    expect(b.add(frags[1])).toBeNull();
    expect(b.add(frags[0])).toEqual(bytes(30));
  });
});
