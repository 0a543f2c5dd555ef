// The client's synchronised copy of the server's state: the screen as a chain of host operations plus the echo ack.

import type { Frame } from "../terminal/frame.js";
import { validScreenSize } from "../terminal/window-size.js";
import type { SyncState } from "../transport/sync-state.js";
import { decodeHostMessage, encodeHostMessage, type HostOp } from "../wire/messages.js";

/**
 * One received server state, as the client holds it. Applying HostBytes needs the terminal
 * emulator, which works asynchronously, so a HostView records the operations on top of its
 * base (`parent`) and the {@link ScreenReplica} turns it into a {@link Frame} on demand. The
 * echo ack and the size are tracked eagerly.
 */
export class HostView implements SyncState<HostView> {
  /** The server's echo ack (docs/mosh-protocol.md §8.3): newest client state whose echo is in this screen. */
  echoAck = 0n;
  /** Screen size as the server last declared it. */
  cols: number;
  rows: number;
  /** The base this view's `ops` apply to; null once materialised. */
  parent: HostView | null = null;
  /** Operations on top of `parent`. */
  ops: HostOp[] = [];
  /** The materialised screen, once computed (then `parent` and `ops` are dropped). */
  frame: Frame | null = null;

  constructor(cols: number, rows: number, frame: Frame | null = null) {
    this.cols = cols;
    this.rows = rows;
    this.frame = frame;
  }

  clone(): HostView {
    const c = new HostView(this.cols, this.rows);
    c.echoAck = this.echoAck;
    if (this.frame && this.ops.length === 0) {
      c.frame = this.frame;
    } else {
      c.parent = this;
    }
    return c;
  }

  /** The client never sends its copy of the screen; diffs are only ever applied. */
  diffFrom(base: HostView): Uint8Array {
    const ops: HostOp[] = [];
    if (base.echoAck !== this.echoAck) ops.push({ kind: "echoack", num: this.echoAck });
    return ops.length ? encodeHostMessage(ops) : new Uint8Array(0);
  }

  applyDiff(diff: Uint8Array): void {
    if (diff.length === 0) return;
    const ops = decodeHostMessage(diff);
    for (const op of ops) {
      if (op.kind === "echoack") {
        // The echo ack never goes backwards (mosh asserts this); ignore a regression.
        if (op.num > this.echoAck) this.echoAck = op.num;
        continue;
      }
      if (op.kind === "resize" && !validScreenSize(op.cols, op.rows)) continue;
      if (this.frame) {
        this.parent = new HostView(this.cols, this.rows, this.frame);
        this.frame = null;
      }
      if (op.kind === "resize") {
        this.cols = op.cols;
        this.rows = op.rows;
      }
      this.ops.push(op);
    }
  }

  equals(other: HostView): boolean {
    return (
      this === other || (this.frame !== null && this.frame === other.frame && this.echoAck === other.echoAck)
    );
  }
}
