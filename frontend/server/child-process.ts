// Node's child_process (and the net and stream modules it loads), in a module of its own: mosh-ts-server's one-process start loads it only when it must run `locale`.
export { spawnSync } from "node:child_process";
