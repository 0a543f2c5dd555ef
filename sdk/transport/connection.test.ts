// Tests of Connection: timestamp echo and the 1000 ms hold rule, RTT, the in-order filter, fragments, server ports.
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock, SimNetwork } from "../../test/helpers/sim-network.js";
import { SessionKey } from "../crypto/session-key.js";
import { TIMESTAMP_NONE, TO_CLIENT, TO_SERVER, timestamp16 } from "../wire/datagram.js";
import type { Instruction } from "../wire/instruction.js";
import { Connection, type ConnectionHandlers } from "./connection.js";
import { DatagramLog } from "./harness.fixture.js";
import type { Endpoint } from "./ports.js";

interface Recorder {
  insts: Instruction[];
  roams: Endpoint[];
  errors: Error[];
  detached: number;
  handlers: ConnectionHandlers;
}

function recorder(): Recorder {
  const r: Recorder = {
    insts: [],
    roams: [],
    errors: [],
    detached: 0,
    handlers: {
      instruction: (i) => r.insts.push(i),
      roam: (e) => r.roams.push(e),
      detach: () => r.detached++,
      error: (e) => r.errors.push(e),
    },
  };
  return r;
}

function inst(newNum: number, diff = new Uint8Array(0)): Instruction {
  return {
    protocolVersion: 2,
    oldNum: 0n,
    newNum: BigInt(newNum),
    ackNum: 0n,
    throwawayNum: 0n,
    diff,
    chaff: new Uint8Array(0),
  };
}

