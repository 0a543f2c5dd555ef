// Removes a secret handed over in the environment (MOSH_KEY) from the process, including the copy Linux keeps showing in /proc/PID/environ.
import { closeSync, openSync, readFileSync, readSync, writeSync } from "node:fs";

/**
 * Deletes `name` from `process.env` and zeroes its value in the process's initial environment block (the
 * memory /proc/PID/environ and `ps e` read, which unsetenv leaves as it was), through /proc/self/mem.
 * Returns how many values were zeroed there; 0 when there were none or this is not possible (not Linux, or a
 * kernel that refuses writes to /proc/self/mem): then the variable is still gone from `process.env`.
 * `procSelf` is for tests.
 */
export function removeFromEnvironment(name: string, procSelf = "/proc/self"): number {
  delete process.env[name];
  let fd: number | null = null;
  try {
    const stat = readFileSync(`${procSelf}/stat`, "latin1");
    // Fields after "pid (comm) ": the 3rd field (state) is index 0; env_start and env_end are fields 50 and 51.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[50 - 3]);
    const end = Number(fields[51 - 3]);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start || end - start > 1 << 24)
      return 0;
    fd = openSync(`${procSelf}/mem`, "r+");
    const block = Buffer.alloc(end - start);
    if (readSync(fd, block, 0, block.length, start) !== block.length) return 0;
    const prefix = Buffer.from(`${name}=`, "latin1");
    let zeroed = 0;
    for (let at = 0; at < block.length; ) {
      const stop = block.indexOf(0, at);
      const entryEnd = stop < 0 ? block.length : stop;
      if (entryEnd - at >= prefix.length && block.subarray(at, at + prefix.length).equals(prefix)) {
        const from = at + prefix.length;
        if (entryEnd > from) {
          const zeros = Buffer.alloc(entryEnd - from);
          if (writeSync(fd, zeros, 0, zeros.length, start + from) === zeros.length) zeroed++;
        }
      }
      at = entryEnd + 1;
    }
    return zeroed;
  } catch {
    return 0;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
