// Keys written to a MoshSession while it is still connecting reach the command, in order (in-process MoshServer, real pty and UDP).
import { afterEach, expect, it } from "vitest";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { MoshServer } from "../sdk/server/mosh-server.js";

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close().catch(() => undefined)));
});

function screenText(s: MoshSession): string {
  const f = s.screen();
  return Array.from({ length: f.rows }, (_, y) => f.row(y).text).join("\n");
}

it("keeps keys written before and during connect(), sends them first and in order", async () => {
  for (let rep = 0; rep < 5; rep++) {
    const server = await MoshServer.start({ command: ["cat", "-v"], bindAddress: "127.0.0.1", port: 0 });
    open.push(server);
    const s = new MoshSession({ host: "127.0.0.1", port: server.port, key: server.key, cols: 70, rows: 20 });
    open.push(s);
    s.write("a");
    const connected = s.connect();
    s.write("b");
    await connected;
    s.write("c");
    const deadline = Date.now() + 5000;
    while (!screenText(s).includes("abc") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(screenText(s)).toContain("abc");
    // The size went first: the command started at the client's size.
    expect(server.screen().cols).toBe(70);
    await s.close();
    await server.close();
    open.length = 0;
  }
}, 60_000);
