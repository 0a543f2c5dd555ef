// Entry of the mosh-mux background process (dist/bin/mosh-mux-server.js, started by `mosh-mux`): claims the socket, serves until kill-server or its last pane closes.
import { closeSync, unlinkSync, writeSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { checkSocketFile, ensureSocketDir, isMissing } from "../../sdk/mux/socket-path.js";
import { MuxServer } from "./mux-server.js";

const { values } = parseArgs({
  options: {
    socket: { type: "string" },
    name: { type: "string" },
    "ready-fd": { type: "string" },
  },
});
const socketPath = values.socket;
const name = values.name ?? "default";
const readyFd = values["ready-fd"] === undefined ? null : Number(values["ready-fd"]);

const log = (line: string): void => {
  try {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  } catch {
    // no log
  }
};

/** Tells the starting client how it went (one line on the status pipe), then closes the pipe. */
function report(line: string): void {
  if (readyFd === null || !Number.isInteger(readyFd)) return;
  try {
    writeSync(readyFd, `${line}\n`);
    closeSync(readyFd);
  } catch {
    // the client is gone
  }
}

/** Whether a server answers on `path` (`live`), a dead one left its socket (`stale`), or there is none. */
function probe(path: string): Promise<"live" | "stale" | "none"> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once("connect", () => {
      s.destroy();
      resolve("live");
    });
    s.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED" ? "stale" : "none"));
  });
}

async function claim(server: MuxServer, path: string): Promise<"ready" | "exists"> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const state = await probe(path);
    if (state === "live") return "exists";
    if (state === "stale") {
      checkSocketFile(path);
      unlinkSync(path);
    }
    try {
      await server.listen();
      return "ready";
    } catch (err) {
      // Another server bound it between the probe and listen: look again.
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    }
  }
  return "exists";
}

/** Runs the background process on its command line (`--socket PATH --name NAME --ready-fd N`) until kill-server or its last pane closes; exits the process. */
export async function runMuxServer(): Promise<void> {
  if (!socketPath) {
    report("error no --socket");
    process.exit(2);
  }
  // The terminal's hang-up and Ctrl-C belong to clients; only SIGTERM (or kill-server) ends the sessions.
  process.on("SIGHUP", () => undefined);
  process.on("SIGINT", () => undefined);
  process.on("SIGPIPE", () => undefined);
  // One pane's trouble must not end every other session: log it and go on.
  process.on("uncaughtException", (err) => log(`uncaught: ${err.stack ?? err.message}`));
  process.on("unhandledRejection", (err) =>
    log(`unhandled: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  );
  // Local panes' programs learn whose they are (a mosh-mux started in one refuses to attach to its own server).
  process.env.MOSH_MUX = socketPath;
  const server = new MuxServer({ name, socketPath, log });
  try {
    ensureSocketDir(dirname(socketPath));
    const state = await claim(server, socketPath);
    report(state);
    if (state === "exists") process.exit(0);
  } catch (err) {
    const msg = isMissing(err) ? `${dirname(socketPath)} is missing` : (err as Error).message;
    report(`error ${msg.replace(/\n/g, " ")}`);
    process.exit(1);
  }
  process.on("SIGTERM", () => void server.shutdown("killed"));
  log(`server ${name} listening on ${socketPath} (pid ${process.pid})`);
  await server.done;
  process.exit(0);
}
