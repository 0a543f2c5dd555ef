// Starts the mosh-mux background process (in a session of its own, so a hang-up of the terminal never reaches it) and waits until it listens.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { MuxError } from "../sdk/mux/errors.js";
import { ensureSocketDir } from "../sdk/mux/socket-path.js";

/** How to start the background process. */
export interface LaunchOptions {
  /** The server's entry (dist/bin/mosh-mux-server.js). */
  script: string;
  /** Its socket (the directory is created 0700 and checked first). */
  socketPath: string;
  /** Its socket name. */
  name: string;
  /** Extra node options (none by default). */
  nodeArgs?: string[];
}

/**
 * Starts the server and resolves once it listens (`ready`), or with `exists` when another server
 * took the socket meanwhile. Its output goes to NAME.log beside the socket (kept for a crash's
 * reason). Rejects with a `start-failed` (or `unsafe-socket`) MuxError.
 */
export async function launchServer(o: LaunchOptions): Promise<"ready" | "exists"> {
  const dir = dirname(o.socketPath);
  ensureSocketDir(dir);
  const logPath = join(dir, `${o.name}.log`);
  let logFd: number;
  try {
    logFd = openSync(logPath, "w", 0o600);
  } catch (err) {
    throw new MuxError("start-failed", `cannot write ${logPath}: ${(err as Error).message}`);
  }
  const child = spawn(
    process.execPath,
    [...(o.nodeArgs ?? []), o.script, "--socket", o.socketPath, "--name", o.name, "--ready-fd", "3"],
    { detached: true, stdio: ["ignore", logFd, logFd, "pipe"], env: process.env },
  );
  closeSync(logFd);
  const status = child.stdio[3] as Readable;
  let text = "";
  status.setEncoding("utf8");
  status.on("data", (d: string) => {
    text += d;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", () => undefined);
  await Promise.race([new Promise((resolve) => status.once("close", resolve)), exited]);
  status.destroy();
  child.unref();
  const line = text.split("\n")[0] ?? "";
  if (line === "ready" || line === "exists") return line;
  let log = "";
  try {
    log = readFileSync(logPath, "utf8").trim().split("\n").slice(-5).join("\n");
  } catch {
    // no log
  }
  const why = line.startsWith("error ") ? line.slice(6) : log || "it exited at once";
  throw new MuxError("start-failed", `cannot start the mosh-mux server: ${why}`);
}
