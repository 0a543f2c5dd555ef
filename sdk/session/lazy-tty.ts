// node:tty for the server's start-up snapshot: Node does not vouch for it in snapshots, so it loads on first use.

/** node:tty's `isatty`, loading the module on the first call. */
export function isatty(fd: number): boolean {
  return process.getBuiltinModule("node:tty").isatty(fd);
}
