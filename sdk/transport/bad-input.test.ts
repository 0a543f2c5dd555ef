// Hostile and broken datagrams: garbage, bit flips, replays, wrong direction, bad instructions. Nothing crashes or changes.
import { afterEach, describe, expect, it } from "vitest";
import { CryptoError } from "../crypto/crypto-error.js";
import { DatagramCodec, type Direction, TO_CLIENT, TO_SERVER } from "../wire/datagram.js";
import { encodeFragment } from "../wire/fragment.js";
import { encodeInstruction, type Instruction } from "../wire/instruction.js";
import { WireError } from "../wire/wire-error.js";
import { type SimPair, simPair } from "./harness.fixture.js";
import type { Endpoint } from "./ports.js";
import type { TransportError } from "./transport-error.js";

let pair: SimPair | null = null;
afterEach(() => {
  pair?.close();
  pair = null;
});

/** Opens a pair that the test's cleanup closes. */
async function open(options?: Parameters<typeof simPair>[0]): Promise<SimPair> {
  pair = await simPair(options);
  return pair;
}

const STRANGER: Endpoint = { address: "127.0.0.77", port: 4444 };

function craft(p: SimPair, direction: Direction, seq: bigint, contents: Uint8Array): Uint8Array {
  return new DatagramCodec(p.key).encode({
    direction,
    seq,
    timestamp: 0,
    timestampReply: 0xffff,
    payload: encodeFragment({ id: 999_999n, num: 0, final: true, contents }),
  });
}

function instruction(fields: Partial<Instruction>): Instruction {
  return {
    protocolVersion: 2,
    oldNum: 0n,
    newNum: 1000n,
    ackNum: 0n,
    throwawayNum: 0n,
    diff: new Uint8Array(0),
    chaff: new Uint8Array(0),
    ...fields,
  };
}

/** A session with some state each way, quiet. */
async function established(): Promise<SimPair> {
  const p = await open();
  p.clientState.push(1, 2);
  p.client.setCurrentState(p.clientState);
  p.serverState.push(5);
  p.server.setCurrentState(p.serverState);
  p.clock.advance(1000);
  expect(p.server.remoteState().items).toEqual([1, 2]);
  return p;
}

