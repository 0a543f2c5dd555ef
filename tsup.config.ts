// Build: the SDK as ESM + CJS with type declarations, and each CLI entry as an ESM executable.
// Source maps only for the SDK library (a debugger or --enable-source-maps in the user's program
// maps its stack traces to sdk/*.ts); the programs ship without them, since Node ignores maps
// unless started with --enable-source-maps, which their users never pass.
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
      "bin/mosh-ts": "bin/mosh-ts.ts",
      "bin/mosh-mux": "bin/mosh-mux.ts",
      // mosh-mux's background process (started by mosh-mux, not a command of its own).
      "bin/mosh-mux-server": "bin/mosh-mux-server.ts",
    },
    format: ["esm"],
    target: "node20",
    platform: "node",
    banner: { js: "#!/usr/bin/env node" },
  },
  {
    // The drop-in programs, each one file with its dependencies (fewer files to find and compile
    // at start-up; the session modules stay lazy inside it), run by build/launch.cts from a V8 code
    // cache. node-pty is native: external. The program files themselves (dist/bin/NAME.js) are sh
    // preambles written by build/program-stubs.mjs; the caches come from one real session
    // between the two (build/build-code-cache.mjs).
    entry: {
      "bin/mosh-ts-client": "bin/mosh-ts-client.ts",
      "bin/mosh-ts-server": "bin/mosh-ts-server.ts",
      "bin/launch": "build/launch.cts",
    },
    format: ["cjs"],
    outExtension: () => ({ js: ".cjs" }),
    target: "node20",
    platform: "node",
    minify: true,
    noExternal: ["@xterm/headless", "eventemitter3"],
    external: ["node-pty"],
    onSuccess: "node build/program-stubs.mjs && node build/build-code-cache.mjs",
  },
  {
    // Built for its test only (the package leaves dist/examples out): one file, no chunks in dist/.
    entry: { "examples/run-command": "examples/run-command.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    splitting: false,
  },
]);
