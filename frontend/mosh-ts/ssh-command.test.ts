import { describe, expect, it } from "vitest";
import { BootstrapError } from "../../sdk/bootstrap/errors.js";
import { parseSshCommand, shellWords } from "./ssh-command.js";

describe("--ssh=COMMAND", () => {
  it("splits words as the shell (and Perl's shellwords) do", () => {
    expect(shellWords(`ssh -o 'ProxyJump a b' -i "my key" -p\\ 1 x"y"'z'`)).toEqual([
      "ssh",
      "-o",
      "ProxyJump a b",
      "-i",
      "my key",
      "-p 1",
      "xyz",
    ]);
    expect(shellWords("  ")).toEqual([]);
    expect(() => shellWords("ssh -o 'x")).toThrow(BootstrapError);
  });

  it("turns ssh's options into settings for the in-process client", () => {
    expect(
      parseSshCommand("/usr/bin/ssh -p 2222 -l me -i ~/.ssh/k -oUser=x -J jump -4 -F cfg -v -C -tt -A"),
    ).toEqual({
      sshOptions: ["Port=2222", "User=me", "User=x", "ProxyJump=jump", "AddressFamily=inet"],
      identityFiles: ["~/.ssh/k"],
      configFile: "cfg",
    });
    expect(parseSshCommand("ssh -6p2222")).toEqual({
      sshOptions: ["AddressFamily=inet6", "Port=2222"],
      identityFiles: [],
    });
    expect(parseSshCommand("ssh")).toEqual({ sshOptions: [], identityFiles: [] });
  });

  it("refuses what it cannot honour, saying why", () => {
    const message = (text: string) => {
      try {
        parseSshCommand(text);
      } catch (e) {
        expect(e).toBeInstanceOf(BootstrapError);
        expect((e as BootstrapError).code).toBe("bad-argument");
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    expect(message("ssh -L 80:x:80")).toBe("mosh-ts: --ssh=ssh -L 80:x:80: ssh's -L is not supported");
    expect(message("ssh -N")).toBe("mosh-ts: --ssh=ssh -N: ssh's -N is not supported");
    expect(message("ssh -p")).toBe("mosh-ts: --ssh=ssh -p: option -p needs a value");
    expect(message("ssh host")).toMatch(/"host": a host or command cannot be given here/);
    expect(message("tsh ssh")).toMatch(/--ssh can only give ssh's options/);
  });
});
