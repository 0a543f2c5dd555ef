// `--local`: run the server on this machine without SSH (mosh's --local), for a numeric address of this host.
import { spawn } from "node:child_process";
import { isIP } from "node:net";
import { homedir } from "node:os";
import { BootstrapError } from "./errors.js";
import { colorsFromTerm, localeArgs, remoteCommandLine } from "./remote-command.js";
import { watchServer } from "./server-launch.js";
import { type BootstrapOptions, type BootstrapResult, bootstrapResult } from "./start-server.js";

/**
 * Starts the server locally through `/bin/sh` (without `SSH_CONNECTION`, in the home directory),
 * binding it to `address` unless `bindServer` says otherwise, and returns where it listens.
 */
export async function startLocalServer(address: string, o: BootstrapOptions = {}): Promise<BootstrapResult> {
  if (isIP(address) === 0) {
    throw new BootstrapError("bad-argument", `--local needs a numeric IP address, not "${address}"`);
  }
  const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env) };
  delete env.SSH_CONNECTION;
  const server = o.server ?? "mosh-server";
  const command = remoteCommandLine({
    server,
    colors: o.colors ?? colorsFromTerm(env.TERM),
    bind: o.bindServer,
    localAddress: address,
    port: o.serverPort,
    locale: localeArgs(env),
    command: o.command,
  });
  o.onProgress?.({ kind: "starting-server", host: address, command });
  const child = spawn("/bin/sh", ["-c", command], {
    cwd: o.home ?? env.HOME ?? homedir(),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.on("error", () => undefined);
  const report = await watchServer(
    {
      stdout: child.stdout,
      stderr: child.stderr,
      onExit: (l) => child.on("exit", (code) => l(code)),
      onClose: (l) => child.on("close", l),
      stop: () => child.kill(),
    },
    {
      server,
      host: address,
      onOutput: o.onServerOutput ?? o.onMessage,
      timeoutMs: o.serverTimeoutMs,
      signal: o.signal,
    },
  );
  o.onProgress?.({ kind: "connected", host: address, port: report.port });
  return bootstrapResult(address, report.port, report.key);
}
