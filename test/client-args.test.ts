// mosh-ts-client's command line side by side with the real mosh-client: same texts on the same streams, same exit status.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const client = join(import.meta.dirname, "..", "dist", "bin", "mosh-ts-client.js");

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Program name and version block made the same for both (ours says mosh-ts and has no Copyright line). */
function generic(text: string): string {
  return text
    .replace(/^mosh-client \(mosh [\d.]+\) \[build mosh [\d.]+\]\nCopyright [^\n]*\n/gm, "VERSION\n")
    .replace(/^mosh-ts-client \(mosh-ts [\d.]+\) \[compatible with mosh [\d.]+\]\n/gm, "VERSION\n")
    .replaceAll("mosh-ts-client", "mosh-client");
}

function run(program: "real" | "ours", args: string[], env: Record<string, string>): Outcome {
  const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", TERM: "xterm-256color", ...env };
  const r =
    program === "real"
      ? spawnSync("mosh-client", args, { env: base, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      : spawnSync(process.execPath, [client, ...args], {
          env: base,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
  return { status: r.status, stdout: generic(r.stdout), stderr: generic(r.stderr) };
}

const KEY = { MOSH_KEY: "AAAAAAAAAAAAAAAAAAAAAA" };

const cases: Array<[string[], Record<string, string>]> = [
  [["--bogus"], {}],
  [["--version=1"], {}],
  [["-x"], {}],
  [["-vx"], {}],
  [["-x", "-c"], {}],
  [["-c", "-x"], {}],
  [["-#"], {}],
  [["-v"], {}],
  [[], {}],
  [["1.2.3.4"], {}],
  [["a", "b", "c"], {}],
  [["--", "--bogus"], {}],
  [["--help"], {}],
  [["127.0.0.1", "--help"], {}],
  [["--", "--help"], {}],
  [["-#", "--help"], {}],
  [["--version"], {}],
  [["127.0.0.1", "abc"], KEY],
  [["-v", "-v", "127.0.0.1", "abc"], KEY],
  [["-#foo", "127.0.0.1", "abc"], KEY],
  [["-#", "mosh host |", "127.0.0.1", "abc"], KEY],
  [["127.0.0.1", "60001"], {}],
  [["127.0.0.1", "60001", "-v"], KEY],
  [["127.0.0.1", "60001", "-x"], KEY],
  [["127.0.0.1", "60001", "-x"], { ...KEY, POSIXLY_CORRECT: "1" }],
];

describe("mosh-ts-client's command line against mosh-client's", () => {
  it("--bogus gives getopt's message, mosh-client's usage on stderr and status 1 (not Node's parseArgs text)", () => {
    const ours = run("ours", ["--bogus"], {});
    expect(ours.status).toBe(1);
    expect(ours.stdout).toBe("");
    expect(ours.stderr).toBe(
      "mosh-client: invalid option -- '-'\nVERSION\n" +
        "License GPLv3+: GNU GPL version 3 or later <http://gnu.org/licenses/gpl.html>.\n" +
        "This is free software: you are free to change and redistribute it.\n" +
        "There is NO WARRANTY, to the extent permitted by law.\n\n" +
        "Usage: mosh-client [-# 'ARGS'] IP PORT\n       mosh-client -c\n",
    );
  });

  for (const [args, env] of cases) {
    const label = `${Object.keys(env).includes("POSIXLY_CORRECT") ? "POSIXLY_CORRECT " : ""}${JSON.stringify(args)}`;
    it(`same output and status: ${label}`, () => {
      expect(run("ours", args, env)).toEqual(run("real", args, env));
    });
  }
});
