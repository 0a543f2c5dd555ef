// Progress lines that appear only when the bootstrap is slow: nothing for the first few hundred milliseconds, nothing while a question is being asked.

/** How long the CLI stays silent before it shows what it is doing. */
export const PROGRESS_DELAY_MS = 300;

/**
 * Holds back progress lines until `delayMs` have passed since {@link start}; from then on shows
 * the step in progress and each later one as it comes. While a question is on the terminal
 * ({@link pause} … {@link resume}) nothing is written, and the clock starts again afterwards.
 * Disabled (for `-q`, or when stderr is not a terminal), it writes nothing at all.
 */
export class SlowProgress {
  readonly #write: (line: string) => void;
  readonly #delayMs: number;
  readonly #enabled: boolean;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #showing = false;
  #pending: string | null = null;
  #paused = 0;
  #stopped = false;

  constructor(write: (line: string) => void, options: { delayMs?: number; enabled: boolean }) {
    this.#write = write;
    this.#delayMs = options.delayMs ?? PROGRESS_DELAY_MS;
    this.#enabled = options.enabled;
  }

  /** Starts the clock. */
  start(): void {
    this.#arm();
  }

  /** A new step: written now if the bootstrap is already slow, else kept as the step in progress. */
  step(line: string): void {
    if (!this.#enabled || this.#stopped) return;
    if (this.#showing && this.#paused === 0) {
      this.#pending = null;
      this.#write(line);
    } else {
      this.#pending = line;
    }
  }

  /** A question is being asked: hold everything back. */
  pause(): void {
    this.#paused++;
    this.#clear();
  }

  /** The question was answered: the clock starts again. */
  resume(): void {
    if (this.#paused > 0) this.#paused--;
    if (this.#paused === 0) {
      this.#showing = false;
      this.#arm();
    }
  }

  /** The bootstrap is over: nothing more is written. */
  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  #arm(): void {
    this.#clear();
    if (!this.#enabled || this.#stopped || this.#paused > 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#showing = true;
      if (this.#pending !== null) {
        const line = this.#pending;
        this.#pending = null;
        this.#write(line);
      }
    }, this.#delayMs);
    this.#timer.unref?.();
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
