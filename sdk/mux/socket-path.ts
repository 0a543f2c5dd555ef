// Where a mosh-mux background process listens (one socket per user and name), and the checks that refuse a socket other users could reach.
import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { MuxError } from "./errors.js";

/** The socket name used without `-L`. */
export const DEFAULT_SOCKET_NAME = "default";

/** What the checks read of a file (the fields of `fs.lstatSync`'s result they use). */
export interface FileStatus {
  /** Owner. */
  uid: number;
  /** Type and permission bits. */
  mode: number;
  isDirectory(): boolean;
  isSocket(): boolean;
  isSymbolicLink(): boolean;
}

/** Reads a file's status without following a symbolic link; throws (ENOENT...) like `fs.lstatSync`. */
export type StatFn = (path: string) => FileStatus;

/** What the checks run with: the user's uid and a stat function (both injectable for tests). */
export interface SocketCheckDeps {
  /** The current user (default `process.getuid()`). */
  uid?: number;
  /** Default `fs.lstatSync`. */
  lstat?: StatFn;
}

function currentUid(): number {
  return process.getuid?.() ?? 0;
}

/**
 * The directory of the user's sockets: `$XDG_RUNTIME_DIR/mosh-mux` when that variable names an
 * absolute path, else `/tmp/mosh-mux-UID` (as tmux uses `/tmp/tmux-UID`).
 */
export function muxSocketDir(env: NodeJS.ProcessEnv = process.env, uid: number = currentUid()): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg?.startsWith("/")) return join(xdg, "mosh-mux");
  return `/tmp/mosh-mux-${uid}`;
}

/** Throws a `bad-argument` MuxError unless `name` can name a socket (no slash, not empty, not `.`/`..`). */
export function checkSocketName(name: string): void {
  if (name.length === 0 || name.includes("/") || name.includes("\0") || name === "." || name === "..")
    throw new MuxError("bad-argument", `bad socket name "${name}": it must not be empty or contain "/"`);
}

/** The socket of `name` (default {@link DEFAULT_SOCKET_NAME}) in {@link muxSocketDir}. */
export function muxSocketPath(
  name: string = DEFAULT_SOCKET_NAME,
  env: NodeJS.ProcessEnv = process.env,
): string {
  checkSocketName(name);
  return join(muxSocketDir(env), name);
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
}

/**
 * Throws an `unsafe-socket` MuxError unless `dir` is a real directory (not a symbolic link) owned
 * by the user and closed to everyone else (no group or other permission bits), as tmux checks its
 * socket directory. Lets ENOENT through (as the ErrnoException) for the caller to handle.
 */
export function checkSocketDir(dir: string, deps: SocketCheckDeps = {}): void {
  const uid = deps.uid ?? currentUid();
  const st = (deps.lstat ?? lstatSync)(dir);
  if (st.isSymbolicLink() || !st.isDirectory())
    throw new MuxError(
      "unsafe-socket",
      `${dir} is not a directory: refusing to use it for mosh-mux's socket`,
    );
  if (st.uid !== uid)
    throw new MuxError(
      "unsafe-socket",
      `${dir} belongs to uid ${st.uid}, not to you (uid ${uid}): refusing to use it for mosh-mux's socket`,
    );
  if ((st.mode & 0o077) !== 0)
    throw new MuxError(
      "unsafe-socket",
      `${dir} has permissions ${octal(st.mode)}: other users could reach mosh-mux's socket there, so it is refused (chmod 700 ${dir} makes it private)`,
    );
}

/**
 * Throws an `unsafe-socket` MuxError unless `path` is a socket owned by the user. Lets ENOENT
 * through (as the ErrnoException).
 */
export function checkSocketFile(path: string, deps: SocketCheckDeps = {}): void {
  const uid = deps.uid ?? currentUid();
  const st = (deps.lstat ?? lstatSync)(path);
  if (!st.isSocket()) throw new MuxError("unsafe-socket", `${path} is not a socket: refusing to use it`);
  if (st.uid !== uid)
    throw new MuxError(
      "unsafe-socket",
      `${path} belongs to uid ${st.uid}, not to you (uid ${uid}): refusing to connect to it`,
    );
}

/** Creates the socket directory (mode 0700) if it is missing, then checks it ({@link checkSocketDir}). */
export function ensureSocketDir(dir: string, deps: SocketCheckDeps = {}): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST")
      throw new MuxError("start-failed", `cannot create ${dir}: ${(err as Error).message}`);
  }
  checkSocketDir(dir, deps);
}

/** Whether an error is "no such file or directory". */
export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === "ENOENT";
}
