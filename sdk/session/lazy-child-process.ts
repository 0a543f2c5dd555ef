// node:child_process for the server's start-up snapshot: Node does not vouch for it in snapshots, so it loads on first use.
import type * as ChildProcessModule from "node:child_process";

let cp: typeof ChildProcessModule | null = null;

function load(): typeof ChildProcessModule {
  cp ??= process.getBuiltinModule("node:child_process");
  return cp;
}

/** node:child_process's `spawn`, loading the module on the first call. */
export const spawn = ((...args: Parameters<typeof ChildProcessModule.spawn>) =>
  load().spawn(...args)) as typeof ChildProcessModule.spawn;

/** node:child_process's `spawnSync`, loading the module on the first call. */
export const spawnSync = ((...args: Parameters<typeof ChildProcessModule.spawnSync>) =>
  load().spawnSync(...args)) as typeof ChildProcessModule.spawnSync;
