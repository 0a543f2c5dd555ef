// Test-only helpers: a client/server Transport pair over a SimNetwork, and a tap that decodes what they send.

import { FakeClock, type LinkConditions, SimNetwork } from "../../test/helpers/sim-network.js";
import { SessionKey } from "../crypto/session-key.js";
import type { Direction } from "../wire/datagram.js";
import { DatagramCodec, TO_CLIENT } from "../wire/datagram.js";
import { decodeFragment, FragmentAssembly } from "../wire/fragment.js";
import type { Instruction } from "../wire/instruction.js";
import { decodeInstruction } from "../wire/instruction.js";
import { ListState } from "./list-state.fixture.js";
import type { Endpoint } from "./ports.js";
import { Transport } from "./transport.js";

/** A transport carrying list states both ways. */
export type ListTransport = Transport<ListState, ListState>;

/** A connected pair over a simulated network, with every error and event recorded. */
export interface SimPair {
  clock: FakeClock;
  net: SimNetwork;
  key: SessionKey;
  server: ListTransport;
  client: ListTransport;
  /** The live local states (mutate, then call `setCurrentState`). */
  serverState: ListState;
  clientState: ListState;
  serverErrors: Error[];
  clientErrors: Error[];
  /** Every datagram sent, decoded. */
  log: DatagramLog;
  close(): void;
}

/** One decoded datagram. */
export interface LoggedDatagram {
  at: number;
  from: Endpoint;
  to: Endpoint;
  size: number;
  direction: Direction;
  seq: bigint;
  timestamp: number;
  timestampReply: number;
  /** Set on the datagram that completed an instruction. */
  inst?: Instruction;
}

/** Decodes every datagram a SimNetwork carries (the sender's view: before loss). */
export class DatagramLog {
  readonly all: LoggedDatagram[] = [];
  readonly #codec: DatagramCodec;
  readonly #assembly = [new FragmentAssembly(), new FragmentAssembly()];
  readonly #unsubscribe: () => void;

  constructor(net: SimNetwork, clock: FakeClock, key: SessionKey) {
    this.#codec = new DatagramCodec(key);
    this.#unsubscribe = net.tap(({ from, to, data }) => {
      let p: ReturnType<DatagramCodec["decode"]>;
      try {
        p = this.#codec.decode(data);
      } catch {
        return; // injected garbage
      }
      const entry: LoggedDatagram = {
        at: clock.now(),
        from,
        to,
        size: data.length,
        direction: p.direction,
        seq: p.seq,
        timestamp: p.timestamp,
        timestampReply: p.timestampReply,
      };
      try {
        const whole = this.#assembly[p.direction].add(decodeFragment(p.payload));
        if (whole) entry.inst = decodeInstruction(whole);
      } catch {
        // injected bad input
      }
      this.all.push(entry);
    });
  }

  /** Instructions sent by the server (direction TO_CLIENT). */
  fromServer(): Instruction[] {
    return this.all.filter((d) => d.direction === TO_CLIENT && d.inst).map((d) => d.inst!);
  }

  /** Instructions sent by the client. */
  fromClient(): Instruction[] {
    return this.all.filter((d) => d.direction !== TO_CLIENT && d.inst).map((d) => d.inst!);
  }

  stop(): void {
    this.#unsubscribe();
  }
}

/** Opens a server (port 60001 on 127.0.0.1 or ::1) and a client connected to it, over a fresh SimNetwork. */
export async function simPair(
  options: { seed?: number; conditions?: LinkConditions; ipv6?: boolean; expediteEcho?: boolean } = {},
): Promise<SimPair> {
  const clock = new FakeClock();
  const net = new SimNetwork(clock, { seed: options.seed ?? 1, defaults: options.conditions });
  const key = SessionKey.generate();
  const log = new DatagramLog(net, clock, key);
  const family = options.ipv6 ? "IPv6" : "IPv4";
  const serverState = new ListState();
  const clientState = new ListState();
  const server: ListTransport = await Transport.open<ListState, ListState>({
    role: "server",
    key,
    clock,
    network: net,
    family,
    initialLocal: serverState,
    initialRemote: new ListState(),
    expediteEcho: options.expediteEcho,
  });
  const client: ListTransport = await Transport.open<ListState, ListState>({
    role: "client",
    key,
    clock,
    network: net,
    initialLocal: clientState,
    initialRemote: new ListState(),
    remote: server.localEndpoint,
  });
  const serverErrors: Error[] = [];
  const clientErrors: Error[] = [];
  server.on("error", (e) => serverErrors.push(e));
  client.on("error", (e) => clientErrors.push(e));
  return {
    clock,
    net,
    key,
    server,
    client,
    serverState,
    clientState,
    serverErrors,
    clientErrors,
    log,
    close() {
      log.stop();
      client.close();
      server.close();
    },
  };
}
