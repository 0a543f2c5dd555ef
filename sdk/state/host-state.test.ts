import { describe, expect, it } from "vitest";
import { visibleDifferences } from "../../test/helpers/screens.js";
import { Emulator } from "../terminal/emulator.js";
import { blankFrame, type Frame } from "../terminal/frame.js";
import { decodeHostMessage } from "../wire/messages.js";
import { HostState, LiveHostState } from "./host-state.js";
import { HostView } from "./host-view.js";
import { ScreenReplica } from "./screen-replica.js";

/** Runs `steps` through a server-side emulator and snapshots after each. */
async function frames(
  cols: number,
  rows: number,
  steps: ReadonlyArray<string | { readonly resize: readonly [number, number] }>,
): Promise<Frame[]> {
  const emu = new Emulator(cols, rows);
  const out: Frame[] = [emu.snapshot()];
  for (const s of steps) {
    if (typeof s === "string") await emu.write(s);
    else emu.resize(s.resize[0], s.resize[1]);
    out.push(emu.snapshot());
  }
  emu.dispose();
  return out;
}

/** Applies `to.diffFrom(from)` to the client's copy of `from` and materialises it with the client's emulator. */
async function throughClient(from: HostState, to: HostState): Promise<{ frame: Frame; echoAck: bigint }> {
  const base = new HostView(from.frame.cols, from.frame.rows, from.frame);
  base.echoAck = from.echoAck;
  const view = base.clone();
  view.applyDiff(to.diffFrom(from));
  const replica = new ScreenReplica(from.frame.cols, from.frame.rows);
  try {
    return { frame: await replica.materialize(view), echoAck: view.echoAck };
  } finally {
    replica.dispose();
  }
}

describe("HostState", () => {
  it("diff then apply on the client's emulator reproduces every screen of a session, step by step and from the start", async () => {
    const steps = [
      "$ ",
      "ls --color\r\n\x1b[1;34mdir\x1b[0m  \x1b[38;5;208mfile\x1b[0m  \x1b[38;2;10;20;30mtc\x1b[0m\r\n$ ",
      "\x1b]0;my title\x07",
      "中文 emoji 🎉 e\u0301 combining\r\n",
      "x".repeat(100),
      "\r\n".repeat(30) + "scrolled\r\n$ ",
      "\x1b[?1049h\x1b[H\x1b[2J\x1b[7mFULL SCREEN\x1b[0m\x1b[10;5H\x1b[41m   \x1b[0m\x1b[?25l",
      { resize: [100, 30] } as const,
      "\x1b[?25h\x1b[?1049l\x1b[?2004h\x07",
      { resize: [60, 20] } as const,
    ];
    const fs = await frames(80, 24, steps);
    for (let i = 1; i < fs.length; i++) {
      const prev = new HostState(fs[i - 1], BigInt(i - 1));
      const next = new HostState(fs[i], BigInt(i));
      const step = await throughClient(prev, next);
      expect(visibleDifferences(step.frame, fs[i]), `step ${i}`).toEqual([]);
      expect(step.echoAck).toBe(BigInt(i));
      const fromStart = await throughClient(new HostState(fs[0]), next);
      expect(visibleDifferences(fromStart.frame, fs[i]), `from the start to ${i}`).toEqual([]);
    }
  });

  it("orders the operations echoack, resize, hostbytes and omits what did not change", async () => {
    const [a, b] = await frames(80, 24, [{ resize: [100, 30] }]);
    const ops = new HostState(b, 7n).diffFrom(new HostState(a, 6n));
    expect(decodeHostMessage(ops).map((o) => o.kind)).toEqual(["echoack", "resize", "hostbytes"]);
    expect(decodeHostMessage(new HostState(a, 7n).diffFrom(new HostState(a, 6n)))).toEqual([
      { kind: "echoack", num: 7n },
    ]);
    expect(new HostState(a, 3n).diffFrom(new HostState(a, 3n)).length).toBe(0);
  });

  it("never puts a terminal query in HostBytes", async () => {
    const [a, b] = await frames(80, 24, ["before\x1b[6n\x1b[c\x1b[>c\x1b[5nafter"]);
    const ops = decodeHostMessage(new HostState(b).diffFrom(new HostState(a)));
    const bytes = ops
      .flatMap((o) => (o.kind === "hostbytes" ? [Buffer.from(o.bytes).toString("utf8")] : []))
      .join("");
    expect(bytes).toContain("beforeafter");
    expect(bytes).not.toMatch(/\x1b\[[0-9;>?]*[cn]/);
  });

  it("equality is frame equality plus echo ack; clones are cheap and independent", () => {
    const f = blankFrame(80, 24);
    const s = new HostState(f, 2n);
    const c = s.clone();
    expect(c).not.toBe(s);
    expect(c.frame).toBe(f);
    expect(c.equals(s)).toBe(true);
    expect(new HostState(blankFrame(80, 24), 2n).equals(s)).toBe(true);
    expect(new HostState(f, 3n).equals(s)).toBe(false);
    expect(new HostState(blankFrame(81, 24), 2n).equals(s)).toBe(false);
    expect(() => s.applyDiff(new Uint8Array([1]))).toThrow();
  });
});

describe("LiveHostState", () => {
  it("takes one snapshot per diff, however many changes came before it, and a stale state equals nothing", () => {
    let snapshots = 0;
    let current = blankFrame(80, 24);
    const source = {
      snapshot: () => {
        snapshots++;
        return current;
      },
    };
    const live = new LiveHostState(source, current);
    const base = live.clone();
    expect(live.equals(base)).toBe(true);
    expect(live.invalidate()).toBe(true);
    for (let i = 0; i < 100; i++) expect(live.invalidate()).toBe(false);
    current = current.with({ cursorCol: 5 });
    expect(live.equals(base)).toBe(false);
    expect(snapshots).toBe(0);
    expect(live.diffFrom(base).length).toBeGreaterThan(0);
    expect(live.diffFrom(base).length).toBeGreaterThan(0);
    const frozen = live.clone();
    expect(snapshots).toBe(1);
    expect(frozen.frame).toBe(current);
    expect(frozen.stale).toBe(false);
    expect(live.equals(frozen)).toBe(true);
  });

  it("the echo ack only grows", () => {
    const live = new LiveHostState({ snapshot: () => blankFrame(80, 24) }, blankFrame(80, 24));
    expect(live.setEchoAck(5n)).toBe(true);
    expect(live.setEchoAck(5n)).toBe(false);
    expect(live.setEchoAck(4n)).toBe(false);
    expect(live.echoAck).toBe(5n);
  });
});
