// The real datagram network: node:dgram UDP sockets behind the DatagramNetwork port.
import { createSocket, type Socket } from "node:dgram";
import type { DatagramNetwork, DatagramSocket, Endpoint, Family } from "./ports.js";

/** Opens real UDP sockets (`udp4` for IPv4, `udp6` for IPv6). Bind failures reject; later errors go to `onError`. */
export const udpNetwork: DatagramNetwork = {
  open(family: Family, bindAddress?: string, port = 0): Promise<DatagramSocket> {
    const sock = createSocket({ type: family === "IPv6" ? "udp6" : "udp4" });
    const address = bindAddress ?? (family === "IPv6" ? "::" : "0.0.0.0");
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error) => {
        sock.close();
        reject(err);
      };
      sock.once("error", onBindError);
      sock.bind({ address, port, exclusive: true }, () => {
        sock.off("error", onBindError);
        resolve(new UdpSocket(sock, family));
      });
    });
  },
};

class UdpSocket implements DatagramSocket {
  readonly local: Endpoint;
  readonly family: Family;
  readonly #sock: Socket;
  #onError: ((err: Error) => void) | null = null;
  #closed = false;
  /** One completion callback for every send (no closure per datagram). */
  readonly #sent = (err: Error | null): void => {
    if (err) this.#fail(err);
  };

  constructor(sock: Socket, family: Family) {
    this.#sock = sock;
    this.family = family;
    const a = sock.address();
    this.local = { address: a.address, port: a.port };
    sock.on("error", (err) => this.#fail(err));
  }

  send(data: Uint8Array, to: Endpoint): void {
    if (this.#closed) return;
    try {
      this.#sock.send(data, to.port, to.address, this.#sent);
    } catch (err) {
      this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.#sock.removeAllListeners("message");
    // rinfo is a fresh object per datagram with `address` and `port`: passed on as the Endpoint.
    this.#sock.on("message", handler);
  }

  onError(handler: (err: Error) => void): void {
    this.#onError = handler;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#sock.close();
    } catch {
      // already closed
    }
  }

  #fail(err: Error): void {
    if (!this.#closed) this.#onError?.(err);
  }
}
