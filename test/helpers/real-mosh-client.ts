// Runs Debian's real mosh-client inside a private tmux server, with the session key passed only by environment.
import { startTmux, type TmuxSession } from "./tmux.js";

/** Where Debian installs the real client. */
export const REAL_MOSH_CLIENT = "/usr/bin/mosh-client";

/** Options of {@link startRealMoshClient}. */
export interface RealMoshClientOptions {
  /** UDP port of the server (or of a link emulator in front of it). */
  port: number;
  /** The session key from MOSH CONNECT. */
  key: string;
  /** Server address (default "127.0.0.1"). */
  host?: string;
  /** Terminal width (default 80). */
  cols?: number;
  /** Terminal height (default 24). */
  rows?: number;
  /** MOSH_PREDICTION_DISPLAY: "adaptive" (mosh's default), "always", "never" or "experimental". */
  predict?: "adaptive" | "always" | "never" | "experimental";
  /** Extra environment for mosh-client. */
  env?: Record<string, string>;
  /** Path of the mosh-client binary (default {@link REAL_MOSH_CLIENT}). */
  binary?: string;
}

/** A real mosh-client running in tmux. */
export interface RealMoshClient extends TmuxSession {
  /** Types mosh's escape sequence to quit: Ctrl-^ then "." (bytes 0x1e 0x2e). */
  quit(): Promise<void>;
}

/**
 * Starts `mosh-client HOST PORT` in tmux. MOSH_KEY reaches it through the environment of its own tmux
 * server (see {@link startTmux}), so the key never appears on a command line.
 */
export async function startRealMoshClient(opts: RealMoshClientOptions): Promise<RealMoshClient> {
  const env: Record<string, string> = { ...opts.env, MOSH_KEY: opts.key };
  if (opts.predict !== undefined) env.MOSH_PREDICTION_DISPLAY = opts.predict;
  const tmux = await startTmux({
    cols: opts.cols ?? 80,
    rows: opts.rows ?? 24,
    command: [opts.binary ?? REAL_MOSH_CLIENT, opts.host ?? "127.0.0.1", String(opts.port)],
    env,
  });
  return {
    ...tmux,
    quit: () => tmux.sendBytes("\x1e."),
  };
}
