// Worker-thread entry that hosts the local panes' MoshServers, so their ptys, emulators and diffs run off the TUI's thread.
import { parentPort } from "node:worker_threads";
import { MoshServer } from "../sdk/session/server-session.js";
import type { ServerThreadCommand, ServerThreadReply } from "./server-thread.js";

const port = parentPort;
if (port) {
  const servers = new Map<number, MoshServer>();
  const post = (m: ServerThreadReply): void => port.postMessage(m);
  let stopping = false;
  // Ending by closing the port (never by being terminated) lets node-pty deliver its pending exit
  // callbacks first: terminating a thread under them aborts the whole process.
  const maybeEnd = (): void => {
    if (stopping && servers.size === 0) port.close();
  };
  port.on("message", (m: ServerThreadCommand) => {
    if (m.type === "stop") {
      stopping = true;
      for (const server of servers.values()) void server.close();
      maybeEnd();
      return;
    }
    if (m.type === "close") {
      const server = servers.get(m.id);
      if (server) void server.close();
      else post({ type: "exit", id: m.id });
      return;
    }
    MoshServer.start({
      command: m.command,
      bindAddress: "127.0.0.1",
      port: 0,
      cols: m.cols,
      rows: m.rows,
    }).then(
      (server) => {
        servers.set(m.id, server);
        server.on("error", () => undefined);
        server.on("exit", () => {
          servers.delete(m.id);
          post({ type: "exit", id: m.id });
          maybeEnd();
        });
        // The key crosses to the TUI thread in memory only (never argv, environment or logs).
        post({ type: "ready", id: m.id, port: server.port, key: server.key.reveal() });
      },
      (err: unknown) =>
        post({ type: "failed", id: m.id, message: err instanceof Error ? err.message : String(err) }),
    );
  });
}
