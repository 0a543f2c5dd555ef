// Test-only synchronised state: an append-only list of 32-bit numbers (so transport tests need no state layer).
import type { SyncState } from "./sync-state.js";

/**
 * An append-only list of uint32 items. Its diff is `base length (4, BE) || new items (4 each, BE)`;
 * `applyDiff` throws unless the diff starts exactly at this list's length.
 */
export class ListState implements SyncState<ListState> {
  /** The items, oldest first. */
  items: number[];
  /** How many times `subtract` was called (to observe the sender's pruning). */
  subtractCalls = 0;

  constructor(items: number[] = []) {
    this.items = items;
  }

  /** Appends items. */
  push(...xs: number[]): this {
    for (const x of xs) this.items.push(x >>> 0);
    return this;
  }

  clone(): ListState {
    return new ListState(this.items.slice());
  }

  diffFrom(base: ListState): Uint8Array {
    const from = base.items.length;
    if (from >= this.items.length) return new Uint8Array(0);
    const out = new DataView(new ArrayBuffer(4 + 4 * (this.items.length - from)));
    out.setUint32(0, from);
    for (let i = from; i < this.items.length; i++) out.setUint32(4 + 4 * (i - from), this.items[i]);
    return new Uint8Array(out.buffer);
  }

  applyDiff(diff: Uint8Array): void {
    if (diff.length === 0) return;
    if (diff.length < 4 || diff.length % 4 !== 0) throw new RangeError("malformed list diff");
    const v = new DataView(diff.buffer, diff.byteOffset, diff.byteLength);
    if (v.getUint32(0) !== this.items.length)
      throw new RangeError("list diff does not start at this list's end");
    for (let o = 4; o < diff.length; o += 4) this.items.push(v.getUint32(o));
  }

  equals(other: ListState): boolean {
    return this.items.length === other.items.length;
  }

  subtract(_acknowledged: ListState): void {
    this.subtractCalls++;
  }
}
