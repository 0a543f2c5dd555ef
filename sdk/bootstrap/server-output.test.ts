// Parsing the server's start-up output: MOSH CONNECT amid motd, \r, split chunks, and what is withheld.
import { describe, expect, it } from "vitest";
import { ServerOutputParser } from "./server-output.js";

const KEY = "PTuhkNzdN72gS/q6yAIg+A";

describe("ServerOutputParser", () => {
  it("finds MOSH CONNECT after a pty's \\r\\r\\n and motd, and ignores everything after it", () => {
    const p = new ServerOutputParser();
    const items = p.feed(
      `Welcome to \x1b[1mhost\x1b[0m\r\n\r\r\n\r\nMOSH CONNECT 60001 ${KEY}\r\n\r\nmosh-server (mosh 1.4.0)\r\n`,
    );
    expect(items).toEqual([
      { kind: "text", text: "Welcome to \x1b[1mhost\x1b[0m" },
      { kind: "connect", port: 60001, key: KEY },
    ]);
    expect(p.finished).toBe(true);
    expect(p.feed("[mosh-server detached, pid = 1]\n")).toEqual([]);
  });

  it("handles chunks split anywhere, including inside the key", () => {
    const text = `motd\nMOSH CONNECT 60002 ${KEY}\n`;
    for (let cut = 1; cut < text.length; cut++) {
      const p = new ServerOutputParser();
      const items = [...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut)), ...p.end()];
      expect(items).toEqual([
        { kind: "text", text: "motd" },
        { kind: "connect", port: 60002, key: KEY },
      ]);
    }
  });

  it("accepts an unterminated last line and text glued before MOSH CONNECT", () => {
    const p = new ServerOutputParser();
    expect(p.feed(`noise MOSH CONNECT 60003 ${KEY}`)).toEqual([]);
    expect(p.end()).toEqual([
      { kind: "text", text: "noise " },
      { kind: "connect", port: 60003, key: KEY },
    ]);
  });

  it("reports a malformed MOSH CONNECT without its text", () => {
    for (const bad of ["MOSH CONNECT 60001 short", "MOSH CONNECT 0 " + KEY, "MOSH CONNECT x " + KEY]) {
      const p = new ServerOutputParser();
      const items = p.feed(`${bad}\n`);
      expect(items).toEqual([{ kind: "bad-connect" }]);
      expect(JSON.stringify(items)).not.toContain("short");
    }
  });

  it("reads MOSH IP and MOSH SSH_CONNECTION", () => {
    const p = new ServerOutputParser();
    expect(
      p.feed("\nMOSH SSH_CONNECTION 10.0.0.1 5555 10.0.0.2 22\nMOSH IP 192.0.2.1\nMOSH SSH_CONNECTION bad\n"),
    ).toEqual([
      { kind: "ssh-connection", ip: "10.0.0.2" },
      { kind: "ip", ip: "192.0.2.1" },
    ]);
  });
});
