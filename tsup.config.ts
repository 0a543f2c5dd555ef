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
      "bin/mosh-ts-server": "bin/mosh-ts-server.ts",
      "bin/mosh-ts": "bin/mosh-ts.ts",
      "bin/mosh-mux": "bin/mosh-mux.ts",
    },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    platform: "node",
    banner: { js: "#!/usr/bin/env node" },
  },
  {
    entry: { "examples/run-command": "examples/run-command.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
  },
]);
