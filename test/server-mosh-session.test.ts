// MoshServer (real /bin/sh in a pty) with MoshSession in one process, over real UDP and through the link emulator.
import { afterEach, describe, expect, it } from "vitest";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { LinkEmulator } from "../sdk/linkem/link-emulator.js";
import { MoshServer, type MoshServerOptions } from "../sdk/server/mosh-server.js";
import { isAlive } from "./helpers/procs.js";
import { visibleDifferences } from "./helpers/screens.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function shellServer(opts: Partial<MoshServerOptions> = {}): Promise<MoshServer> {
  const server = await MoshServer.start({
    command: ["/bin/sh"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp", LANG: "C.UTF-8", PS1: "$ " },
    bindAddress: "127.0.0.1",
    port: 0,
    ...opts,
  });
  cleanups.push(async () => {
    const pid = server.commandPid;
    await server.close();
    await server.close();
    if (pid !== null) expect(isAlive(pid)).toBe(false);
  });
  return server;
}

function session(port: number, server: MoshServer, cols = 80, rows = 24): MoshSession {
  const s = new MoshSession({ host: "127.0.0.1", port, key: server.key, cols, rows });
  cleanups.push(() => s.close());
  return s;
}

/** Waits until the client's screen equals the server's (the link is quiet), or fails with the differences. */
async function converged(s: MoshSession, server: MoshServer, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let diff: string[] = [];
  for (;;) {
    await server.settled();
    diff = visibleDifferences(s.screen(), server.screen());
    if (diff.length === 0) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(diff).toEqual([]);
}

describe("MoshServer with MoshSession over UDP", () => {
  it("runs a shell: prompt, commands, colours, resize, a full-screen program, exit", async () => {
    const server = await shellServer();
    const s = session(server.port, server);
    const connects: unknown[] = [];
    server.on("client-connect", (ep) => connects.push(ep));
    await s.connect();
    await s.waitFor("$ ");
    expect(connects).toHaveLength(1);
    s.write("echo hello-$((6*7)); printf '\\033[1;31mred\\033[0m \\344\\270\\255\\346\\226\\207\\n'\r");
    await s.waitFor(/^red 中文$/m);
    await converged(s, server);
    s.resize(100, 30);
    s.write("stty size\r");
    await s.waitFor(/^30 100$/m);
    expect([server.screen().cols, server.screen().rows]).toEqual([100, 30]);
    s.write("printf 'a\\nb\\nc\\n' | less\r");
    await s.waitFor(/\(END\)/);
    await converged(s, server);
    s.write("q");
    await s.waitFor(/^(?![\s\S]*\(END\))/);
    s.write("echo back\r");
    await s.waitFor(/^back$/m);
    const exit = new Promise((resolve) => s.once("exit", resolve));
    s.write("exit\r");
    expect(await exit).toEqual({ reason: "server", clean: true });
    expect(await server.waitForExit()).toEqual({
      reason: "command-exit",
      clean: true,
      exitCode: 0,
      signal: null,
    });
  });

  it("a flood of output (yes) stops at Ctrl-C and the prompt returns", async () => {
    const server = await shellServer();
    const s = session(server.port, server);
    await s.connect();
    await s.waitFor("$ ");
    s.write("yes flood-line\r");
    await s.waitFor("flood-line");
    await new Promise((r) => setTimeout(r, 3000));
    s.write("\x03");
    // The terminal discards type-ahead on SIGINT: wait for the prompt.
    await s.waitFor(/\^C.*\n\$$/m, { timeout: 20000 }); // ^C may overwrite the start of a line
    s.write("echo after-$((1+1))\r");
    await s.waitFor(/^after-2$/m, { timeout: 20000 });
    await converged(s, server);
  });

  it("converges through the link emulator at 100 ms delay and 20 % loss each way", async () => {
    const server = await shellServer();
    const link = await LinkEmulator.start({
      target: { address: "127.0.0.1", port: server.port },
      toServer: { delayMs: 100, loss: 0.2 },
      toClient: { delayMs: 100, loss: 0.2 },
      seed: 11,
    });
    cleanups.push(() => link.stop());
    const s = session(link.port, server);
    await s.connect();
    await s.waitFor("$ ", { timeout: 20000 });
    s.write("for i in $(seq 1 40); do printf '\\033[3%dmline-%d\\033[0m\\n' $((i % 8)) $i; done\r");
    await s.waitFor(/^line-40$/m, { timeout: 30000 });
    await converged(s, server, 30000);
    s.write("echo typed-through-loss\r");
    await s.waitFor(/^typed-through-loss$/m, { timeout: 30000 });
    await converged(s, server, 30000);
    const stats = link.stats();
    expect(stats.toServer.dropped + stats.toClient.dropped).toBeGreaterThan(0);
  });
});
