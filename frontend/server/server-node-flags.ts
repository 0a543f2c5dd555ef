// V8 flags of mosh-ts-server's session process: no helper threads, a small young generation (build/server-node-flags.mjs holds the same list).

/**
 * Node/V8 flags the session process runs with (and its code cache is made with: a cache loads only
 * under the flags it was made with).
 * - `--single-threaded`: garbage collection and optimising compilation on the main thread, not on
 *   helper threads. One session keeps one core busy at most anyway; the helpers' hand-offs cost
 *   CPU, and each helper that allocates grows a malloc arena of its own (megabytes of private memory).
 * - `--max-semi-space-size=1`: the young generation stays at 1 MiB per semi-space instead of
 *   growing to 16 MiB under bulk output; the session's live heap is a few MiB and short-lived
 *   garbage dies young, so small scavenges cost no more CPU and the peak RSS drops by ~6 MiB.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--single-threaded", "--max-semi-space-size=1"];
