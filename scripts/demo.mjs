// Demo: starts a local mosh-server (Debian's) on loopback and attaches mosh-ts-client to it.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const client = fileURLToPath(new URL("../dist/bin/mosh-ts-client.js", import.meta.url));
if (!existsSync(client)) {
  console.error("demo: build first (npm run build)");
  process.exit(1);
}
const env = { ...process.env, LANG: process.env.LANG?.match(/utf-?8/i) ? process.env.LANG : "C.UTF-8" };
const server = spawnSync("mosh-server", ["new", "-i", "127.0.0.1", "-l", "LANG=C.UTF-8"], {
  env,
  encoding: "utf8",
});
if (server.error) {
  console.error("demo: mosh-server not found; install it with: sudo apt-get install -y mosh");
  process.exit(1);
}
const m = /MOSH CONNECT (\d+) ([A-Za-z0-9/+]{22})/.exec(server.stdout);
if (!m) {
  console.error(`demo: mosh-server did not start:\n${server.stdout}${server.stderr}`);
  process.exit(1);
}
console.error(`demo: mosh-server on 127.0.0.1:${m[1]}; quit with Ctrl-^ .`);
const child = spawn(process.execPath, [client, "127.0.0.1", m[1]], {
  stdio: "inherit",
  env: { ...env, MOSH_KEY: m[2] },
});
child.on("exit", (code) => process.exit(code ?? 1));
