// The remote command line (docs/mosh-protocol.md §12.2) and the wrapper's option checks.
import { describe, expect, it } from "vitest";
import { BootstrapError } from "./errors.js";
import {
  colorsFromTerm,
  localeArgs,
  parseBindServer,
  parsePortRange,
  remoteCommandLine,
  SSH_CONNECTION_PREFIX,
  serverArgs,
  shellQuote,
} from "./remote-command.js";

describe("remote command", () => {
  it("reproduces mosh's captured command line", () => {
    const line = remoteCommandLine({
      colors: 256,
      port: "60190",
      locale: localeArgs({ LANG: "C.UTF-8", LC_CTYPE: "C.UTF-8", PATH: "/bin" }),
      command: ["echo", "a b"],
    });
    expect(line).toBe(
      "mosh-server 'new' '-c' '256' '-s' '-p' '60190' '-l' 'LANG=C.UTF-8' '-l' 'LC_CTYPE=C.UTF-8' '--' 'echo' 'a b'",
    );
  });

  it("inserts --server unquoted, quotes embedded quotes, and omits -- without a command", () => {
    expect(remoteCommandLine({ server: "env X=1 mosh-ts-server", colors: 8, locale: [] })).toBe(
      "env X=1 mosh-ts-server 'new' '-c' '8' '-s'",
    );
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(serverArgs({ colors: -1, locale: [], bind: "any" })).toEqual(["new", "-c", "0"]);
    expect(serverArgs({ colors: 8, locale: [], bind: "10.0.0.1" })).toEqual([
      "new",
      "-c",
      "8",
      "-i",
      "10.0.0.1",
    ]);
    expect(serverArgs({ colors: 8, locale: [], localAddress: "127.0.0.1" })).toEqual([
      "new",
      "-c",
      "8",
      "-i",
      "127.0.0.1",
    ]);
  });

  it("forwards the locale variables that are set, in mosh's order", () => {
    expect(localeArgs({ LC_ALL: "x", LANG: "y", LC_TIME: "", OTHER: "z" })).toEqual([
      "LANG=y",
      "LC_TIME=",
      "LC_ALL=x",
    ]);
  });

  it("prefixes the SSH_CONNECTION report when asked", () => {
    expect(remoteCommandLine({ colors: 8, locale: [] }, true).startsWith(SSH_CONNECTION_PREFIX)).toBe(true);
    expect(SSH_CONNECTION_PREFIX).toBe(
      `sh -c '[ -n "$SSH_CONNECTION" ] && printf "\\nMOSH SSH_CONNECTION %s\\n" "$SSH_CONNECTION"' ; `,
    );
  });

  it("validates -p like mosh", () => {
    expect(parsePortRange("0")).toEqual({ range: [0, 0] });
    expect(parsePortRange("60001")).toEqual({ range: [60001, 60001] });
    expect(parsePortRange("60000:61000")).toEqual({ range: [60000, 61000] });
    expect(parsePortRange("1:1")).toEqual({ range: [1, 1] });
    const msg = (t: string) => {
      const r = parsePortRange(t, "mosh");
      return "error" in r ? r.error : `no error for ${t}`;
    };
    expect(msg("abc")).toBe("mosh: Server-side port or range (abc) is not valid.");
    expect(msg("70000")).toBe("mosh: Server-side (low) port (70000) must be within valid range [0..65535].");
    expect(msg("1:0")).toBe("mosh: Server-side high port (0) must be within valid range [1..65535].");
    expect(msg("0:5")).toBe("mosh: Server-side port ranges may not be used with starting port 0 (0:5).");
    expect(msg("6:5")).toBe("mosh: Server-side port range (6:5): low port greater than high port.");
  });

  it("validates --bind-server and guesses colours from TERM", () => {
    expect(parseBindServer("ssh")).toBe("ssh");
    expect(parseBindServer("::1")).toBe("::1");
    expect(() => parseBindServer("eth0")).toThrow(BootstrapError);
    expect(colorsFromTerm("xterm-256color")).toBe(256);
    expect(colorsFromTerm("xterm")).toBe(8);
    expect(colorsFromTerm("dumb")).toBe(0);
    expect(colorsFromTerm(undefined)).toBe(0);
  });
});
