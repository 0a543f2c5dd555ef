// The mosh-ts-server process started from a V8 start-up snapshot: its modules are evaluated at build time (`node --build-snapshot`).
import { basename } from "node:path";
import { startupSnapshot } from "node:v8";
import { loadNodePty, setNodePtyLoader } from "./lazy-node-pty.js";
import { type DaemonHooks, runServerDaemon } from "./server-daemon.js";
import { DIRECT_FLAG, runServerDirect } from "./server-direct.js";
import * as session from "./server-session.js";

/**
 * Run by `node --snapshot-blob BLOB SCRIPT --session-daemon` (the session process of the first
 * process) or `... SCRIPT --session-direct ARGS...` (the whole program, from its sh preamble).
 * SCRIPT is the real path of dist/bin/mosh-ts-server.js; node-pty is loaded from there.
 */
function main(): void {
  const script = process.argv[1] ?? "mosh-ts-server";
  const { createRequire } = process.getBuiltinModule("node:module");
  const require = createRequire(script);
  setNodePtyLoader(() => require("node-pty"));
  const argv0 = basename(script).replace(/\.[cm]?js$/, "");
  const hooks: DaemonHooks = {
    loadSession: () => Promise.resolve(session),
    onReported: () => {
      try {
        loadNodePty();
      } catch {
        // reported when the command starts
      }
    },
  };
  const run =
    process.argv[2] === DIRECT_FLAG
      ? runServerDirect(process.argv.slice(3), argv0, hooks)
      : runServerDaemon(argv0, hooks);
  void run.then((status) => process.exit(status));
}

if (startupSnapshot.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(main);
