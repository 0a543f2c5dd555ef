// Puts the sh preamble on the built dist/bin/mosh-ts-server.js: run as a program, it starts the whole server as one Node process from the start-up snapshot.
// Usage: node scripts/server-sh-preamble.mjs [FILE]   (default dist/bin/mosh-ts-server.js; idempotent)
// The file stays valid JavaScript (`node FILE` ignores the first line, and the rest of the sh text
// is a string and a comment), so `node dist/bin/mosh-ts-server.js` runs the two-process path.
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVER_NODE_FLAGS } from "./server-node-flags.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = process.argv[2] ?? join(root, "dist", "bin", "mosh-ts-server.js");

// Must not contain the two characters that end a JavaScript block comment.
const PREAMBLE = `#!/bin/sh
':' /*
# mosh-ts-server, run as a program. If the start-up snapshot built by this Node is beside this file
# and setsid is installed, one Node process does it all: in a new session it prints MOSH CONNECT and
# the banner, leaves the terminal and writes its exit status on fd 3. Otherwise: node FILE (two
# processes). Only shell built-ins unless this file is reached through a symbolic link.
if [ "\${MOSH_TS_SERVER_SNAPSHOT-}" != 0 ] && case $0 in /*) self=$0 ;; *) self=$PWD/$0 ;; esac &&
  { [ ! -L "$self" ] || self=$(readlink -f -- "$self"); } && d=\${self%/*} &&
  { read -r node && read -r blob; } <"$d/mosh-ts-server-snapshot.id" 2>/dev/null &&
  n=$(command -v node) && [ "$n" -ef "$node" ] && [ -f "$d/$blob" ] && [ ! "$n" -nt "$d/$blob" ] &&
  command -v setsid >/dev/null 2>&1
then
  { s=$(setsid "$n" ${SERVER_NODE_FLAGS.join(" ")} --snapshot-blob "$d/$blob" "$self" --session-direct "$@" <&5 5<&- 3>&1 1>&4 4>&- &); } 4>&1 5<&0
  case $s in [0-9]*) exit "$s" ;; esac
fi
exec node "$0" "$@"
*/
`;

if (PREAMBLE.slice(PREAMBLE.indexOf("/*") + 2, -3).includes("*/"))
  throw new Error("preamble ends its comment early");
const text = readFileSync(file, "utf8");
if (!text.startsWith(PREAMBLE)) {
  // Drop the `#!/usr/bin/env node` line tsup wrote, or an older preamble.
  const old = text.startsWith("#!/bin/sh\n':' /*\n") ? text.indexOf("\n*/\n") + 4 : -1;
  const body = old >= 4 ? text.slice(old) : text.startsWith("#!") ? text.slice(text.indexOf("\n") + 1) : text;
  writeFileSync(file, PREAMBLE + body);
}
chmodSync(file, 0o755);
