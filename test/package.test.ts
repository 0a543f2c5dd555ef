// The npm package as users get it: `npm pack`, installed from the tarball into a scratch prefix, its programs run from there.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "../frontend/server/server-node-flags.js";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { codeCacheStatus } from "./helpers/code-cache.js";
import { parseMoshConnect } from "./helpers/mosh-server.js";
import { killTree, spawnTracked, track } from "./helpers/procs.js";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  files: string[];
  repository?: unknown;
  license?: string;
};

let dir: string;
let tarball: string;
let packed: string[];
let installed: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "moshts-pkg-"));
  // npm pack uses the dist/ that npm test's pretest built.
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const info = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(dir, info[0].filename);
  packed = info[0].files.map((f) => f.path).sort();
  // A real `npm install` of the tarball, offline: the package's dependencies are linked from this
  // checkout's node_modules (node-pty needs a native build, which the checkout already has), so
  // nothing is fetched and nothing is compiled.
  const project = join(dir, "project");
  execFileSync("mkdir", ["-p", project]);
  const deps: Record<string, string> = { "mosh-ts": `file:${tarball}` };
  for (const name of Object.keys(pkg.dependencies)) deps[name] = `file:${join(root, "node_modules", name)}`;
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "scratch", private: true, dependencies: deps }),
  );
  execFileSync("npm", ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: project,
    stdio: ["ignore", "pipe", "pipe"],
  });
  installed = join(project, "node_modules");
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  stdout: string;
  stderr: string;
  status: number | null;
  port: number;
  key: string;
  pid: number;
}

/** Runs a server program (`new -i 127.0.0.1 -p 0 -- /bin/sh`) until it detaches; tracks the detached session. */
async function startServer(binary: string): Promise<Started> {
  const child = spawnTracked(binary, ["new", "-i", "127.0.0.1", "-p", "0", "--", "/bin/sh"], {
    detached: true,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/tmp", LANG: "C.UTF-8", PS1: "$ " },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const status = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const connect = parseMoshConnect(stdout);
  const pid = Number(/ detached, pid = (\d+)\]/.exec(stderr)?.[1]);
  if (!connect || !pid) throw new Error(`${binary} did not start (exit ${status}): ${stderr}`);
  track(pid, { group: true, label: binary });
  return { stdout, stderr, status, port: connect.port, key: connect.key, pid };
}

/** The output with the port, key, pid and program name made generic, and the version lines dropped. */
function normalised(s: Started): string {
  return (s.stdout + "\0" + s.stderr)
    .replaceAll(String(s.port), "PORT")
    .replaceAll(s.key, "KEY")
    .replaceAll(String(s.pid), "PID")
    .replaceAll("mosh-ts-server", "mosh-server")
    .split("\n")
    .filter((l) => !/^mosh-server \(/.test(l) && !/^Copyright /.test(l))
    .join("\n");
}

describe("the installed package", () => {
  it("mosh-ts-server prints what mosh-server prints (no snapshot error), and serves a session", async () => {
    const ours = await startServer(join(installed, ".bin", "mosh-ts-server"));
    const real = await startServer("/usr/bin/mosh-server");
    try {
      expect(ours.stderr).not.toContain("cannot open");
      expect(ours.status).toBe(0);
      expect(ours.stdout).toBe(`MOSH CONNECT ${ours.port} ${ours.key}\n`);
      expect(normalised(ours)).toBe(normalised(real));
      // It starts from the code cache the build made for this Node.
      const bin = join(installed, "mosh-ts", "dist", "bin");
      expect(codeCacheStatus(bin, "mosh-ts-server", SERVER_NODE_FLAGS)).toBe("accepted");
      const s = new MoshSession({ host: "127.0.0.1", port: ours.port, key: ours.key });
      try {
        await s.connect();
        s.write("echo installed-$((6*7))\r");
        await s.waitFor(/^installed-42$/m);
      } finally {
        await s.close();
      }
    } finally {
      await killTree(ours.pid, { group: true });
      await killTree(real.pid);
    }
  });
});

describe("the tarball", () => {
  it("holds the licence, no examples, source maps only for the SDK library, and names its repository", () => {
    expect(packed).toContain("LICENSE");
    expect(readFileSync(join(installed, "mosh-ts", "LICENSE"), "utf8")).toBe(
      readFileSync(join(root, "LICENSE"), "utf8"),
    );
    expect(readFileSync(join(root, "LICENSE"), "utf8")).toMatch(
      /^\s*GNU GENERAL PUBLIC LICENSE\s+Version 3, 29 June 2007\b/,
    );
    expect(pkg.license).toBe("GPL-3.0-or-later");
    expect(pkg.repository).toEqual({ type: "git", url: expect.stringMatching(/github/) });
    expect(packed.filter((f) => f.startsWith("dist/examples/"))).toEqual([]);
    // The programs' code caches (for the Node that built the package; others compile) are shipped.
    expect(packed.filter((f) => /\.(blob|id)$/.test(f))).toEqual([]);
    expect(packed.filter((f) => /^dist\/bin\/mosh-ts-(client|server)-.*\.cache$/.test(f))).toHaveLength(2);
    // Every file an entry point loads is in the package (a chunk left out would fail at run time).
    const imports = (f: string): string[] =>
      [
        ...readFileSync(join(installed, "mosh-ts", f), "utf8").matchAll(
          /(?:from|import\()\s*"(\.\.?\/[^"]+)"/g,
        ),
      ].map((m) => join(f, "..", m[1]));
    const reached = (entries: string[]): Set<string> => {
      const seen = new Set<string>();
      for (let f = entries.pop(); f !== undefined; f = entries.pop()) {
        if (seen.has(f)) continue;
        seen.add(f);
        entries.push(...imports(f));
      }
      return seen;
    };
    for (const f of packed.filter((p) => /\.c?js$/.test(p))) {
      for (const i of imports(f)) expect(packed, `${f} imports ${i}`).toContain(i);
    }
    // Source maps for the SDK library, none for what the programs load.
    expect(packed).toContain("dist/index.js.map");
    expect(packed).toContain("dist/index.cjs.map");
    const programs = reached(packed.filter((f) => f.startsWith("dist/bin/")));
    expect(programs.size).toBeGreaterThan(5);
    expect([...programs].filter((f) => packed.includes(`${f}.map`))).toEqual([]);
  });
});

describe("package-lock.json", () => {
  it("is complete and in step with package.json, so `npm install` leaves it unchanged and `npm ci` accepts it", () => {
    interface Entry {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    }
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
      packages: Record<string, Entry>;
    };
    const rootEntry = lock.packages[""];
    const manifest = pkg as unknown as Entry;
    expect(rootEntry.dependencies).toEqual(manifest.dependencies);
    expect(rootEntry.devDependencies).toEqual(manifest.devDependencies);
    // Every dependency of every locked package, other platforms' optional ones included, resolves
    // to a locked entry (npm install would otherwise add the missing ones to the file).
    const missing: string[] = [];
    for (const [path, e] of Object.entries(lock.packages)) {
      for (const dep of Object.keys({ ...e.dependencies, ...e.optionalDependencies })) {
        let base = path;
        for (;;) {
          if (lock.packages[`${base ? `${base}/` : ""}node_modules/${dep}`]) break;
          if (!base) {
            missing.push(`${path || "(root)"} -> ${dep}`);
            break;
          }
          const i = base.lastIndexOf("/node_modules/");
          base = i < 0 ? "" : base.slice(0, i);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
