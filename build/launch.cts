// Runs a program's one-file bundle (dist/bin/NAME.cjs) from the V8 code cache built beside it for this Node, so that start-up compiles nothing; without a usable cache, as plain CommonJS.
//
// Run as `node launch.cjs NAME PROGRAM_PATH ARGS...` (the programs' sh preambles), or through
// `launch(NAME)` from the program file itself (`node dist/bin/NAME.js ARGS...`). The build writes
// the cache by running a real session with MOSH_TS_WRITE_CODE_CACHE=1 (build/build-code-cache.mjs):
// the cache then holds the bytecode of every function that session ran, so the first keystrokes
// and frames of a new session do not wait for the compiler either. V8 refuses a cache made by
// another V8 or with other flags; the program then compiles as usual.
import fs = require("node:fs");
import nodeModule = require("node:module");
import path = require("node:path");
import vm = require("node:vm");

const { readFileSync, renameSync, writeFileSync } = fs;
const { join } = path;
type Script = vm.Script;

/** The cache file of program `name` for this Node (a cache only loads in the V8 that made it). */
function codeCacheName(name: string): string {
  return `${name}-${process.platform}-${process.arch}-node-${process.version}.cache`;
}

type Wrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

/** Compiles dist/bin/`name`.cjs, from its code cache when there is one for this Node. */
function compile(name: string): { script: Script; file: string; cacheFile: string; cached: boolean } {
  const file = join(__dirname, `${name}.cjs`);
  const cacheFile = join(__dirname, codeCacheName(name));
  const source = readFileSync(file, "utf8");
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache for this Node: compile
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  return { script, file, cacheFile, cached: cachedData !== undefined };
}

/** Whether program `name` would start from its code cache (`accepted`), or compile. */
function codeCacheStatus(name: string): "accepted" | "rejected" | "missing" {
  const { script, cached } = compile(name);
  return !cached ? "missing" : script.cachedDataRejected ? "rejected" : "accepted";
}

/** Runs dist/bin/`name`.cjs as the main program (process.argv[1] stays the program's path). */
function launch(name: string): void {
  const { script, file, cacheFile } = compile(name);
  if (process.env.MOSH_TS_WRITE_CODE_CACHE === "1") {
    delete process.env.MOSH_TS_WRITE_CODE_CACHE;
    process.once("exit", () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    });
  }
  const module = { exports: {} };
  (script.runInThisContext() as Wrapper)(
    module.exports,
    nodeModule.createRequire(file),
    module,
    file,
    __dirname,
  );
}

if (require.main === module) {
  // node launch.cjs NAME PROGRAM_PATH ARGS...: the program sees PROGRAM_PATH as its argv[1].
  const [name, self] = process.argv.splice(2, 2);
  if (!name || !self || !/^[a-z-]+$/.test(name)) {
    process.stderr.write("usage: node launch.cjs NAME PROGRAM_PATH [ARGS...]\n");
    process.exit(2);
  }
  process.argv[1] = self;
  launch(name);
}

export = { codeCacheName, codeCacheStatus, launch };
