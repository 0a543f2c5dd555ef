// A quick UDP reachability hint before the client starts: does the server's port answer with "port unreachable"?
import { createSocket } from "node:dgram";
import { isIP } from "node:net";

/**
 * Sends a few one-byte datagrams to `host:port` from a connected UDP socket and waits up to
 * `waitMs` for an ICMP "port unreachable" (seen as ECONNREFUSED). Resolves `"refused"` if one
 * came (nothing listens there), `"silent"` otherwise (something may listen, or a firewall drops
 * silently). A mosh server drops such datagrams: they fail authentication.
 */
export function probeUdpPort(host: string, port: number, waitMs = 400): Promise<"refused" | "silent"> {
  return new Promise((resolve) => {
    const sock = createSocket(isIP(host) === 6 ? "udp6" : "udp4");
    let done = false;
    let interval: NodeJS.Timeout | null = null;
    const finish = (r: "refused" | "silent") => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (interval) clearInterval(interval);
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve(r);
    };
    const timer = setTimeout(() => finish("silent"), waitMs);
    sock.on("error", (err: NodeJS.ErrnoException) =>
      finish(err.code === "ECONNREFUSED" ? "refused" : "silent"),
    );
    sock.on("message", () => undefined);
    sock.connect(port, host, () => {
      const send = () => {
        if (done) return;
        try {
          sock.send(Buffer.alloc(1));
        } catch {
          // the error event reports it
        }
      };
      send();
      interval = setInterval(send, 100);
    });
  });
}
