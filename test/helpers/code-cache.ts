// Asks a built launch.cjs whether a program would start from its V8 code cache, in a Node run with the program's flags.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** `accepted`, `rejected` or `missing`: what launch.cjs in `binDir` says of `name`'s cache under `flags`. */
export function codeCacheStatus(binDir: string, name: string, flags: readonly string[]): string {
  const r = spawnSync(
    process.execPath,
    [
      ...flags,
      "-e",
      "process.stdout.write(require(process.argv[1]).codeCacheStatus(process.argv[2]))",
      join(binDir, "launch.cjs"),
      name,
    ],
    { encoding: "utf8" },
  );
  return r.stdout + r.stderr;
}
