// Builds the V8 code caches of mosh-ts-client and mosh-ts-server (dist/bin/*.cache) by running one real session between them on loopback; a failure only warns (the programs then compile at start-up).
// Usage: node build/build-code-cache.mjs [DIR]   (default dist/bin)
//
// Both programs run with MOSH_TS_WRITE_CODE_CACHE=1, so that launch.cjs writes, as each exits, the
// bytecode of every function the session ran: start-up, connecting, typing with predictions shown,
// frames, and the shutdown. A cache only loads in the Node (V8 version and flags) that wrote it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = process.argv[2] ?? join(root, "dist", "bin");
const require = createRequire(join(root, "package.json"));
const NAMES = ["mosh-ts-client", "mosh-ts-server"];
const cacheFile = (name) =>
  join(dir, `${name}-${process.platform}-${process.arch}-node-${process.version}.cache`);

function warn(msg) {
  console.warn(`build-code-cache: ${msg}; the programs will compile at start-up`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(test, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (test()) return true;
    await sleep(10);
  }
  return test();
}

async function warmUp() {
  const env = { ...process.env, LANG: "C.UTF-8", MOSH_TS_WRITE_CODE_CACHE: "1" };
  delete env.LC_ALL;
  delete env.NODE_OPTIONS;
  const shell = "PS1='$ '; export PS1; exec sh -i";
  const server = spawnSync(
    join(dir, "mosh-ts-server.js"),
    ["new", "-i", "127.0.0.1", "--", "sh", "-c", shell],
    { env, encoding: "utf8", timeout: 20000 },
  );
  const m = /MOSH CONNECT (\d+) (\S{22})/.exec(server.stdout ?? "");
  if (!m) throw new Error(`mosh-ts-server did not start: ${(server.stderr ?? "").trim()}`);
  const pty = require("node-pty");
  let out = "";
  const client = pty.spawn(join(dir, "mosh-ts-client.js"), ["127.0.0.1", m[1]], {
    cols: 80,
    rows: 24,
    env: { ...env, MOSH_KEY: m[2], TERM: "xterm-256color", MOSH_PREDICTION_DISPLAY: "always" },
  });
  let status = null;
  client.onData((d) => {
    out += d;
  });
  client.onExit((e) => {
    status = e.exitCode;
  });
  try {
    if (!(await waitFor(() => out.includes("$ "), 10000))) throw new Error("no prompt");
    for (const round of ["echo warm-up", "printf '\\033[1;31mred\\033[0m\\n'"]) {
      for (const ch of round) {
        client.write(ch);
        await sleep(4);
      }
      client.write("\x7f");
      await sleep(4);
      client.write(round.at(-1));
      await sleep(4);
      client.write("\r");
      await sleep(60);
    }
    client.write("exit\r");
    if (!(await waitFor(() => status !== null, 10000))) throw new Error("the client did not exit");
    if (status !== 0) throw new Error(`the client exited with status ${status}`);
  } finally {
    if (status === null) client.kill("SIGKILL");
  }
  // The server writes its cache as it exits, just after the client's.
  if (!(await waitFor(() => NAMES.every((n) => existsSync(cacheFile(n))), 10000)))
    throw new Error("a program did not write its cache");
}

for (const f of existsSync(dir) ? readdirSync(dir) : []) {
  if (/\.cache(\.\d+\.tmp)?$/.test(f)) rmSync(join(dir, f), { force: true });
}
try {
  await warmUp();
} catch (err) {
  for (const n of NAMES) rmSync(cacheFile(n), { force: true });
  warn(err instanceof Error ? err.message : String(err));
}
