// The application's pseudo-terminal: a small interface over node-pty, and how mosh-server picks and starts the command.
import { accessSync, constants, existsSync } from "node:fs";
import { userInfo } from "node:os";
import { basename, delimiter, isAbsolute, join } from "node:path";
import * as nodePty from "node-pty";

/** A command running in a pseudo-terminal, as the server needs it. */
export interface PtyProcess {
  /** Process id of the command. */
  readonly pid: number;
  /** Writes user input (or terminal replies) to the application. */
  write(data: Uint8Array | string): void;
  /** Sets the window size (TIOCSWINSZ; the application gets SIGWINCH). */
  resize(cols: number, rows: number): void;
  /** Stops reading the application's output (flow control); the kernel buffer then blocks the writer. */
  pause(): void;
  /** Resumes reading. */
  resume(): void;
  /** Sends a signal to the command (default SIGHUP, what a closed terminal sends). */
  kill(signal?: NodeJS.Signals): void;
  /** Closes the pty master (the terminal hangs up, as when mosh-server exits) and sends SIGHUP. */
  close(): void;
  /** Calls `cb` with each chunk of output (UTF-8 decoded; a character split between chunks is kept whole). */
  onData(cb: (data: string) => void): void;
  /** Calls `cb` once when the command has exited and all its output was delivered. */
  onExit(cb: (e: { exitCode: number; signal: number | null }) => void): void;
}

/** What to start in a pty. */
export interface PtySpawnOptions {
  /** Window width. */
  cols: number;
  /** Window height. */
  rows: number;
  /** Working directory. */
  cwd: string;
  /** The complete environment of the command. */
  env: Record<string, string>;
}

/** Starts `file` with `args` (argv[1..]) in a new pty. Throws if the pty cannot be created. */
export type PtySpawner = (file: string, args: readonly string[], opts: PtySpawnOptions) => PtyProcess;

/** The node-pty spawner (IUTF8 set on the pty, output decoded as UTF-8). */
export const spawnNodePty: PtySpawner = (file, args, opts) => {
  const p = nodePty.spawn(file, [...args], {
    name: opts.env.TERM ?? "xterm",
    cols: opts.cols,
    rows: opts.rows,
    cwd: opts.cwd,
    env: opts.env,
    encoding: "utf8",
  });
  return {
    pid: p.pid,
    write: (data) =>
      p.write(typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.length)),
    resize: (cols, rows) => p.resize(cols, rows),
    pause: () => p.pause(),
    resume: () => p.resume(),
    kill: (signal) => {
      try {
        p.kill(signal ?? "SIGHUP");
      } catch {
        // already gone
      }
    },
    close: () => {
      const destroy = (p as unknown as { destroy?: () => void }).destroy;
      if (typeof destroy === "function") destroy.call(p);
      else p.kill("SIGHUP");
    },
    onData: (cb) => {
      p.onData(cb);
    },
    onExit: (cb) => {
      p.onExit((e) => cb({ exitCode: e.exitCode, signal: e.signal ? e.signal : null }));
    },
  };
};

/** How to start the session's program: the file to execute and argv[1..]; `display` is argv[0] as mosh would set it. */
export interface CommandLine {
  /** The program (a path, or a name looked up in PATH). */
  file: string;
  /** Its arguments after argv[0]. */
  args: string[];
  /** argv[0] as mosh-server sets it (`-bash` for a login shell). */
  argv0: string;
}

/** Where a POSIX system keeps perl (used to give a login shell its `-name` argv[0], which node-pty cannot set). */
const PERL = "/usr/bin/perl";

/**
 * The command mosh-server runs when none is given: `$SHELL`, else the passwd entry's shell, else
 * `/bin/sh`, as a login shell (argv[0] = `-` + its basename).
 */
export function loginShell(env: Record<string, string | undefined>): CommandLine {
  let shell = env.SHELL;
  if (shell === undefined) {
    try {
      shell = userInfo().shell ?? "";
    } catch {
      shell = "";
    }
  }
  if (shell === "") shell = "/bin/sh";
  return { file: shell, args: [], argv0: `-${basename(shell)}` };
}

/**
 * Turns a command line into what a pty spawner can start. node-pty always passes the file as
 * argv[0]; when mosh would use another argv[0] (a login shell's `-bash`), the command is started
 * through perl's `exec {file} argv0, args` if perl is installed, and otherwise as is.
 */
export function spawnableCommand(cmd: CommandLine): { file: string; args: string[] } {
  if (cmd.argv0 === cmd.file || !existsSync(PERL)) return { file: cmd.file, args: cmd.args };
  return {
    file: PERL,
    args: [
      "-e",
      'my $f = shift; exec { $f } @ARGV or die "execvp: $f: $!\\n"',
      cmd.file,
      cmd.argv0,
      ...cmd.args,
    ],
  };
}

/** Whether `file` names an executable, directly (with a slash) or through `PATH`. */
export function findExecutable(file: string, path: string | undefined): string | null {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (file.includes("/")) return executable(file) ? file : null;
  for (const dir of (path ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter)) {
    const p = isAbsolute(dir) ? join(dir, file) : join(process.cwd(), dir, file);
    if (executable(p)) return p;
  }
  return null;
}
