// mosh-ts's command line against the mosh wrapper's: the same parse as Perl's Getopt::Long with mosh's option list, and the real mosh's texts for bad ones.
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../frontend/mosh-ts/cli.js";
import { spawnTracked } from "./helpers/procs.js";

const BIN = join(import.meta.dirname, "..", "dist", "bin", "mosh-ts.js");

/**
 * mosh 1.4's GetOptions call (its variables and defaults, with --ssh kept as given), plus
 * mosh-ts's own four options, run by the system's Perl; prints the settings as JSON.
 */
const PERL = String.raw`
use strict; use warnings; use Getopt::Long; use JSON::PP;
my @warnings; local $SIG{__WARN__} = sub { my $w = shift; chomp $w; push @warnings, $w };
my ($client, $server, $predict, $overwrite, $port, $family, $ssh, $ssh_pty, $init, $local, $help,
    $version, $fake, $bind, $rip) = (undef, 'mosh-server', undef, 0, undef, 'prefer-inet', undef, 1, 1,
    undef, undef, undef, undef, 'ssh', 'proxy');
my (@sshopt, $sshport, @ident, $quiet);
GetOptions( 'client=s' => \$client, 'server=s' => \$server, 'predict=s' => \$predict,
  'predict-overwrite|o!' => \$overwrite, 'port=s' => \$port, 'a' => sub { $predict = 'always' },
  'n' => sub { $predict = 'never' }, 'family=s' => \$family, '4' => sub { $family = 'inet' },
  '6' => sub { $family = 'inet6' }, 'p=s' => \$port, 'ssh=s' => \$ssh, 'ssh-pty!' => \$ssh_pty,
  'init!' => \$init, 'local' => \$local, 'help' => \$help, 'version' => \$version,
  'fake-proxy!' => \$fake, 'bind-server=s' => \$bind, 'experimental-remote-ip=s' => \$rip,
  'ssh-option=s' => \@sshopt, 'ssh-port=s' => \$sshport, 'identity|i=s' => \@ident, 'quiet|q' => \$quiet );
my $b = sub { $_[0] ? JSON::PP::true : JSON::PP::false };
print JSON::PP->new->canonical->encode({ client => $client, server => $server, predict => $predict,
  predictOverwrite => $b->($overwrite), port => $port, family => lc $family, ssh => $ssh,
  sshPty => $b->($ssh_pty), init => $b->($init), local => $b->($local), help => $b->($help),
  version => $b->($version), fakeProxy => $b->($fake), bindServer => $bind, remoteIp => $rip,
  sshOptions => \@sshopt, sshPort => $sshport, identities => \@ident, quiet => $b->($quiet),
  operands => \@ARGV, errors => \@warnings });
`;

function perl(args: string[], env: Record<string, string> = {}): unknown {
  const r = spawnSync("perl", ["-e", PERL, "--", ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  if (r.status !== 0) throw new Error(`perl failed: ${r.stderr}`);
  const v = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const k of Object.keys(v)) if (v[k] === null) delete v[k];
  return v;
}

function ours(args: string[], env: Record<string, string> = {}): unknown {
  const { settings, errors } = parseCliArgs(args, env);
  return { ...settings, errors };
}

const cases: string[][] = [
  ["-o", "--local", "127.0.0.1"],
  ["--predict-overwrite", "h"],
  ["--no-o", "h"],
  ["--noo", "h"],
  ["--nopredict-overwrite", "h"],
  ["-o", "--no-predict-overwrite", "h"],
  ["-o=1", "h"],
  ["-a", "h"],
  ["-n", "--predict=always", "h"],
  ["--predict", "experimental", "h"],
  ["-predict=never", "h"],
  ["--pred=always", "h"],
  ["--predict"],
  ["--predict=", "h"],
  ["--bogus", "h"],
  ["--BOGUS", "h"],
  ["-x", "h"],
  ["-A", "h"],
  ["-local", "h"],
  ["--loc", "h"],
  ["--local=1", "h"],
  ["-4", "-6", "h"],
  ["--family=INET6", "h"],
  ["-p", "60001", "h"],
  ["-p=60001", "h"],
  ["--port", "60001:60010", "h"],
  ["--po=5", "h"],
  ["--ssh=ssh -p 2222", "h"],
  ["--ssh", "ssh -o User=x", "h"],
  ["--no-ssh-pty", "--no-init", "h"],
  ["--init", "--noinit", "h"],
  ["--s", "h"],
  ["--no", "h"],
  ["--fake-proxy", "--", "h", "22"],
  ["--bind-server", "any", "h"],
  ["--experimental-remote-ip=remote", "h"],
  ["h", "cmd", "-a"],
  ["h", "--", "cmd", "-a"],
  ["--", "-h"],
  ["-", "h"],
  ["+a", "h"],
  ["--server", "--", "h"],
  ["--client=x", "--server=y", "h"],
  ["--ssh-option", "User=x", "--ssh-option=Port=2", "h"],
  ["-i", "k1", "--identity=k2", "h"],
  ["-q", "h"],
  ["--quiet", "h"],
  ["--help"],
  ["--version"],
  ["--vers"],
  ["h", "-o", "ls"],
];

describe("mosh-ts's options are mosh's (Getopt::Long, compared with Perl's)", () => {
  for (const args of cases) {
    it(`parses ${JSON.stringify(args)} as Perl's Getopt::Long does`, () => {
      expect(ours(args)).toEqual(perl(args));
    });
  }
  it("with POSIXLY_CORRECT too (the first operand ends the options; no abbreviations)", () => {
    for (const args of [
      ["h", "-a"],
      ["-a", "h"],
      ["--pred=always", "h"],
      ["-p=5", "h"],
      ["--port=5", "h"],
    ]) {
      expect(ours(args, { POSIXLY_CORRECT: "1" }), JSON.stringify(args)).toEqual(
        perl(args, { POSIXLY_CORRECT: "1" }),
      );
    }
  });
});

/** stderr and status of a program run to completion; the program's name made generic. */
function runProgram(
  program: string[],
  args: string[],
): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(program[0], [...program.slice(1), ...args], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      TERM: "xterm-256color",
      HOME: "/nonexistent",
    },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 20000,
  });
  const generic = (s: string) => s.replaceAll("/usr/bin/mosh", "MOSH").replaceAll("mosh-ts", "MOSH");
  return { status: r.status, stderr: generic(r.stderr), stdout: generic(r.stdout) };
}

