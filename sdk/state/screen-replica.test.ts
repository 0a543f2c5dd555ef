// Tests of ScreenReplica: received host views become frames, continuing on one emulator as mosh's client does.
import { afterEach, describe, expect, it } from "vitest";
import { blankFrame } from "../terminal/frame.js";
import { encodeHostMessage } from "../wire/messages.js";
import { HostView } from "./host-view.js";
import { ScreenReplica } from "./screen-replica.js";

const utf8 = new TextEncoder();
let replica: ScreenReplica | null = null;
afterEach(() => {
  replica?.dispose();
  replica = null;
});

/** A copy of `base` with `text` as host bytes applied, as the receiver builds a new state. */
function next(base: HostView, text: string, echoAck?: bigint): HostView {
  const v = base.clone();
  const ops = [];
  if (echoAck !== undefined) ops.push({ kind: "echoack" as const, num: echoAck });
  ops.push({ kind: "hostbytes" as const, bytes: utf8.encode(text) });
  v.applyDiff(encodeHostMessage(ops));
  return v;
}

const trimmed = (lines: string[]) => lines.map((l) => l.trimEnd());

describe("ScreenReplica", () => {
  it("continues each state on the emulator that made its base, hidden state included (as mosh's client)", async () => {
    replica = new ScreenReplica(10, 5);
    const v0 = new HostView(10, 5, blankFrame(10, 5));
    // Five rows of text, then a scrolling region over rows 2..4 with the cursor on its last row.
    const v1 = next(v0, "a\r\nb\r\nc\r\nd\r\ne\x1b[2;4r\x1b[4;1H", 1n);
    expect(trimmed((await replica.materialize(v1)).lines())).toEqual(["a", "b", "c", "d", "e"]);
    expect(v1.echoAck).toBe(1n);
    // A line feed at the bottom of the region scrolls the region only: the region (state no
    // frame shows) carried over from the previous state.
    const v2 = next(v1, "\nX");
    expect(trimmed((await replica.materialize(v2)).lines())).toEqual(["a", "c", "d", "X", "e"]);
    // The next state's base is the view just materialised: no parent chain is left behind.
    expect(v2.parent).toBeNull();
    expect(v2.ops).toEqual([]);
  });

  it("materialises a view built on an older state (after loss or a rebased diff) from that state's frame", async () => {
    replica = new ScreenReplica(10, 3);
    const v0 = new HostView(10, 3, blankFrame(10, 3));
    const v1 = next(v0, "one");
    await replica.materialize(v1);
    const v2 = next(v1, "\r\ntwo");
    expect(trimmed((await replica.materialize(v2)).lines())).toEqual(["one", "two", ""]);
    // The server's next diff is from state 1 (the one we acknowledged), not from state 2.
    const v3 = next(v1, "\r\nTWO\r\nthree");
    expect(trimmed((await replica.materialize(v3)).lines())).toEqual(["one", "TWO", "three"]);
    // And the newest again, on top of that.
    const v4 = next(v3, "!");
    expect(trimmed((await replica.materialize(v4)).lines())).toEqual(["one", "TWO", "three!"]);
  });

  it("materialises a chain of views not yet materialised, oldest first", async () => {
    replica = new ScreenReplica(10, 2);
    const v0 = new HostView(10, 2, blankFrame(10, 2));
    const v1 = next(v0, "ab");
    const v2 = next(v1, "cd");
    const v3 = next(v2, "ef");
    expect(trimmed((await replica.materialize(v3)).lines())).toEqual(["abcdef", ""]);
    expect(trimmed((await replica.materialize(v1)).lines())).toEqual(["ab", ""]);
  });
});
