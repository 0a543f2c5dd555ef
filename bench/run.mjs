// Runs one benchmark (bench/<name>.ts): bundles it with esbuild into .tmp/bench/ and imports the bundle.
// Usage: node bench/run.mjs server|session|robust|... [args...]
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2];
if (!name || !/^[a-z-]+$/.test(name)) {
  console.error("usage: node bench/run.mjs <server|session> [args...]");
  process.exit(2);
}
const outDir = join(root, ".tmp", "bench");
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `${name}.mjs`);
const esbuild = join(root, "node_modules", ".bin", "esbuild");
const built = spawnSync(
  esbuild,
  [
    join(root, "bench", `${name}.ts`),
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--target=node20",
    "--packages=external",
    "--log-level=warning",
    `--outfile=${out}`,
  ],
  { stdio: "inherit" },
);
if (built.status !== 0) process.exit(built.status ?? 1);
// The benchmark reads its own arguments from process.argv after the name.
process.argv.splice(2, 1);
process.env.MOSH_TS_ROOT ??= root;
await import(pathToFileURL(out).href);
