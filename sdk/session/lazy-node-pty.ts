// node-pty for the server's start-up snapshot: a native addon cannot be in a snapshot, so it loads on first use.
import type * as NodePty from "node-pty";

let load: (() => typeof NodePty) | null = null;
let loaded: typeof NodePty | null = null;

/** Sets how node-pty is loaded at run time (from the installed package's location). */
export function setNodePtyLoader(fn: () => typeof NodePty): void {
  load = fn;
}

/** Loads node-pty now, if not yet loaded (so that the first `spawn` does not wait for it). */
export function loadNodePty(): typeof NodePty {
  if (loaded === null) {
    if (load === null) throw new Error("node-pty: no loader set");
    loaded = load();
  }
  return loaded;
}

/** node-pty's `spawn`, loading node-pty on the first call. */
export const spawn: typeof NodePty.spawn = (file, args, options) => loadNodePty().spawn(file, args, options);
