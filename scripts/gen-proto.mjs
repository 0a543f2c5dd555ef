// Regenerates the protobuf-es TypeScript in sdk/wire/gen/ from sdk/wire/proto/*.proto (buf + protoc-gen-es).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const protoDir = path.join(root, "sdk", "wire", "proto");
const bin = path.join(root, "node_modules", ".bin");

// protoc-gen-es is a "local" plugin in buf.gen.yaml: put node_modules/.bin first on PATH.
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` };
const result = spawnSync("npx", ["--no-install", "buf", "generate"], {
  cwd: protoDir,
  env,
  stdio: "inherit",
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
