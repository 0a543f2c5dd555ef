// A live session for the robustness cases: a server (mosh-server or mosh-ts-server) behind a LinkEmulator, its client (mosh-client or mosh-ts-client) in tmux.
import type { LinkDirectionProfile, LinkEmulatorOptions } from "../../sdk/linkem/link-emulator.js";
import { LinkEmulator } from "../../sdk/linkem/link-emulator.js";
import {
  type ClientProgram,
  type Impl,
  now,
  onCleanup,
  type ServerHandle,
  sleep,
  startServer,
  startTmuxClient,
  type TmuxClient,
} from "../harness.js";

/** One implementation end to end: its server and its client program. */
export interface Pairing {
  /** "mosh" (Debian's mosh 1.4) or "mosh-ts". */
  readonly name: Impl;
  readonly server: Impl;
  readonly client: ClientProgram;
}

/** Debian's mosh-server with Debian's mosh-client. */
export const MOSH: Pairing = { name: "mosh", server: "mosh", client: "mosh-client" };
/** mosh-ts-server with mosh-ts-client. */
export const MOSH_TS: Pairing = { name: "mosh-ts", server: "mosh-ts", client: "mosh-ts-client" };
/** Both, mosh first (the reference). */
export const PAIRINGS: readonly Pairing[] = [MOSH, MOSH_TS];

/** How a pairing is run, for the output: `mosh-server + mosh-client (tmux)`. */
export function describePairing(p: Pairing): string {
  return `${p.server === "mosh" ? "mosh-server" : "mosh-ts-server"} + ${p.client} (tmux)`;
}

/** The shell prompt (`PS1='$ '`; tmux trims the blank) alone on a line. */
export const PROMPT = /^\$ ?$/m;

/** Options of {@link startRig}. */
export interface RigOptions {
  /** The session's command (default `/bin/sh` with `PS1='$ '`). */
  command?: string[];
  /** Extra server options before `--` (e.g. `["-v"]`). */
  serverArgs?: string[];
  /** Extra environment of the server and its session. */
  serverEnv?: Record<string, string>;
  /** File mode creation mask of both server and client (default: this process's). */
  umask?: number;
  /** Extra environment of the client (default `MOSH_PREDICTION_DISPLAY=never`: the screen shows what the server has). */
  clientEnv?: Record<string, string>;
  /** The link from the client to the server (default perfect). */
  toServer?: LinkDirectionProfile;
  /** The link from the server to the client (default perfect). */
  toClient?: LinkDirectionProfile;
  /** Seed of the link's random choices. */
  seed?: number;
  /** Sees every datagram the link relays (see LinkEmulatorOptions.tap). */
  tap?: LinkEmulatorOptions["tap"];
  /** What on the client's screen says the session is up (default the prompt). */
  ready?: RegExp;
  /** How long to wait for `ready` (default 20 s). */
  readyTimeoutMs?: number;
}

/** A running session of one pairing. */
export interface Rig {
  readonly pairing: Pairing;
  readonly server: ServerHandle;
  /** Pid of the server's session process (mosh-server's daemon, mosh-ts-server's session process). */
  readonly serverPid: number;
  /** The relay between client and server (roaming, loss, injection). */
  readonly emu: LinkEmulator;
  readonly client: TmuxClient;
  /** Pid of the client program. */
  readonly clientPid: number;
  /** Types literal text. */
  type(text: string): Promise<void>;
  /** Types a command line and Enter. */
  run(command: string): Promise<void>;
  /** The client's screen, wrapped lines joined, trailing blank lines dropped. */
  screen(): Promise<string>;
  /** Polls the client's screen until it matches; resolves with when (monotonic ms); rejects after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<number>;
  /** As {@link Rig.waitFor}, with a predicate on the screen; `what` names it in the error. */
  waitUntil(accept: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<number>;
  /** Ends everything (client, relay, server). Idempotent. */
  stop(): Promise<void>;
}

/** Starts a server running `command`, a relay in front of it and the client in tmux; resolves once `ready` shows. */
export async function startRig(pairing: Pairing, o: RigOptions = {}): Promise<Rig> {
  const server = await startServer(pairing.server, o.command ?? ["/bin/sh"], undefined, {
    args: o.serverArgs,
    env: o.serverEnv,
    umask: o.umask,
  });
  let emu: LinkEmulator | null = null;
  let client: TmuxClient | null = null;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await client?.kill();
    await emu?.stop();
    await server.stop();
  };
  onCleanup(stop);
  try {
    const serverPid = await server.pid;
    emu = await LinkEmulator.start({
      target: { address: "127.0.0.1", port: server.port },
      toServer: o.toServer,
      toClient: o.toClient,
      seed: o.seed,
      tap: o.tap,
    });
    client = await startTmuxClient(pairing.client);
    await client.launch(
      emu.port,
      server.key,
      o.clientEnv ?? { MOSH_PREDICTION_DISPLAY: "never" },
      o.umask === undefined ? undefined : o.umask.toString(8).padStart(3, "0"),
    );
    const clientPid = await client.pid();
    const c = client;
    const screen = async (): Promise<string> =>
      (await c.capture({ join: true })).replace(/[ \t]+$/gm, "").replace(/\n+$/, "");
    const waitUntil = async (
      accept: (screen: string) => boolean,
      what: string,
      timeoutMs = 20_000,
    ): Promise<number> => {
      const deadline = now() + timeoutMs;
      let last = "";
      for (;;) {
        last = await screen().catch(() => last);
        const t = now();
        if (accept(last)) return t;
        if (t > deadline)
          throw new Error(`${pairing.client}: ${what} not on screen after ${timeoutMs} ms; screen:\n${last}`);
        await sleep(5);
      }
    };
    const waitFor = (re: RegExp, timeoutMs = 20_000): Promise<number> =>
      waitUntil((s) => re.test(s), String(re), timeoutMs);
    await waitFor(o.ready ?? PROMPT, o.readyTimeoutMs ?? 20_000);
    return {
      pairing,
      server,
      serverPid,
      emu,
      client: c,
      clientPid,
      type: (text) => c.type(text),
      async run(command) {
        await c.type(command);
        await c.bytes(["0d"]);
      },
      screen,
      waitFor,
      waitUntil,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