describe("bad input", () => {
  it("garbage and truncated datagrams are counted and reported, and change nothing", async () => {
    const p = await established();
    const num = p.server.remoteStateNum();
    const remote = p.server.remoteEndpoint;
    p.net.inject(STRANGER, p.server.localEndpoint, new Uint8Array(100).fill(0xab));
    p.net.inject(STRANGER, p.server.localEndpoint, new Uint8Array(5));
    p.net.inject(STRANGER, p.server.localEndpoint, new Uint8Array(3000));
    p.clock.advance(10);
    expect(p.serverErrors.map((e) => e.constructor)).toEqual([CryptoError, WireError, WireError]);
    expect(p.serverErrors.map((e) => (e as CryptoError | WireError).code)).toEqual([
      "integrity",
      "malformed-input",
      "malformed-input",
    ]);
    expect(p.server.stats.integrityFailures).toBe(1);
    expect(p.server.remoteEndpoint).toEqual(remote);
    expect(p.server.remoteStateNum()).toBe(num);
  });

  it("a bit-flipped datagram fails the integrity check and does not roam", async () => {
    const p = await established();
    const genuine = p.log.all.filter((d) => d.direction === TO_SERVER).length;
    let captured: Uint8Array | null = null;
    const stop = p.net.tap(({ data, to }) => {
      if (!captured && to.port === p.server.localEndpoint.port) captured = data.slice();
    });
    p.clientState.push(3);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(1);
    stop();
    expect(captured).not.toBeNull();
    const bad = captured!;
    bad[20] ^= 0x01;
    p.net.inject(STRANGER, p.server.localEndpoint, bad);
    p.clock.advance(5);
    expect(p.serverErrors).toHaveLength(1);
    expect(p.serverErrors[0]).toBeInstanceOf(CryptoError);
    expect(p.serverErrors[0].message).toBe("Packet failed integrity check.");
    expect(p.server.remoteEndpoint).toEqual(p.client.localEndpoint);
    expect(genuine).toBeGreaterThan(0);
  });

  it("a replayed datagram is processed as a duplicate: no effect, no roaming", async () => {
    const p = await established();
    let first: Uint8Array | null = null;
    const stop = p.net.tap(({ data, to }) => {
      if (!first && to.port === p.server.localEndpoint.port) first = data.slice();
    });
    p.clientState.push(3);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(500);
    stop();
    const num = p.server.remoteStateNum();
    const items = p.server.remoteState().items.slice();
    const remote = p.server.remoteEndpoint;
    const seen: bigint[] = [];
    p.server.on("remote-state", (n) => seen.push(n));
    p.net.inject(STRANGER, p.server.localEndpoint, first!);
    p.net.inject(STRANGER, p.server.localEndpoint, first!);
    p.clock.advance(5);
    expect(p.serverErrors).toEqual([]);
    expect(seen).toEqual([]);
    expect(p.server.remoteStateNum()).toBe(num);
    expect(p.server.remoteState().items).toEqual(items);
    expect(p.server.remoteEndpoint).toEqual(remote);
    expect(p.server.stats.datagramsReceived).toBeGreaterThan(2);
  });

  it("a datagram with the wrong direction bit is rejected (no reflection)", async () => {
    const p = await established();
    const num = p.server.remoteStateNum();
    const contents = encodeInstruction(
      instruction({ oldNum: num, newNum: num + 1n, diff: new Uint8Array(0) }),
    );
    p.net.inject(STRANGER, p.server.localEndpoint, craft(p, TO_CLIENT, 1n << 40n, contents));
    p.net.inject(STRANGER, p.client.localEndpoint, craft(p, TO_SERVER, 1n << 40n, contents));
    p.clock.advance(5);
    expect(p.serverErrors).toHaveLength(1);
    expect((p.serverErrors[0] as TransportError).code).toBe("illegal-input");
    expect(p.clientErrors).toHaveLength(1);
    expect(p.server.remoteStateNum()).toBe(num);
    expect(p.server.remoteEndpoint).toEqual(p.client.localEndpoint);
  });

  it("authenticated but malformed fragments, instructions and diffs are dropped as illegal input", async () => {
    const p = await established();
    const from = p.client.localEndpoint;
    const num = p.server.remoteStateNum();
    const items = p.server.remoteState().items.slice();
    let seq = 1n << 40n;
    // Not zlib.
    p.net.inject(from, p.server.localEndpoint, craft(p, TO_SERVER, seq++, new Uint8Array([1, 2, 3, 4])));
    // Wrong protocol version.
    const v3 = encodeInstruction(instruction({ protocolVersion: 3, oldNum: num, newNum: num + 1n }));
    p.net.inject(from, p.server.localEndpoint, craft(p, TO_SERVER, seq++, v3));
    // A diff the state rejects.
    const badDiff = encodeInstruction(
      instruction({ oldNum: num, newNum: num + 1n, diff: new Uint8Array([0, 0, 0, 9, 0, 0, 0, 1]) }),
    );
    p.net.inject(from, p.server.localEndpoint, craft(p, TO_SERVER, seq++, badDiff));
    p.clock.advance(5);
    expect(p.serverErrors).toHaveLength(3);
    expect(p.serverErrors[0]).toBeInstanceOf(WireError);
    expect((p.serverErrors[1] as TransportError).code).toBe("version-mismatch");
    expect((p.serverErrors[2] as TransportError).code).toBe("illegal-input");
    expect(p.server.stats.illegalInput).toBe(3);
    expect(p.server.remoteStateNum()).toBe(num);
    expect(p.server.remoteState().items).toEqual(items);
    // The session still works afterwards.
    p.clientState.push(4);
    p.client.setCurrentState(p.clientState);
    p.clock.advance(1000);
    expect(p.server.remoteState().items).toEqual([1, 2, 4]);
  });

  it("a throwing remote-state listener is reported, not thrown out of the receive path", async () => {
    const p = await established();
    p.server.on("remote-state", () => {
      throw new Error("listener broke");
    });
    p.clientState.push(3);
    p.client.setCurrentState(p.clientState);
    expect(() => p.clock.advance(500)).not.toThrow();
    expect(p.serverErrors.map((e) => e.message)).toContain("listener broke");
    expect(p.server.remoteState().items).toEqual([1, 2, 3]);
  });
});
