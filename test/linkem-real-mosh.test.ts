// Real mosh-client and mosh-server through the link emulator: a lossy, jittery link, a server-side roam, an outage.
import { describe, expect, it } from "vitest";
import { LinkEmulator } from "../sdk/linkem/link-emulator.js";
import { startRealMoshServer } from "./helpers/mosh-server.js";
import { isAlive } from "./helpers/procs.js";
import { startRealMoshClient } from "./helpers/real-mosh-client.js";

async function until(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("real mosh over the link emulator", () => {
  it("survives loss and jitter, follows an upstream rebind, and recovers from an outage", async () => {
    const server = await startRealMoshServer();
    const bad = { delayMs: 15, jitterMs: 10, loss: 0.2, duplicate: 0.05, reorder: 0.05 };
    const em = await LinkEmulator.start({
      target: { address: "127.0.0.1", port: server.port },
      toServer: bad,
      toClient: bad,
      seed: 2024,
    });
    try {
      const client = await startRealMoshClient({ port: em.port, key: server.key });
      await client.waitForText(/^\$ ?$/m, 20_000);
      await client.sendKeys("echo lossy-$((6*7))", { literal: true });
      await client.sendKeys("Enter");
      await client.waitForText("lossy-42", 20_000);

      // the server sees the client move to a new source port, and keeps talking
      const before = em.upstreamPort;
      await em.rebindUpstream();
      expect(em.upstreamPort).not.toBe(before);
      await client.sendKeys("echo moved-$((2+3))", { literal: true });
      await client.sendKeys("Enter");
      await client.waitForText("moved-5", 20_000);

      // cut the link: keystrokes reach the emulator and die there, so the shell cannot answer
      em.setProfile("both", { down: true });
      const dropped = em.stats().toServer.dropped;
      await client.sendKeys("echo cut-$((3+3))", { literal: true });
      await client.sendKeys("Enter");
      await until(() => em.stats().toServer.dropped > dropped + 2);
      expect(await client.capture()).not.toContain("cut-6");
      em.setProfile("both", {});
      await client.waitForText("cut-6", 30_000);

      const s = em.stats();
      expect(s.toServer.dropped).toBeGreaterThan(0);
      expect(s.toClient.delivered).toBeGreaterThan(0);
      expect(em.socketErrors.count).toBe(0);

      await client.quit();
      await client.waitForExit(20_000);
      await until(() => !isAlive(server.pid));
    } finally {
      await em.stop();
    }
  });
});
