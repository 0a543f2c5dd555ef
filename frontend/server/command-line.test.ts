// mosh-server's command line, port ranges, timeout variables and texts, as mosh-ts-server parses and prints them.
import { describe, expect, it } from "vitest";
import {
  detachBanner,
  parsePortRange,
  parseServerCommandLine,
  parseTimeoutVariable,
  usageLine,
} from "./command-line.js";

const USAGE = usageLine("mosh-ts-server");

describe("mosh-ts-server's command line", () => {
  it("parses mosh-server's options, clustered or not, and the command after --", () => {
    const r = parseServerCommandLine(
      [
        "new",
        "-s",
        "-vv",
        "-i",
        "127.0.0.1",
        "-p60001:60010",
        "-c",
        "256",
        "-l",
        "LANG=C.UTF-8",
        "-lLC_ALL=C.UTF-8",
        "-@",
        "new",
        "--",
        "vi",
        "-n",
        "x",
      ],
      "mosh-ts-server",
      { SSH_CONNECTION: "10.0.0.2 5555 ::ffff:10.0.0.1 22" },
    );
    expect(r).toEqual({
      kind: "run",
      config: {
        command: ["vi", "-n", "x"],
        bindAddress: "127.0.0.1",
        port: [60001, 60010],
        colors: 256,
        verbose: 2,
      },
      stderr: "",
      localeVars: ["LANG=C.UTF-8", "LC_ALL=C.UTF-8"],
    });
  });

  it("-s binds to the server address of SSH_CONNECTION, or warns as mosh does", () => {
    const ok = parseServerCommandLine(["new", "-s"], "m", {
      SSH_CONNECTION: "10.0.0.2 5555 ::FFFF:10.0.0.1 22",
    });
    expect(ok.kind === "run" && ok.config.bindAddress).toBe("10.0.0.1");
    const none = parseServerCommandLine(["new", "-s"], "m", {});
    expect(none.kind === "run" && none.stderr).toBe(
      "Warning: SSH_CONNECTION not found; binding to any interface.\n",
    );
    const bad = parseServerCommandLine(["new", "-s"], "m", { SSH_CONNECTION: "1.2.3.4" });
    expect(bad.kind === "run" && bad.stderr).toBe(
      "Warning: Could not parse SSH_CONNECTION; binding to any interface.\n",
    );
  });

  it("prints mosh-server's texts for help, version, bad options and bad values", () => {
    expect(parseServerCommandLine(["new", "-p", "1", "-h"], "mosh-ts-server", {})).toEqual({
      kind: "exit",
      code: 0,
      stdout: USAGE,
      stderr: "",
    });
    const v = parseServerCommandLine(["--version"], "mosh-ts-server", {});
    expect(v.kind === "exit" && v.stdout).toMatch(
      /^mosh-ts-server \(mosh-ts [\d.]+\) \[compatible with mosh 1\.4\.0\]\n/,
    );
    const unknown = parseServerCommandLine(["new", "-x", "-p"], "mosh-ts-server", {});
    expect(unknown).toEqual({
      kind: "run",
      config: { command: null, bindAddress: null, port: null, colors: 0, verbose: 0 },
      stderr: `new: invalid option -- 'x'\n${USAGE}new: option requires an argument -- 'p'\n${USAGE}`,
      localeVars: [],
    });
    expect(parseServerCommandLine(["new", "-c", "25x"], "mosh-ts-server", {})).toEqual({
      kind: "exit",
      code: 1,
      stdout: "",
      stderr: `mosh-ts-server: Bad number of colors (25x)\n${USAGE}`,
    });
    expect(parseServerCommandLine(["new", "-p", "5:3"], "mosh-ts-server", {})).toEqual({
      kind: "exit",
      code: 1,
      stdout: "",
      stderr: `Low port 5 greater than high port 3\nmosh-ts-server: Bad UDP port range (5:3)\n${USAGE}`,
    });
    expect(parseServerCommandLine(["a", "b", "c"], "mosh-ts-server", {})).toMatchObject({
      kind: "exit",
      code: 1,
      stderr: USAGE,
    });
  });

  it("accepts the legacy forms [IP [PORT]]", () => {
    expect(parseServerCommandLine([], "m", {})).toMatchObject({
      kind: "run",
      config: { bindAddress: null, port: null },
    });
    expect(parseServerCommandLine(["::1", "60005"], "m", {})).toMatchObject({
      kind: "run",
      config: { bindAddress: "::1", port: [60005, 60005] },
    });
  });

  it("parses port ranges with mosh's rules and messages", () => {
    expect(parsePortRange("0")).toEqual({ range: [0, 0] });
    expect(parsePortRange("60001")).toEqual({ range: [60001, 60001] });
    expect(parsePortRange("60001:60999")).toEqual({ range: [60001, 60999] });
    expect(parsePortRange("abc")).toEqual({ error: "Invalid (low) port number (abc)" });
    expect(parsePortRange("70000")).toEqual({
      error: "(Low) port number 70000 outside valid range [0..65535]",
    });
    expect(parsePortRange("5:x")).toEqual({ error: "Invalid high port number (x)" });
    expect(parsePortRange("5:70000")).toEqual({
      error: "High port number 70000 outside valid range [0..65535]",
    });
    expect(parsePortRange("5:")).toEqual({ error: "Low port 5 greater than high port 0" });
    expect(parsePortRange(":5")).toEqual({ error: "Low port 0 incompatible with port ranges" });
  });

  it("reads the timeout variables as mosh-server does", () => {
    expect(parseTimeoutVariable("MOSH_SERVER_NETWORK_TMOUT", undefined)).toEqual({ seconds: 0, warning: "" });
    expect(parseTimeoutVariable("MOSH_SERVER_NETWORK_TMOUT", "")).toEqual({ seconds: 0, warning: "" });
    expect(parseTimeoutVariable("MOSH_SERVER_NETWORK_TMOUT", "30")).toEqual({ seconds: 30, warning: "" });
    expect(parseTimeoutVariable("MOSH_SERVER_NETWORK_TMOUT", "3x")).toEqual({
      seconds: 0,
      warning: "MOSH_SERVER_NETWORK_TMOUT not a valid integer, ignoring\n",
    });
    expect(parseTimeoutVariable("MOSH_SERVER_SIGNAL_TMOUT", "-4")).toEqual({
      seconds: 0,
      warning: "MOSH_SERVER_SIGNAL_TMOUT is negative, ignoring\n",
    });
  });

  it("prints the detach banner in mosh-server's layout with our name", () => {
    expect(detachBanner("mosh-ts-server", 1234)).toMatch(
      /^\nmosh-ts-server \(mosh-ts [\d.]+\) \[compatible with mosh 1\.4\.0\]\nLicense GPLv3\+: .*\n.*\n.*\n\n\[mosh-ts-server detached, pid = 1234\]\n$/,
    );
  });
});
