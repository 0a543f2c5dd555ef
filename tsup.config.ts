// Build: the SDK as ESM + CJS with type declarations, and each CLI entry as an ESM executable.
import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "sdk/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
  },
  {
    entry: {
      "bin/mosh-ts-client": "bin/mosh-ts-client.ts",
      "bin/mosh-ts": "bin/mosh-ts.ts",
      "bin/mosh-mux": "bin/mosh-mux.ts",
      // mosh-mux's background process (started by mosh-mux, not a command of its own).
      "bin/mosh-mux-server": "tui/server/main.ts",
    },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    platform: "node",
    banner: { js: "#!/usr/bin/env node" },
  },
  {
    // mosh-ts-server: its dependencies are bundled and minified (fewer files to resolve and compile
    // when it runs without the start-up snapshot below); the session modules stay in a chunk of
    // their own, which only the session process loads. node-pty is native: external.
    entry: { "bin/mosh-ts-server": "bin/mosh-ts-server.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    platform: "node",
    splitting: true,
    minify: true,
    noExternal: ["@xterm/headless", "eventemitter3"],
    external: ["node-pty"],
    banner: { js: "#!/usr/bin/env node" },
    // Run as a program, it then starts the server as one process from the start-up snapshot.
    onSuccess: "node scripts/server-sh-preamble.mjs",
  },
  {
    // mosh-ts-server's session process as a V8 start-up snapshot: this bundle is evaluated by
    // `node --build-snapshot` (scripts/build-server-snapshot.mjs writes dist/bin/*.blob for the Node
    // that builds; mosh-ts-server runs without it if it is missing or will not load). node-pty
    // (native), node:dgram, node:child_process and node:tty (not vouched for in snapshots) load on
    // first use.
    entry: { "bin/mosh-ts-server-snapshot": "sdk/session/server-snapshot.ts" },
    format: ["cjs"],
    outExtension: () => ({ js: ".cjs" }),
    target: "node20",
    platform: "node",
    minify: true,
    noExternal: [/./],
    // Keep `node:` so that the alias below sees `node:dgram` (tsup would otherwise strip it first).
    removeNodeProtocol: false,
    esbuildOptions(options) {
      options.alias = {
        "node-pty": "./sdk/session/lazy-node-pty.ts",
        "node:dgram": "./sdk/session/lazy-dgram.ts",
        dgram: "./sdk/session/lazy-dgram.ts",
        "node:child_process": "./sdk/session/lazy-child-process.ts",
        "node:tty": "./sdk/session/lazy-tty.ts",
      };
    },
    onSuccess: "node scripts/build-server-snapshot.mjs",
  },
  {
    entry: { "examples/run-command": "examples/run-command.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
  },
]);
