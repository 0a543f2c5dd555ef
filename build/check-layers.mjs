// The layer rule of docs/ARCHITECTURE.md as a check that fails the lint: imports point down the layers, test code stays out of shipped code, heavy dependencies stay in their place, no import cycles.
// Usage: node build/check-layers.mjs   (part of `npm run lint`, so of `npm test`; prints each violation and exits 1)
//
// Every source file belongs to a unit (a folder, or a few named files); a unit may import itself and
// the units the table below lists, nothing else. A file in a folder the table does not know is a
// violation too, so a new folder needs a rule before it can hold code. Test code (`*.test.ts`,
// `*.fixture.ts`, the generated-code references `*-reference.ts`, and test/, bench/) may import
// anything; shipped code may not import it.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The SDK's layers, bottom first; a layer imports only layers below it (those on one row are siblings: neither imports the other). */
export const SDK_STACK = [
  ["sdk/crypto"],
  ["sdk/wire"],
  ["sdk/transport"],
  ["sdk/terminal", "sdk/linkem"],
  ["sdk/state"],
  ["sdk/predict"],
  ["sdk/client", "sdk/server"],
  ["sdk/bootstrap"],
  ["sdk/mux"],
];

const SDK_LAYERS = SDK_STACK.flat();

/** What each unit may import besides itself (sdk/base: errors.ts and version.ts, which every layer shares). */
export const ALLOWED = {
  "sdk/base": ["package.json"],
  ...Object.fromEntries(
    SDK_STACK.flatMap((row, i) => row.map((unit) => [unit, ["sdk/base", ...SDK_STACK.slice(0, i).flat()]])),
  ),
  "sdk/wire/gen": [],
  "sdk/index": ["sdk/base", ...SDK_LAYERS],
  // The programs: each uses the SDK; the mosh wrapper runs the mosh-client front end in-process.
  "frontend/client": ["sdk/base", ...SDK_LAYERS],
  "frontend/server": ["sdk/base", ...SDK_LAYERS],
  "frontend/mosh-ts": ["sdk/base", ...SDK_LAYERS, "frontend/client"],
  // mosh-mux: the TUI client, and the background process, which shares the client's layout, panes and demo.
  tui: ["sdk/base", ...SDK_LAYERS],
  "tui/server": ["sdk/base", ...SDK_LAYERS, "tui"],
  // Thin entries: one call into a program.
  bin: ["frontend/client", "frontend/server", "frontend/mosh-ts", "tui", "tui/server"],
  // Examples use the public API only.
  examples: ["sdk/index"],
  build: [],
  scripts: [],
  root: [],
};

/** Packages shipped code may import, and where (a unit, or one file); `node:` built-ins go anywhere. */
export const PACKAGES = {
  "@xterm/headless": ["sdk/terminal"],
  // (build-code-cache runs a real session between the built programs to make their code caches.)
  "node-pty": ["sdk/server", "build/build-code-cache.mjs"],
  ssh2: ["sdk/bootstrap"],
  "ssh-config": ["sdk/bootstrap"],
  eventemitter3: SDK_LAYERS,
  blessed: ["tui/surface.ts"],
  commander: ["tui/mux-cli.ts"],
  "@bufbuild/protobuf": ["sdk/wire/gen"],
  typescript: ["build/check-layers.mjs"],
  tsup: ["root"],
  vitest: ["root"],
};

const SOURCE = /\.(ts|mts|cts|mjs|cjs|js)$/;
/** Top-level folders that hold no source of ours. */
const NOT_SOURCE = new Set(["node_modules", "dist", "api-docs", "docs", ".git", ".tmp", ".ci"]);

/** The unit of `file` (a path relative to the repository root, with `/`), or null if no rule covers it. */
export function unitOf(file) {
  const parts = file.split("/");
  if (parts.length === 1) return "root";
  const [top, second] = parts;
  if (top === "sdk") {
    if (parts.length === 2) {
      if (file === "sdk/index.ts") return "sdk/index";
      if (file === "sdk/errors.ts" || file === "sdk/version.ts" || isTest(file)) return "sdk/base";
      return null;
    }
    if (second === "wire" && parts[2] === "gen") return "sdk/wire/gen";
    return SDK_LAYERS.includes(`sdk/${second}`) ? `sdk/${second}` : null;
  }
  if (top === "frontend")
    return parts.length > 2 && `frontend/${second}` in ALLOWED ? `frontend/${second}` : null;
  if (top === "tui") return second === "server" && parts.length > 2 ? "tui/server" : "tui";
  if (["bin", "examples", "build", "scripts", "test", "bench"].includes(top)) return top;
  return null;
}

