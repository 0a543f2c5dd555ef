// V8 flags of mosh-ts-server's session process (one list for the build scripts; sdk/session/server-node-flags.ts holds the same).
// A start-up snapshot loads only under the flags it was built with, so the snapshot is built with these
// and every way of starting the session process passes them.
export const SERVER_NODE_FLAGS = ["--single-threaded", "--max-semi-space-size=1"];