describe("mosh-ts's texts for bad command lines are mosh's", () => {
  const real = ["/usr/bin/mosh"];
  const mine = [process.execPath, BIN];
  for (const args of [
    ["--bogus", "h"],
    ["-x", "h"],
    ["--pred=always", "h"],
    ["--predict"],
    ["--predict=sometimes", "h"],
    ["-p", "abc", "h"],
    ["-p", "0:5", "h"],
    ["-p", "70000", "h"],
    ["-p", "5:4", "h"],
    ["h", "ls", "-x"],
    ["-o"],
    [],
  ]) {
    it(`${JSON.stringify(args)}: the same message before the usage, and status 255`, () => {
      const a = runProgram(real, args);
      const b = runProgram(mine, args);
      expect(b.status).toBe(255);
      expect(b.status).toBe(a.status);
      expect(b.stdout).toBe(a.stdout);
      const beforeUsage = (s: string) =>
        s.slice(0, s.indexOf("Usage: ") < 0 ? undefined : s.indexOf("Usage: "));
      expect(beforeUsage(b.stderr)).toBe(beforeUsage(a.stderr));
      expect(b.stderr.includes("Usage: MOSH [options] [--] [user@]host [command...]\n")).toBe(
        a.stderr.includes("Usage: MOSH [options] [--] [user@]host [command...]\n"),
      );
    });
  }

  it("--help lists every option of mosh's --help, in mosh's words", () => {
    const a = runProgram(real, ["--help"]);
    const b = runProgram(mine, ["--help"]);
    expect(b.status).toBe(0);
    const lines = (s: string) => s.split("\n").filter((l) => /^(-\S+)?\s+--/.test(l) || /^-p /.test(l));
    const theirs = lines(a.stdout).filter((l) => !l.includes("--client"));
    expect(theirs.length).toBeGreaterThan(20);
    for (const l of theirs) expect(b.stdout.split("\n")).toContain(l);
    expect(b.stdout).toMatch(/^ {8}--client=PATH {8}mosh client on local machine$/m);
    for (const o of [
      "--ssh-option=KEY=VALUE",
      "--ssh-port=PORT",
      "-i FILE --identity=FILE",
      "-q      --quiet",
    ]) {
      expect(b.stdout).toContain(o);
    }
  });

  it("--experimental-remote-ip must be local, remote or proxy", () => {
    const b = runProgram(mine, ["--experimental-remote-ip=bad", "h"]);
    expect(b.status).toBe(255);
    expect(b.stderr).toBe("MOSH: Unknown parameter bad\n");
    expect(runProgram(real, ["--experimental-remote-ip=bad", "h"]).stderr).toMatch(/^Unknown parameter bad /);
  });

  it("--fake-proxy -- HOST PORT is a netcat that reports MOSH IP, as mosh's", async () => {
    const server: Server = createServer((sock) => sock.pipe(sock));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const port = String((server.address() as { port: number }).port);
      for (const program of [real, mine]) {
        // Asynchronously: the echo server runs in this process.
        const child = spawnTracked(
          program[0],
          [...program.slice(1), "--fake-proxy", "--", "localhost", port],
          {
            env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" },
            stdio: ["pipe", "pipe", "pipe"],
          },
        );
        const r = { stdout: "", stderr: "", status: null as number | null };
        child.stdout?.setEncoding("utf8").on("data", (d: string) => {
          r.stdout += d;
        });
        child.stderr?.setEncoding("utf8").on("data", (d: string) => {
          r.stderr += d;
        });
        child.stdin?.end("ping\n");
        [r.status] = (await once(child, "close")) as [number | null];
        expect(r.status, program.join(" ")).toBe(0);
        expect(r.stdout).toBe("ping\n");
        expect(r.stderr).toBe("MOSH IP 127.0.0.1\n");
      }
    } finally {
      server.close();
    }
  });
});