/** Whether `file` is test code: tests, fixtures, generated-code references, test/ and bench/. */
export function isTest(file) {
  return /^(test|bench)\//.test(file) || /\.(test|fixture)\.ts$|-reference\.ts$/.test(file);
}

/** Every import specifier of a source text: static, `export from`, dynamic `import()`, `require()`, `import x = require()`. */
export function importsOf(source) {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The file a relative specifier of `from` names, among `files` (`.js` written for `.ts`, as NodeNext wants). */
function resolve(from, spec, files) {
  const p = normalize(join(dirname(from), spec))
    .split("\\")
    .join("/");
  const candidates = [
    p,
    p.replace(/\.js$/, ".ts"),
    p.replace(/\.cjs$/, ".cts"),
    p.replace(/\.mjs$/, ".mts"),
    `${p}.ts`,
    `${p}/index.ts`,
  ];
  return candidates.find((c) => files.has(c)) ?? null;
}

/** The package a bare specifier names (`@scope/name`, or `name`), without a subpath. */
function packageOf(spec) {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Import cycles among `edges` (file → files), each as the files on it. */
function cycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  let n = 0;
  const visit = (v) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}

/**
 * Checks `files` (path relative to the root → source text; only source files are checked, but
 * every path counts for resolving imports). Returns one line per violation (empty when the tree
 * keeps the rule).
 */
export function checkLayers(files) {
  const bad = [];
  const edges = new Map();
  for (const [file, source] of files) {
    if (!SOURCE.test(file) || /\.d\.[cm]?ts$/.test(file)) continue;
    const unit = unitOf(file);
    if (unit === null) {
      bad.push(
        `${file}: no layer rule covers this folder (add it to build/check-layers.mjs and docs/ARCHITECTURE.md)`,
      );
      continue;
    }
    const test = isTest(file);
    const own = [];
    for (const spec of importsOf(source)) {
      if (spec.startsWith("node:")) continue;
      if (!spec.startsWith(".")) {
        if (test) continue;
        const pkg = packageOf(spec);
        const where = PACKAGES[pkg];
        if (!where) bad.push(`${file}: imports ${spec}, a package shipped code does not use`);
        else if (!where.includes(unit) && !where.includes(file))
          bad.push(`${file}: imports ${spec}, which only ${where.join(", ")} may use`);
        continue;
      }
      const target = resolve(file, spec, files);
      if (target === null) {
        bad.push(`${file}: imports ${spec}, which is not in the tree`);
        continue;
      }
      if (test) continue;
      if (isTest(target)) {
        bad.push(`${file}: imports ${spec}, which is test code`);
        continue;
      }
      const to = target === "package.json" ? "package.json" : unitOf(target);
      if (to !== unit && !ALLOWED[unit].includes(to)) {
        bad.push(
          `${file}: imports ${spec} (${to}), but ${unit} may only import ${ALLOWED[unit].join(", ") || "itself"}`,
        );
      }
      if (SOURCE.test(target)) own.push(target);
    }
    if (!test) edges.set(file, own);
  }
  for (const c of cycles(edges)) bad.push(`import cycle: ${c.join(" -> ")}`);
  return bad;
}

/** The source files of the tree at `root`, read into the map {@link checkLayers} takes (plus package.json). */
export function readTree(root) {
  const files = new Map([["package.json", readFileSync(join(root, "package.json"), "utf8")]]);
  const walk = (dir) => {
    for (const name of readdirSync(join(root, dir))) {
      const rel = dir ? `${dir}/${name}` : name;
      if (!dir && NOT_SOURCE.has(name)) continue;
      const st = statSync(join(root, rel));
      if (st.isDirectory()) walk(rel);
      else if (SOURCE.test(name)) files.set(rel, readFileSync(join(root, rel), "utf8"));
    }
  };
  walk("");
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const root = relative(process.cwd(), join(dirname(fileURLToPath(import.meta.url)), "..")) || ".";
  if (!existsSync(join(root, "package.json"))) throw new Error(`no package.json in ${root}`);
  const bad = checkLayers(readTree(root));
  for (const line of bad) console.error(`layers: ${line}`);
  if (bad.length > 0) {
    console.error(
      `layers: ${bad.length} violation${bad.length === 1 ? "" : "s"} of the layer rule (docs/ARCHITECTURE.md)`,
    );
    process.exit(1);
  }
}
