// The `mosh-mux --demo` panes: a few local programs, one behind a slow lossy link, one whose link drops now and then.
import type { Pane, PaneSource } from "./pane.js";

/** How often the flaky pane's link goes down and for how long (ms). */
export interface FlapTiming {
  /** Time the link stays up. */
  upMs: number;
  /** Time the link stays down (longer than the 6.5 s stall threshold, so the indicator shows). */
  downMs: number;
}

/** Default flapping: up 20 s, down 10 s. */
export const DEFAULT_FLAP: FlapTiming = { upMs: 20_000, downMs: 10_000 };

/** Label of the pane whose link flaps. */
export const FLAKY_LABEL = "flaky link";

/** The demo's panes. */
export function demoSources(): PaneSource[] {
  const shell = process.env.SHELL && process.env.SHELL.length > 0 ? process.env.SHELL : "/bin/sh";
  return [
    { kind: "local", label: "shell", command: [shell] },
    { kind: "local", label: "top", command: ["top", "-d", "1"] },
    {
      kind: "local",
      label: "shell @ 300ms rtt, 10% loss",
      command: [shell],
      link: { toServer: { delayMs: 150, loss: 0.1 }, toClient: { delayMs: 150, loss: 0.1 }, seed: 7 },
    },
    {
      kind: "local",
      label: FLAKY_LABEL,
      command: ["sh", "-c", "while :; do date '+%T tick'; sleep 1; done"],
      link: { toServer: {}, toClient: {}, seed: 11 },
    },
  ];
}

/** Cuts and restores the link of every pane labelled {@link FLAKY_LABEL}; returns a stop function. */
export function startFlapping(panes: readonly Pane[], timing: FlapTiming = DEFAULT_FLAP): () => void {
  const flaky = panes.filter((p) => p.label === FLAKY_LABEL && p.link);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const setDown = (down: boolean): void => {
    for (const p of flaky) p.link?.setProfile("both", down ? { down: true } : {});
    if (stopped) return;
    timer = setTimeout(() => setDown(!down), down ? timing.downMs : timing.upMs);
    timer.unref();
  };
  if (flaky.length > 0) {
    timer = setTimeout(() => setDown(true), timing.upMs);
    timer.unref();
  }
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
