// mosh-ts-client against mosh-ts-server (both built programs), in tmux: directly and through a lossy slow link.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LinkEmulator } from "../sdk/linkem/link-emulator.js";
import { reportingExit, startTmux } from "./helpers/tmux.js";
import { startTsServer } from "./helpers/ts-server.js";

const client = join(import.meta.dirname, "..", "dist", "bin", "mosh-ts-client.js");

describe("mosh-ts-client with mosh-ts-server", () => {
  for (const link of [null, { delayMs: 100, loss: 0.2 }] as const) {
    it(link ? "through 100 ms delay and 20 % loss each way" : "on loopback", async () => {
      const server = await startTsServer();
      const emu = link
        ? await LinkEmulator.start({
            target: { address: "127.0.0.1", port: server.port },
            toServer: link,
            toClient: link,
            seed: 11,
          })
        : null;
      const port = emu ? emu.port : server.port;
      const tmux = await startTmux({
        cols: 80,
        rows: 24,
        command: reportingExit([process.execPath, client, "127.0.0.1", String(port)]),
        env: { MOSH_KEY: server.key, TERM: "xterm-256color" },
      });
      try {
        await tmux.waitForText(/^\$ ?$/m, 20000);
        await tmux.sendKeys("printf '\\033[1;31mred\\033[0m 中文 e\\314\\201\\n'; echo sum-$((20+22))", {
          literal: true,
        });
        await tmux.sendKeys("Enter");
        const screen = await tmux.waitForText(/^sum-42$/m, 30000);
        expect(screen).toMatch(/^red 中文 e\u0301$/mu);
        expect(await tmux.capture({ escapes: true })).toMatch(/\x1b\[1m\x1b\[31mred/);
        await tmux.resize(100, 30);
        await tmux.sendKeys("stty size", { literal: true });
        await tmux.sendKeys("Enter");
        await tmux.waitForText(/^30 100$/m, 30000);
        await tmux.sendKeys("exit", { literal: true });
        await tmux.sendKeys("Enter");
        const after = await tmux.waitForText(/EXIT=\d+/, 30000);
        expect(after).toContain("[mosh is exiting.]");
        expect(after).toContain("EXIT=0");
      } finally {
        await tmux.kill();
        await emu?.stop();
        await server.stop();
      }
    }, 90_000);
  }
});
