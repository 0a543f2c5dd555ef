// The mosh-client frontend: raw keyboard in, frames drawn on the user's terminal, escape keys, signals, exit messages.
import { writeSync } from "node:fs";
import { isIP } from "node:net";
import type { ReadStream, WriteStream } from "node:tty";
import { MoshSession } from "../../sdk/client/mosh-session.js";
import { CryptoError } from "../../sdk/crypto/crypto-error.js";
import { SessionKey } from "../../sdk/crypto/session-key.js";
import { DISPLAY_PREFERENCES, type DisplayPreference } from "../../sdk/predict/prediction-engine.js";
import type { Frame } from "../../sdk/terminal/frame.js";
import { type WindowSize, windowSize } from "../../sdk/terminal/window-size.js";
import { EscapeKeyFilter, escapeHelpText, escapeKeyFromEnv, quitHint } from "./escape-key.js";
import { type KeyPathWarmUp, warmUpKeyPath } from "./key-path-warmup.js";
import { LocalDisplay, localTerminalInfo } from "./local-display.js";

/** Everything the terminal client needs; the streams are injectable for tests. */
export interface TerminalClientOptions {
  ip: string;
  port: number;
  /** The 22-character key (already removed from the environment by the caller). */
  key: string;
  env: NodeJS.ProcessEnv;
  stdin: ReadStream;
  stdout: WriteStream;
  stderr: NodeJS.WritableStream;
  /**
   * A last overlay: given the frame to show (the server's screen with predictions and the
   * notification bar), returns the frame to draw. Identity by default.
   */
  decorate?: (frame: Frame) => Frame;
  /** Give up connecting after this many ms without a server state (default 15000, as mosh-client). */
  connectTimeoutMs?: number;
  /**
   * Once connected, run the keystroke-echo code on throwaway objects in idle slices, so that the
   * first real keystrokes are drawn by compiled code (default true; see {@link warmUpKeyPath}).
   */
  warmUp?: boolean;
}

/** Local echo settings from the environment, as mosh-client reads them. */
export interface PredictionSettings {
  /** `MOSH_PREDICTION_DISPLAY` (default adaptive). */
  display: DisplayPreference;
  /** `MOSH_PREDICTION_OVERWRITE=yes`. */
  overwrite: boolean;
  /** Predict at a fresh shell prompt before the first echo (mosh-ts only; `MOSH_TS_PREDICTION_PROMPT=no` turns it off). */
  atPrompt: boolean;
}

/**
 * Reads `MOSH_PREDICTION_DISPLAY`, `MOSH_PREDICTION_OVERWRITE` and `MOSH_TS_PREDICTION_PROMPT`. Returns the error text
 * mosh-client prints (then exits with status 1) for an unknown mode, even an empty one.
 */
export function predictionFromEnv(env: NodeJS.ProcessEnv): PredictionSettings | { error: string } {
  const mode = env.MOSH_PREDICTION_DISPLAY;
  if (mode !== undefined && !(DISPLAY_PREFERENCES as readonly string[]).includes(mode))
    return { error: `Unknown prediction mode ${mode}.` };
  return {
    display: (mode as DisplayPreference | undefined) ?? "adaptive",
    overwrite: env.MOSH_PREDICTION_OVERWRITE === "yes",
    atPrompt: env.MOSH_TS_PREDICTION_PROMPT !== "no",
  };
}

function isTtyStream(s: NodeJS.WritableStream): s is WriteStream {
  return (s as Partial<WriteStream>).isTTY === true;
}

/**
 * The terminal whose size is the window's: the one the output goes to; when that is a file or
 * pipe (as mosh-client, which asks the keyboard's terminal), stderr's terminal if it has one.
 */
function sizingTerminal(stdout: WriteStream, stderr: NodeJS.WritableStream): WriteStream {
  return stdout.isTTY || !isTtyStream(stderr) ? stdout : stderr;
}

/** The window's size: the sizing terminal's, by the one window-size rule (else 80x24). */
export function terminalWindowSize(stdout: WriteStream, stderr: NodeJS.WritableStream): WindowSize {
  const sizer = sizingTerminal(stdout, stderr);
  return windowSize(sizer.columns, sizer.rows);
}

/**
 * Writes frames to the terminal: straight to its descriptor with write(2) when it is a terminal
 * with nothing queued (Node writes to a terminal synchronously anyway; this skips the stream
 * machinery on every keystroke's echo), else through the stream.
 */
function terminalWriter(stdout: WriteStream): (s: string) => void {
  const fd = (stdout as WriteStream & { fd?: unknown }).fd;
  if (!stdout.isTTY || typeof fd !== "number") return (s) => stdout.write(s);
  return (s) => {
    if (stdout.writableLength > 0) {
      stdout.write(s);
      return;
    }
    const buf = Buffer.from(s, "utf8");
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(fd, buf, off);
    } catch {
      // EAGAIN (a non-blocking terminal is full) or a closed one: the stream queues or reports it.
      stdout.write(buf.subarray(off));
    }
  };
}

const SHUTDOWN_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGPIPE"] as const;

/**
 * Runs an interactive mosh client on a terminal until the session ends; resolves with the
 * exit status mosh-client would give (0 after a clean shutdown, else 1).
 */
