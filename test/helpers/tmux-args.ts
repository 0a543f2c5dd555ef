// The tmux commands that start a private, quiet tmux server (shared by the test helpers and the benchmarks; no vitest here).

/** `start-server` plus the options every private server gets: stay up when empty, no status line, keep dead panes. */
export const TMUX_BOOT_ARGS: readonly string[] = [
  "start-server",
  ";",
  "set-option",
  "-g",
  "exit-empty",
  "off",
  ";",
  "set-option",
  "-g",
  "status",
  "off",
  ";",
  "set-option",
  "-g",
  "remain-on-exit",
  "on",
];