const opened: Connection[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

async function setup(delay = 5) {
  const clock = new FakeClock();
  const net = new SimNetwork(clock, { defaults: { delay } });
  const key = SessionKey.generate();
  const log = new DatagramLog(net, clock, key);
  const rs = recorder();
  const rc = recorder();
  const server = await Connection.open({ role: "server", key, clock, network: net }, rs.handlers);
  const client = await Connection.open(
    { role: "client", key, clock, network: net, remote: server.localEndpoint },
    rc.handlers,
  );
  opened.push(server, client);
  return { clock, net, key, log, rs, rc, server, client };
}

describe("Connection", () => {
  it("echoes the peer's timestamp once, advanced by the holding time, and samples the RTT", async () => {
    const { clock, log, server, client, rs } = await setup(5);
    const t0 = clock.now();
    client.sendInstruction(inst(1));
    clock.advance(5);
    expect(rs.insts).toHaveLength(1);
    expect(server.remoteEndpoint).toEqual(client.localEndpoint);
    clock.advance(300);
    server.sendInstruction(inst(1));
    server.sendInstruction(inst(2));
    const s2c = log.all.filter((d) => d.direction === TO_CLIENT);
    expect(s2c[0].timestampReply).toBe((timestamp16(t0) + 300) % 65536);
    expect(s2c[1].timestampReply).toBe(TIMESTAMP_NONE);
    expect(log.all[0].timestampReply).toBe(TIMESTAMP_NONE); // nothing to echo yet
    expect(client.rtt.hasSample).toBe(false);
    clock.advance(5);
    // R = 5 (out) + 5 (back); the 300 ms hold is subtracted by the advanced echo.
    expect(client.rtt.srtt).toBe(10);
    expect(client.rtt.rttvar).toBe(5);
  });

  it("does not echo a timestamp held for 1000 ms or more", async () => {
    const { clock, log, server, client } = await setup(5);
    client.sendInstruction(inst(1));
    clock.advance(5);
    clock.advance(1000);
    server.sendInstruction(inst(1));
    expect(log.all.filter((d) => d.direction === TO_CLIENT)[0].timestampReply).toBe(TIMESTAMP_NONE);
  });

  it("numbers every datagram (fragments too) and reassembles a fragmented instruction", async () => {
    const { clock, log, server, client, rs } = await setup(5);
    const big = new Uint8Array(5000);
    let x = 7;
    for (let k = 0; k < big.length; k++) {
      x = (x * 1103515245 + 12345) >>> 0;
      big[k] = x >>> 24;
    }
    client.sendInstruction(inst(1, big));
    client.sendInstruction(inst(2));
    clock.advance(10);
    const c2s = log.all.filter((d) => d.direction === TO_SERVER);
    expect(c2s.length).toBe(6);
    expect(c2s.map((d) => d.seq)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(c2s.slice(0, 4).every((d) => d.size === 1252)).toBe(true);
    expect(rs.insts.map((i) => i.newNum)).toEqual([1n, 2n]);
    expect(rs.insts[0].diff).toEqual(big);
    expect(server.mtu).toBe(1252);
  });

  it("passes out-of-order datagrams on, but they neither roam nor update timestamps", async () => {
    const { clock, net, server, client, rs } = await setup(5);
    const captured: Uint8Array[] = [];
    const stop = net.tap(({ data, to }) => {
      if (to.port === server.localEndpoint.port) captured.push(data.slice());
    });
    client.sendInstruction(inst(1));
    client.sendInstruction(inst(2));
    clock.advance(10);
    stop();
    expect(rs.roams).toEqual([client.localEndpoint]);
    server.sendInstruction(inst(1)); // consumes the held timestamp
    const heard = server.lastHeard;
    clock.advance(100);
    const elsewhere = { address: "127.0.0.50", port: 999 };
    net.inject(elsewhere, server.localEndpoint, captured[0]);
    clock.advance(10);
    expect(rs.insts.map((i) => i.newNum)).toEqual([1n, 2n, 1n]);
    expect(server.remoteEndpoint).toEqual(client.localEndpoint);
    expect(rs.roams).toHaveLength(1);
    expect(server.lastHeard).toBe(heard);
    expect(rs.errors).toEqual([]);
  });

  it("roams the server to any authenticated in-order datagram's source", async () => {
    const { clock, net, server, client, rs } = await setup(5);
    client.sendInstruction(inst(1));
    clock.advance(10);
    const apparent = { address: "127.0.0.33", port: 7777 };
    net.translate(client.localEndpoint, apparent);
    client.sendInstruction(inst(2));
    clock.advance(10);
    expect(rs.roams).toEqual([client.localEndpoint, apparent]);
    expect(server.remoteEndpoint).toEqual(apparent);
  });

  it("a server has no remote address until its first datagram and sends nothing before", async () => {
    const { log, server } = await setup();
    expect(server.hasRemoteAddress).toBe(false);
    server.sendInstruction(inst(1));
    expect(log.all).toHaveLength(0);
  });
});

describe("Connection server ports (docs/mosh-protocol.md §7.3)", () => {
  const key = SessionKey.generate();
  const noop = recorder().handlers;

  it("takes the first free port of 60001..60999 by default", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock);
    const a = await Connection.open({ role: "server", key, clock, network: net }, noop);
    const b = await Connection.open({ role: "server", key, clock, network: net }, noop);
    opened.push(a, b);
    expect([a.localEndpoint.port, b.localEndpoint.port]).toEqual([60001, 60002]);
    expect(a.mtu).toBe(1252);
  });

  it("binds a single port, port 0 (OS choice) or the first free port of a range", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock);
    const one = await Connection.open({ role: "server", key, clock, network: net, port: 61000 }, noop);
    const any = await Connection.open({ role: "server", key, clock, network: net, port: 0 }, noop);
    const range = await Connection.open(
      { role: "server", key, clock, network: net, port: [61000, 61002] },
      noop,
    );
    opened.push(one, any, range);
    expect(one.localEndpoint.port).toBe(61000);
    expect(any.localEndpoint.port).not.toBe(0);
    expect(range.localEndpoint.port).toBe(61001);
    await expect(
      Connection.open({ role: "server", key, clock, network: net, port: 61000 }, noop),
    ).rejects.toThrow(/in use/);
    await expect(
      Connection.open({ role: "server", key, clock, network: net, port: [0, 5] }, noop),
    ).rejects.toThrow(RangeError);
  });

  it("falls back to any interface when the bind address fails, and says so", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock, { localAddresses: ["127.0.0.1", "::1"] });
    const failures: string[] = [];
    const c = await Connection.open(
      {
        role: "server",
        key,
        clock,
        network: net,
        bindAddress: "127.0.0.200",
        port: 0,
        onBindError: (a) => failures.push(a),
      },
      noop,
    );
    opened.push(c);
    expect(failures).toEqual(["127.0.0.200"]);
    expect(c.localEndpoint.address).toBe("127.0.0.1");
    const v6 = await Connection.open(
      { role: "server", key, clock, network: net, bindAddress: "::1", port: 0 },
      noop,
    );
    opened.push(v6);
    expect(v6.family).toBe("IPv6");
    expect(v6.mtu).toBe(1216);
  });
});
