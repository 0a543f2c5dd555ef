// Turns received HostViews into Frames by running their host operations through one terminal emulator.

import { Emulator } from "../terminal/emulator.js";
import type { Frame } from "../terminal/frame.js";
import type { HostView } from "./host-view.js";

/**
 * The client's copy of the host screen (docs/mosh-protocol.md §8.2). One emulator is kept in step
 * with the newest materialised view; a view built on an older base (after loss or reordering)
 * is handled by loading that base's frame into the emulator first.
 */
export class ScreenReplica {
  private readonly emulator: Emulator;
  /**
   * The frame the emulator holds: its last snapshot (or load). A view whose base has this very
   * frame continues from the emulator as it is, hidden state included; any other base is loaded.
   */
  private loaded: Frame | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(cols: number, rows: number) {
    this.emulator = new Emulator(cols, rows);
  }

  /** Computes the frame of `view`; calls are serialised, each sees the emulator to itself. */
  materialize(view: HostView): Promise<Frame> {
    const run = this.queue.then(() => this.materializeNow(view));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async materializeNow(view: HostView): Promise<Frame> {
    if (view.frame) return view.frame;
    // Walk up to the nearest view that has a frame (the receiver's base is a copy of a
    // materialised view, so this is normally one step, to the frame the emulator holds).
    const chain: HostView[] = [];
    let node: HostView | null = view;
    while (node && !node.frame) {
      chain.push(node);
      node = node.parent;
    }
    if (!node) throw new Error("host view has no materialised ancestor");
    const base = node.frame!;
    if (base !== this.loaded) await this.emulator.load(base);
    // Until the snapshot below, the emulator holds no frame anyone has (a failed write leaves it so).
    this.loaded = null;
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const op of chain[i].ops) {
        if (op.kind === "resize") this.emulator.resize(op.cols, op.rows);
        else if (op.kind === "hostbytes") await this.emulator.write(op.bytes);
      }
    }
    const frame = this.emulator.snapshot();
    view.frame = frame;
    view.parent = null;
    view.ops = [];
    this.loaded = frame;
    return frame;
  }

  /** Releases the emulator. */
  dispose(): void {
    this.emulator.dispose();
  }
}
