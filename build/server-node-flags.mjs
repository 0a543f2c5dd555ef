// V8 flags of mosh-ts-server's session process (one list for the build scripts; frontend/server/server-node-flags.ts holds the same).
// A V8 code cache loads only under the flags it was made with: the sh preamble (build/program-stubs.mjs)
// passes these on every way it starts the server, and the cache is made through it.
export const SERVER_NODE_FLAGS = ["--single-threaded", "--max-semi-space-size=1"];
