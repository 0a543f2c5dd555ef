// Parsing what the remote side prints while the server starts: MOSH CONNECT / MOSH IP / MOSH SSH_CONNECTION and the rest.

/** One meaningful piece of the server's output. */
export type ServerOutputItem =
  /** A line to show to the user (motd, warnings, shell errors). */
  | { kind: "text"; text: string }
  /** `MOSH IP <address>` (the local-mode and proxy-mode address report). */
  | { kind: "ip"; ip: string }
  /** `MOSH SSH_CONNECTION c_ip c_port s_ip s_port`: the server-side address. */
  | { kind: "ssh-connection"; ip: string }
  /** `MOSH CONNECT <port> <key>`: the end of the useful output. */
  | { kind: "connect"; port: number; key: string }
  /** A line that starts a `MOSH CONNECT` but is malformed (its text is withheld: it may hold a key). */
  | { kind: "bad-connect" };

const CONNECT = /^MOSH CONNECT (\d+) ([A-Za-z0-9/+]{22})\s*$/;

/**
 * Splits the merged stdout/stderr of the remote command into lines (tolerating `\r`, a pty's
 * `\r\r\n`, and text before `MOSH CONNECT` on the same line) and classifies them. After the
 * `MOSH CONNECT` line everything is ignored, as mosh does (the banner and the detach message).
 */
export class ServerOutputParser {
  #partial = "";
  #finished = false;

  /** Whether `MOSH CONNECT` (or a malformed one) was seen. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Feeds a chunk; returns the complete lines' items. */
  feed(chunk: string): ServerOutputItem[] {
    if (this.#finished) return [];
    this.#partial += chunk;
    const out: ServerOutputItem[] = [];
    let nl = this.#partial.indexOf("\n");
    while (nl >= 0 && !this.#finished) {
      const line = this.#partial.slice(0, nl);
      this.#partial = this.#partial.slice(nl + 1);
      this.#line(line, out);
      nl = this.#partial.indexOf("\n");
    }
    if (this.#finished) this.#partial = "";
    return out;
  }

  /** Flushes an unterminated last line. */
  end(): ServerOutputItem[] {
    if (this.#finished || this.#partial === "") return [];
    const out: ServerOutputItem[] = [];
    const line = this.#partial;
    this.#partial = "";
    this.#line(line, out);
    return out;
  }

  #line(raw: string, out: ServerOutputItem[]): void {
    const line = raw.replace(/\r/g, "");
    const at = line.indexOf("MOSH CONNECT");
    if (at >= 0) {
      const before = line.slice(0, at);
      if (before.trim() !== "") out.push({ kind: "text", text: before });
      this.#finished = true;
      const m = CONNECT.exec(line.slice(at));
      const port = m ? Number(m[1]) : 0;
      out.push(
        m && port > 0 && port <= 65535 ? { kind: "connect", port, key: m[2] } : { kind: "bad-connect" },
      );
      return;
    }
    const ip = /^MOSH IP (\S+)\s*$/.exec(line);
    if (ip) {
      out.push({ kind: "ip", ip: ip[1] });
      return;
    }
    const sc = /^MOSH SSH_CONNECTION (.*)$/.exec(line);
    if (sc) {
      const words = sc[1].trim().split(/\s+/);
      if (words.length === 4) out.push({ kind: "ssh-connection", ip: words[2] });
      return;
    }
    if (line.trim() !== "") out.push({ kind: "text", text: line });
  }
}
