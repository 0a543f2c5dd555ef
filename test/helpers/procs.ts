// Tracks every process an integration test starts and kills them all afterwards, even when the test fails.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, afterEach, beforeEach } from "vitest";

/** When a tracked process or cleanup is due: after the current test, or after the whole file. */
export type CleanupScope = "test" | "file";

/** How to track a process. */
export interface TrackOptions {
  /** The pid is a process-group leader we started with `detached: true`: signal the whole group. */
  group?: boolean;
  /** A name for diagnostics. */
  label?: string;
  /** Default: "test" when tracked inside a test (or its beforeEach), "file" when tracked in beforeAll. */
  scope?: CleanupScope;
}

interface Tracked {
  pid: number;
  /** Start time from /proc, so a recycled pid is never mistaken for ours. */
  start: string | null;
  group: boolean;
  label: string;
  scope: CleanupScope;
}

interface Cleanup {
  fn: () => void | Promise<void>;
  scope: CleanupScope;
}

const tracked = new Map<number, Tracked>();
const cleanups: Cleanup[] = [];
let inTest = false;

/** Grace between SIGTERM and SIGKILL, in milliseconds. */
export const DEFAULT_GRACE_MS = 1500;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fields of /proc/PID/stat we need, or null if the process is gone. */
function procStat(pid: number): { state: string; ppid: number; pgid: number; start: string } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]), start: rest[19] };
}

/** True while `pid` exists and is not a zombie (an exited process waiting to be reaped counts as gone). */
export function isAlive(pid: number): boolean {
  const st = procStat(pid);
  return st !== null && st.state !== "Z" && st.state !== "X";
}

function allPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    const n = Number(name);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}

/** Live descendants of `pid` (children, grandchildren, ...), from a snapshot of /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allPids()) {
    const st = procStat(p);
    if (st === null || st.state === "Z") continue;
    const list = children.get(st.ppid);
    if (list) list.push(p);
    else children.set(st.ppid, [p]);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

/** Live members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allPids().filter((p) => {
    const st = procStat(p);
    return st !== null && st.pgid === pgid && st.state !== "Z";
  });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone, or not ours
  }
}

/**
 * `pid` and its descendants; for a group, the group's live members and their descendants instead (the
 * leader is among them while it lives), so a leader that is gone is never signalled by pid.
 */
function treeOf(pid: number, group: boolean): Set<number> {
  if (!group) return new Set<number>([pid, ...descendants(pid)]);
  const set = new Set<number>();
  for (const m of groupMembers(pid)) {
    set.add(m);
    for (const d of descendants(m)) set.add(d);
  }
  return set;
}

/**
 * Sends SIGTERM to every pid (and group, where `groups` names a group leader), waits up to `graceMs` for
 * them to exit, then sends SIGKILL to what is left and waits for it to go.
 */
export async function killPids(
  pids: Iterable<number>,
  graceMs = DEFAULT_GRACE_MS,
  groups: number[] = [],
): Promise<void> {
  const all = new Set(pids);
  for (const g of groups) signal(-g, "SIGTERM");
  for (const p of all) if (isAlive(p)) signal(p, "SIGTERM");
  const deadline = Date.now() + graceMs;
  const anyAlive = (): boolean => [...all].some(isAlive) || groups.some((g) => groupMembers(g).length > 0);
  while (anyAlive() && Date.now() < deadline) await sleep(20);
  if (!anyAlive()) return;
  // catch anything forked meanwhile
  for (const p of [...all]) if (isAlive(p)) for (const d of descendants(p)) all.add(d);
  for (const g of groups) signal(-g, "SIGKILL");
  for (const p of all) if (isAlive(p)) signal(p, "SIGKILL");
  const hardDeadline = Date.now() + 2000;
  while (anyAlive() && Date.now() < hardDeadline) await sleep(10);
}

/**
 * Kills `pid` and all its descendants (SIGTERM, then SIGKILL after `graceMs`). With `group`, `pid` is a
 * process-group leader and the whole group is signalled too.
 */
export async function killTree(pid: number, opts: { group?: boolean; graceMs?: number } = {}): Promise<void> {
  const group = opts.group ?? false;
  await killPids(treeOf(pid, group), opts.graceMs ?? DEFAULT_GRACE_MS, group ? [pid] : []);
}

