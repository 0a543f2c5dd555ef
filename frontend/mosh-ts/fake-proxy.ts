// mosh's hidden `--fake-proxy -- HOST PORT`: a netcat for ssh's ProxyCommand that reports the address it reached as `MOSH IP`.
import { lookup } from "node:dns/promises";
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import type { AddressFamilyPolicy } from "../../sdk/bootstrap/ssh-transport.js";

/** Streams and names for {@link runFakeProxy}. */
export interface FakeProxyIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  argv0: string;
}

async function addresses(host: string, family: AddressFamilyPolicy): Promise<string[]> {
  if (isIP(host)) return [host];
  const want = family === "inet" ? 4 : family === "inet6" ? 6 : 0;
  const found = await lookup(host, { all: true, family: want }).catch(() => []);
  const prefer = family === "prefer-inet6" ? 6 : family === "prefer-inet" ? 4 : 0;
  if (prefer) found.sort((a, b) => Number(b.family === prefer) - Number(a.family === prefer));
  return found.map((f) => f.address);
}

function open(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: address, port });
    s.once("connect", () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

/**
 * Connects to HOST PORT over TCP (each address in turn, in `family`'s order), prints
 * `MOSH IP <address>` on stderr, then copies stdin to the connection and the connection to stdout
 * until both ends close. Resolves with the exit status (255 when no address could be reached).
 */
export async function runFakeProxy(
  host: string,
  port: string,
  family: AddressFamilyPolicy,
  io: FakeProxyIo,
): Promise<number> {
  let sock: Socket | null = null;
  let last = "no address";
  let tried = "";
  for (const address of await addresses(host, family)) {
    tried = address;
    try {
      sock = await open(address, Number(port));
      io.stderr.write(`MOSH IP ${address}\n`);
      break;
    } catch (err) {
      last = (err as Error).message;
    }
  }
  if (!sock) {
    io.stderr.write(`${io.argv0}: Could not connect to ${host}, last tried ${tried}: ${last}\n`);
    return 255;
  }
  const s = sock;
  await new Promise<void>((resolve) => {
    let open = 2;
    const done = () => {
      if (--open === 0) resolve();
    };
    s.on("data", (d) => io.stdout.write(d));
    s.once("end", done);
    s.once("error", () => {
      s.destroy();
      resolve();
    });
    io.stdin.on("data", (d) => s.write(d));
    io.stdin.once("end", () => {
      s.end();
      done();
    });
  });
  s.destroy();
  return 0;
}
