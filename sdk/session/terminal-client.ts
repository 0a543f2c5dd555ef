// The mosh-client frontend: raw keyboard in, frames drawn on the user's terminal, escape keys, signals, exit messages.
import type { ReadStream, WriteStream } from "node:tty";
import { CryptoError } from "../crypto/crypto-error.js";
import { SessionKey } from "../crypto/session-key.js";
import type { Frame } from "../terminal/frame.js";
import { EscapeKeyFilter, escapeKeyFromEnv } from "./escape-key.js";
import { LocalDisplay, localTerminalInfo } from "./local-display.js";
import { MoshSession } from "./mosh-session.js";

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
   * Seam for the prediction and notification overlays (a later layer): given the server's
   * frame, returns the frame to show. Identity by default.
   */
  decorate?: (frame: Frame) => Frame;
}

const SHUTDOWN_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGPIPE"] as const;

/**
 * Runs an interactive mosh client on a terminal until the session ends; resolves with the
 * exit status mosh-client would give (0 after a clean shutdown, else 1).
 */
export async function runTerminalClient(o: TerminalClientOptions): Promise<number> {
  const { stdin, stdout, stderr } = o;
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
  const cols = stdout.columns || 80;
  const rows = stdout.rows || 24;
  const session = new MoshSession({ host: o.ip, port: o.port, key, cols, rows });
  const display = new LocalDisplay(localTerminalInfo(o.env), (s) => stdout.write(s));
  const escapeFilter = new EscapeKeyFilter(escapeKeyFromEnv(o.env.MOSH_ESCAPE_KEY));
  const decorate = o.decorate ?? ((f: Frame) => f);
  let everConnected = false;
  let rawOn = false;

  const setRaw = (on: boolean) => {
    if (stdin.isTTY && rawOn !== on) {
      stdin.setRawMode(on);
      rawOn = on;
    }
  };
  const redraw = () => display.draw(decorate(session.screen()));

  const onData = (chunk: Buffer) => {
    for (const action of escapeFilter.feed(chunk)) {
      switch (action.kind) {
        case "send":
          session.write(action.bytes);
          break;
        case "quit":
          void session.close();
          break;
        case "suspend":
          suspend();
          break;
        case "repaint":
          display.invalidate();
          redraw();
          break;
        default:
          break; // help / help-done: the notification bar arrives with the prediction layer
      }
    }
  };
  const onResize = () => {
    if (stdout.columns > 0 && stdout.rows > 0) session.resize(stdout.columns, stdout.rows);
  };
  const onSignal = () => void session.close();
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

  session.on("screen", redraw);
  session.on("connect", () => {
    everConnected = true;
  });
  session.on("error", () => undefined); // integrity failures etc.: shown by the notification bar later

  setRaw(true);
  display.open();
  redraw();
  stdin.on("data", onData);
  stdin.resume();
  stdout.on("resize", onResize);
  for (const sig of SHUTDOWN_SIGNALS) process.on(sig, onSignal);
  process.on("SIGCONT", onCont);

  const exitInfo = await new Promise<{ clean: boolean }>((resolve) => {
    session.once("exit", resolve);
    session.connect().catch(() => undefined); // a connect timeout ends in "exit"
  });

  // Tear down in mosh's order: last frame, restore the terminal, then the messages.
  redraw();
  display.close();
  setRaw(false);
  stdin.off("data", onData);
  stdin.pause();
  stdout.off("resize", onResize);
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
