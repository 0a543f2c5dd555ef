// Builds mosh-ts-server's session-process start-up snapshot (dist/bin/*.blob) with this Node; a failure only warns (the program then runs without it).
// Usage: node scripts/build-server-snapshot.mjs [DIR]   (DIR: where the bundled program is; default dist/bin)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVER_NODE_FLAGS } from "./server-node-flags.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = process.argv[2] ?? join(root, "dist", "bin");
const entry = join(dir, "mosh-ts-server-snapshot.cjs");
// The same name as snapshotBlobName() in sdk/session/server-cli.ts: a snapshot only loads in the Node that built it.
const name = `mosh-ts-server-${process.platform}-${process.arch}-node-${process.version}.blob`;
const blob = join(dir, name);
// For the program's sh preamble, which cannot ask Node its version cheaply: which Node binary the
// blob is for (the preamble checks that `node` on PATH is that file, and not newer than the blob),
// and the blob's name.
const idFile = join(dir, "mosh-ts-server-snapshot.id");

function warn(msg) {
  console.warn(`build-server-snapshot: ${msg}; mosh-ts-server will start without a snapshot`);
}

// Old blobs (other Node versions) are of no use to this build.
for (const f of existsSync(dir) ? readdirSync(dir) : []) {
  if (/^mosh-ts-server-.*\.blob(\.tmp)?$/.test(f)) rmSync(join(dir, f), { force: true });
}
rmSync(idFile, { force: true });
if (!existsSync(entry)) {
  warn(`${entry} is missing`);
} else if (typeof process.getBuiltinModule !== "function") {
  warn(`Node ${process.version} lacks process.getBuiltinModule (20.16+)`);
} else {
  const tmp = `${blob}.tmp`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(
    process.execPath,
    [...SERVER_NODE_FLAGS, "--snapshot-blob", tmp, "--build-snapshot", entry],
    {
      env,
      encoding: "utf8",
      timeout: 120000,
    },
  );
  if (r.status !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    warn(
      `node --build-snapshot failed (${r.error?.message ?? `status ${r.status}`}): ${(r.stderr ?? "").trim()}`,
    );
  } else {
    renameSync(tmp, blob);
    writeFileSync(idFile, `${realpathSync(process.execPath)}\n${name}\n`);
  }
}
