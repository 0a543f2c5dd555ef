// Writes dist/bin/mosh-ts-client.js and dist/bin/mosh-ts-server.js: an sh preamble that starts the program's bundle fast, on top of JavaScript that does the same under `node FILE`.
// Usage: node build/program-stubs.mjs [DIR]   (default dist/bin, where the build put launch.cjs and NAME.cjs)
//
// Each file is valid sh and valid JavaScript at once: sh runs the part between `':' /*` and `*/`
// and never reaches the rest; Node reads that part as a string and a comment. Both start Node on
// launch.cjs, which runs dist/bin/NAME.cjs from its V8 code cache. The preambles leave
// NODE_EXTRA_CA_CERTS out of Node's environment (reading a CA bundle costs Node tens of ms at
// start-up, and neither program makes TLS connections); the server gives it back to the session's
// command. Only shell built-ins unless the file is reached through a symbolic link.
import { chmodSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVER_NODE_FLAGS } from "./server-node-flags.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = process.argv[2] ?? join(root, "dist", "bin");

/** The server's Node flags (frontend/server/server-node-flags.ts), on every way it starts: one code cache fits all. */
const FLAGS = SERVER_NODE_FLAGS.join(" ");

const SELF = `case $0 in /*) self=$0 ;; *) self=$PWD/$0 ;; esac
[ ! -L "$self" ] || self=$(readlink -f -- "$self")`;

const PREAMBLES = {
  "mosh-ts-client": `# mosh-ts-client, run as a program. \`-c\` alone (the mosh wrapper asks it before each session)
# is answered by tput where it knows the terminal, as mosh-client answers it from terminfo.
if [ "$#" = 1 ] && [ "$1" = -c ] && [ -n "\${TERM-}" ] && c=$(tput colors 2>/dev/null); then
  printf '%s\\n' "$c"
  exit 0
fi
${SELF}
unset NODE_EXTRA_CA_CERTS
exec node "\${self%/*}/launch.cjs" mosh-ts-client "$0" "$@"`,
  "mosh-ts-server": `# mosh-ts-server, run as a program. With setsid, one Node process in a new session prints MOSH
# CONNECT and the banner, leaves the terminal and writes its exit status on fd 3 (as mosh-server's
# parent exits once its child has detached); without setsid, two processes (\`node FILE\`).
${SELF}
if [ -n "\${NODE_EXTRA_CA_CERTS+set}" ]; then
  MOSH_TS_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export MOSH_TS_NODE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
if command -v setsid >/dev/null 2>&1; then
  { s=$(setsid node ${FLAGS} "\${self%/*}/launch.cjs" mosh-ts-server "$0" --session-direct "$@" <&5 5<&- 3>&1 1>&4 4>&- &); } 4>&1 5<&0
  case $s in [0-9]*) exit "$s" ;; esac
fi
exec node ${FLAGS} "\${self%/*}/launch.cjs" mosh-ts-server "$0" "$@"`,
};

for (const [name, preamble] of Object.entries(PREAMBLES)) {
  const text = `#!/bin/sh
':' /*
${preamble}
*/
// Run as \`node ${name}.js ARGS\`: the same bundle, from the same code cache.
import { createRequire } from "node:module";

createRequire(import.meta.url)("./launch.cjs").launch(${JSON.stringify(name)});
`;
  if (preamble.includes("*/")) throw new Error(`${name}: the preamble ends its comment early`);
  const file = join(dir, `${name}.js`);
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}