/** Registers `pid` for killing (with its descendants) at cleanup. */
export function track(pid: number, opts: TrackOptions = {}): void {
  tracked.set(pid, {
    pid,
    start: procStat(pid)?.start ?? null,
    group: opts.group ?? false,
    label: opts.label ?? String(pid),
    scope: opts.scope ?? (inTest ? "test" : "file"),
  });
}

/** Forgets `pid` (after the test killed it itself, say). */
export function untrack(pid: number): void {
  tracked.delete(pid);
}

/** Whether a tracked pid still names the process we tracked (not a recycled pid). */
function stillOurs(t: Tracked): boolean {
  const st = procStat(t.pid);
  return st !== null && st.start === t.start;
}

/** Pids currently tracked. */
export function trackedPids(): number[] {
  return [...tracked.keys()];
}

/** Tracks a child we spawned (a pid later recycled by another process is recognised and left alone). */
export function trackChild(child: ChildProcess, opts: TrackOptions = {}): ChildProcess {
  if (child.pid !== undefined) track(child.pid, opts);
  return child;
}

/** `spawn`, tracked: `detached: true` makes it a process group that is killed as a whole. */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  const child = spawn(command, args, options);
  child.on("error", () => {
    // reported through 'exit'/'close' or by the caller's own listener; never crash the worker
  });
  return trackChild(child, { group: options.detached === true, label: command });
}

/** What {@link runDetached} saw: the exit status (null on timeout or spawn error), the error, and the output. */
export interface DetachedRun {
  child: ChildProcess;
  code: number | null;
  error?: Error;
  stdout: string;
  stderr: string;
}

/**
 * Starts `command` in its own process group (tracked), collects its stdout and stderr, and waits
 * for it to exit and close them (as a server program does once it has detached its session), or
 * for `timeoutMs`.
 */
export async function runDetached(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<DetachedRun> {
  const child = spawnTracked(command, args, {
    detached: true,
    env: options.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const outcome = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    const timer = setTimeout(
      () => resolve({ code: null, error: new Error("timed out") }),
      options.timeoutMs ?? 10_000,
    );
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, error });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code });
    });
  });
  return { child, ...outcome, stdout, stderr };
}

/** Registers a cleanup function (run before tracked pids are killed, newest first). */
export function onCleanup(fn: () => void | Promise<void>, scope?: CleanupScope): void {
  cleanups.push({ fn, scope: scope ?? (inTest ? "test" : "file") });
}

/** Runs the cleanups and kills the processes of `scope` ("file" runs everything). Never throws. */
export async function cleanupProcesses(scope: CleanupScope): Promise<void> {
  const due = (s: CleanupScope): boolean => scope === "file" || s === "test";
  for (let i = cleanups.length - 1; i >= 0; i--) {
    const c = cleanups[i];
    if (!due(c.scope)) continue;
    cleanups.splice(i, 1);
    try {
      await c.fn();
    } catch {
      // keep cleaning
    }
  }
  const victims = [...tracked.values()].filter((t) => due(t.scope));
  for (const t of victims) tracked.delete(t.pid);
  const pids = new Set<number>();
  const groups: number[] = [];
  for (const t of victims) {
    if (stillOurs(t)) for (const p of treeOf(t.pid, false)) pids.add(p);
    if (t.group) {
      groups.push(t.pid);
      for (const p of treeOf(t.pid, true)) pids.add(p);
    }
  }
  if (pids.size > 0) await killPids(pids, DEFAULT_GRACE_MS, groups);
}

// Hooks: processes started in a test die after it; those started in beforeAll die after the file.
beforeEach(() => {
  inTest = true;
});
afterEach(async () => {
  inTest = false;
  await cleanupProcesses("test");
});
afterAll(async () => {
  await cleanupProcesses("file");
});

// Last resort if the worker exits without running the hooks.
process.once("exit", () => {
  for (const t of tracked.values()) {
    if (t.group) signal(-t.pid, "SIGKILL");
    if (stillOurs(t)) signal(t.pid, "SIGKILL");
  }
});