export async function runTerminalClient(o: TerminalClientOptions): Promise<number> {
  const { stdin, stdout, stderr } = o;
  const prediction = predictionFromEnv(o.env);
  if ("error" in prediction) {
    stderr.write(`${prediction.error}\n`);
    return 1;
  }
  let key: SessionKey;
  try {
    key = SessionKey.parse(o.key);
  } catch (err) {
    if (err instanceof CryptoError) {
      stderr.write(`Crypto exception: ${err.message}\r\n`);
      stdout.write("[mosh is exiting.]\n");
      return 1;
    }
    throw err;
  }
  // mosh-client resolves the address numerically once the key is read, and fails with getaddrinfo's text.
  if (isIP(o.ip) === 0) {
    stderr.write(`Network exception: Bad IP address (${o.ip}): Name or service not known: Success\r\n`);
    stdout.write("[mosh is exiting.]\n");
    return 1;
  }
  const sizer = sizingTerminal(stdout, stderr);
  const { cols, rows } = terminalWindowSize(stdout, stderr);
  const escapeKey = escapeKeyFromEnv(o.env.MOSH_ESCAPE_KEY);
  const session = new MoshSession({
    host: o.ip,
    port: o.port,
    key,
    cols,
    rows,
    predict: prediction.display,
    predictOverwrite: prediction.overwrite,
    predictAtPrompt: prediction.atPrompt,
    connectTimeoutMs: o.connectTimeoutMs,
    quitHint: quitHint(escapeKey),
  });
  const display = new LocalDisplay(localTerminalInfo(o.env), terminalWriter(stdout));
  const escapeFilter = new EscapeKeyFilter(escapeKey);
  const helpText = escapeKey.key === null ? "" : escapeHelpText(escapeKey);
  const decorate = o.decorate ?? ((f: Frame) => f);
  const fastEcho = o.decorate === undefined;
  let everConnected = false;
  let rawOn = false;

  const setRaw = (on: boolean) => {
    if (stdin.isTTY && rawOn !== on) {
      stdin.setRawMode(on);
      rawOn = on;
    }
  };
  const draw = (frame: Frame) => display.draw(decorate(frame));
  const redraw = () => draw(session.screen({ overlay: true }));
  let quitting = false;
  /** Starts the shutdown with mosh's permanent notification (once). */
  const quit = (message: string) => {
    if (session.exitInfo || quitting) return;
    quitting = true;
    session.notify(message, { permanent: true });
    void session.close();
  };

  const onData = (chunk: Buffer) => {
    for (const action of escapeFilter.feed(chunk)) {
      switch (action.kind) {
        case "send":
          // A keystroke whose predicted echo is certain is drawn before the session processes it.
          if (fastEcho && action.bytes.length === 1) {
            const preview = session.echoPreview(action.bytes[0]);
            if (preview) display.printAhead(preview);
          }
          session.write(action.bytes);
          break;
        case "quit":
          quit("Exiting on user request...");
          break;
        case "suspend":
          suspend();
          break;
        case "repaint":
          display.invalidate();
          redraw();
          break;
        case "help":
          session.notify(helpText, { permanent: true, quitHint: false });
          break;
        case "help-done":
          if (session.notification === helpText) session.notify("");
          break;
      }
    }
  };
  const onResize = () => {
    if (sizer.columns > 0 && sizer.rows > 0) session.resize(sizer.columns, sizer.rows);
  };
  const onSignal = () => quit("Signal received, shutting down...");
  const onEnd = () => quit("Exiting...");
  const onCont = () => {
    setRaw(true);
    display.open();
    display.invalidate();
    redraw();
    onResize();
  };
  const suspend = () => {
    display.close();
    setRaw(false);
    stdout.write("\n\x1b[37;44m[mosh is suspended.]\x1b[m\n");
    process.kill(0, "SIGSTOP");
  };

  session.on("view", draw);
  const warming: { current: KeyPathWarmUp | null } = { current: null };
  session.on("connect", () => {
    everConnected = true;
    if (o.warmUp !== false) warming.current = warmUpKeyPath({ cols, rows });
  });
  session.on("error", () => undefined); // integrity failures etc.: the session shows them in the notification bar

  setRaw(true);
  display.open();
  redraw();
  stdin.on("data", onData);
  stdin.on("end", onEnd);
  stdin.resume();
  sizer.on("resize", onResize);
  for (const sig of SHUTDOWN_SIGNALS) process.on(sig, onSignal);
  process.on("SIGCONT", onCont);

  const exitInfo = await new Promise<{ clean: boolean }>((resolve) => {
    session.once("exit", resolve);
    session.connect().catch(() => undefined); // a connect timeout ends in "exit"
  });

  warming.current?.cancel();
  // Tear down in mosh's order: last frame (no notification, no title prefix), restore the
  // terminal, then the messages.
  session.off("view", draw);
  display.setTitlePrefix("");
  redraw();
  display.close();
  setRaw(false);
  stdin.off("data", onData);
  stdin.off("end", onEnd);
  stdin.pause();
  sizer.off("resize", onResize);
  for (const sig of SHUTDOWN_SIGNALS) process.off(sig, onSignal);
  process.off("SIGCONT", onCont);
  if (!everConnected) {
    stderr.write(
      `\nmosh did not make a successful connection to ${o.ip}:${o.port}.\n` +
        `Please verify that UDP port ${o.port} is not firewalled and can reach the server.\n\n` +
        "(By default, mosh uses a UDP port between 60000 and 61000. The -p option\n" +
        "selects a specific UDP port number.)\n",
    );
  } else if (!exitInfo.clean) {
    stderr.write(
      "\n\nmosh did not shut down cleanly. Please note that the\n" +
        "mosh-server process may still be running on the server.\n",
    );
  }
  stdout.write("[mosh is exiting.]\n");
  return exitInfo.clean ? 0 : 1;
}
