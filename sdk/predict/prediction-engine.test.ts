// PredictionEngine with a fake clock: when predictions show, underline, get confirmed or repaired, and never corrupt the final screen.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Attr,
  type Frame,
  Frame as FrameClass,
  frameEquals,
  INITIAL_STATE,
  paletteColor,
  type Row,
  RowBuilder,
} from "../terminal/frame.js";
import { wcwidth } from "../terminal/wcwidth.js";
import { type DisplayPreference, PredictionEngine } from "./prediction-engine.js";

const COLS = 20;
const ROWS = 4;

/** A frame with `lines` of plain text and the cursor at `cursor`. */
function screen(lines: string[], cursor: [number, number], cols = COLS, rows = ROWS): Frame {
  const grid: Row[] = [];
  for (let y = 0; y < rows; y++) {
    const b = new RowBuilder(cols);
    const chars = Array.from(lines[y] ?? "");
    let x = 0;
    for (const ch of chars) {
      const w = wcwidth(ch.codePointAt(0)!) === 2 ? 2 : 1;
      if (x + w > cols) break;
      b.setCell(x, ch, w);
      x += w;
    }
    grid.push(b.build());
  }
  return new FrameClass(cols, rows, grid, { ...INITIAL_STATE, cursorRow: cursor[0], cursorCol: cursor[1] });
}

/**
 * Drives an engine as MoshSession does: each `type` is one read of keyboard input, sent as a new
 * client state; `server` delivers a frame with its echo ack. Time only moves through `advance`.
 * The engine follows mosh's rules exactly unless `prompt` turns prompt-confirmed epochs on.
 */
class Harness {
  readonly engine: PredictionEngine;
  now = 1000;
  /** Newest client state sent. */
  sent = 1;
  frame: Frame;

  constructor(
    frame: Frame,
    opts: { display?: DisplayPreference; overwrite?: boolean; sendInterval?: number; prompt?: boolean } = {},
  ) {
    this.engine = new PredictionEngine({
      display: opts.display ?? "adaptive",
      overwrite: opts.overwrite,
      confirmAtPrompt: opts.prompt ?? false,
    });
    this.engine.setSendInterval(opts.sendInterval ?? 150);
    this.frame = frame;
    this.engine.cull(frame, this.now);
  }

  /** Types `s` (one read); returns the number of the client state that carries it. */
  type(s: string): number {
    this.engine.setLocalFrameSent(this.sent);
    this.engine.newUserBytes(Buffer.from(s, "utf8"), this.frame, this.now);
    return ++this.sent;
  }

  server(frame: Frame, echoAck: number): void {
    this.frame = frame;
    this.engine.setLocalFrameLateAcked(echoAck);
    this.engine.cull(frame, this.now);
  }

  advance(ms: number): void {
    this.now += ms;
    this.engine.cull(this.frame, this.now);
  }

  view(): Frame {
    return this.engine.apply(this.frame);
  }
}

function text(f: Frame, y = 0): string {
  return f.row(y).toString();
}

function underlined(f: Frame, y: number, x: number): boolean {
  return (f.row(y).cellAttrs(x) & Attr.underline) !== 0;
}

/**
 * Types `e` at a prompt and lets the server echo it `rtt` ms later (default 100, under the
 * 250 ms glitch threshold), which confirms the first epoch.
 */
function confirmedPrompt(
  opts: { sendInterval?: number; display?: DisplayPreference; rtt?: number } = {},
): Harness {
  const h = new Harness(screen(["$ "], [0, 2]), opts);
  const n = h.type("e");
  expect(h.view()).toBe(h.frame); // the first keystroke of an epoch is tentative: not shown
  h.advance(opts.rtt ?? 100);
  h.server(screen(["$ e"], [0, 3]), n);
  return h;
}

describe("PredictionEngine: when predictions show", () => {
  it("at 300 ms RTT, typed characters appear at once (after the first of an epoch), underlined", () => {
    const h = confirmedPrompt({ sendInterval: 150 });
    h.type("c");
    h.type("h");
    h.type("o");
    const v = h.view();
    expect(text(v)).toBe("$ echo");
    expect([v.cursorRow, v.cursorCol]).toEqual([0, 6]);
    for (const x of [3, 4, 5]) expect(underlined(v, 0, x)).toBe(true);
    expect(underlined(v, 0, 2)).toBe(false); // the real, echoed "e"
    expect(h.engine.shownCells(h.frame)).toBe(3);
    expect(h.engine.predictedCursor(h.frame)).toEqual({ row: 0, col: 6 });
  });

  it("at 10 ms RTT, adaptive shows none", () => {
    const h = confirmedPrompt({ sendInterval: 20 });
    h.type("cho");
    h.advance(100);
    expect(h.view()).toBe(h.frame);
    expect(h.engine.shownCells(h.frame)).toBe(0);
    expect(h.engine.active).toBe(true); // computed, just not shown
  });

  it("always shows them at 10 ms RTT, without underline; never computes none", () => {
    const always = confirmedPrompt({ sendInterval: 20, display: "always" });
    always.type("cho");
    const v = always.view();
    expect(text(v)).toBe("$ echo");
    expect(underlined(v, 0, 3)).toBe(false);

    const never = new Harness(screen(["$ "], [0, 2]), { display: "never", sendInterval: 250 });
    never.type("echo");
    expect(never.engine.active).toBe(false);
    expect(never.view()).toBe(never.frame);
    expect(never.engine.waitTime()).toBe(Number.POSITIVE_INFINITY);
  });

  it("underline starts above the flag trigger (send interval > 80 ms) with hysteresis down to 50 ms", () => {
    const h = confirmedPrompt({ sendInterval: 60 }); // SRTT 120: shown, not underlined
    h.type("c");
    expect(text(h.view())).toBe("$ ec");
    expect(underlined(h.view(), 0, 3)).toBe(false);
    h.engine.setSendInterval(81);
    h.advance(10);
    expect(underlined(h.view(), 0, 3)).toBe(true);
    h.engine.setSendInterval(60); // inside the hysteresis band: still underlined
    h.advance(10);
    expect(underlined(h.view(), 0, 3)).toBe(true);
    h.engine.setSendInterval(50);
    h.advance(10);
    expect(underlined(h.view(), 0, 3)).toBe(false);
  });

  it("the SRTT trigger turns off only once nothing is predicted", () => {
    const h = confirmedPrompt({ sendInterval: 150 });
    const n = h.type("c");
    h.engine.setSendInterval(20);
    h.advance(10);
    expect(text(h.view())).toBe("$ ec"); // still shown: a prediction is active
    h.server(screen(["$ ec"], [0, 4]), n);
    h.advance(10);
    expect(h.engine.active).toBe(false);
    h.type("h");
    expect(h.view()).toBe(h.frame);
  });

  it("a glitch (a prediction pending 250 ms) shows predictions even at low RTT; 5 s also underlines", () => {
    const h = confirmedPrompt({ sendInterval: 20 });
    h.type("c");
    expect(h.view()).toBe(h.frame);
    expect(h.engine.waitTime()).toBe(50);
    h.advance(249);
    expect(h.view()).toBe(h.frame);
    h.advance(1);
    expect(text(h.view())).toBe("$ ec");
    expect(underlined(h.view(), 0, 3)).toBe(false);
    h.advance(4750); // pending 5 s: underlining turns on at the next check
    h.advance(1);
    expect(underlined(h.view(), 0, 3)).toBe(true);
    expect(h.engine.waitTime()).toBe(Number.POSITIVE_INFINITY); // every trigger has fired
  });

  it("quick confirmations cure the glitch trigger, at most one per 150 ms", () => {
    const h = confirmedPrompt({ sendInterval: 20 });
    let line = "$ e";
    let n = h.type("x");
    line += "x";
    h.advance(250); // glitch: shown
    h.server(screen([line], [0, line.length]), n);
    expect(h.engine.showing).toBe(true);
    for (let i = 0; i < 9; i++) {
      n = h.type("y");
      line += "y";
      h.advance(150);
      h.server(screen([line], [0, line.length]), n);
    }
    expect(h.engine.showing).toBe(true); // 9 quick confirmations: trigger at 1
    n = h.type("z");
    line += "z";
    h.advance(150);
    h.server(screen([line], [0, line.length]), n);
    expect(h.engine.showing).toBe(false);
  });
});

describe("PredictionEngine: epochs and confirmation", () => {
  it("experimental mode shows even the first keystroke", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { display: "experimental", sendInterval: 150 });
    h.type("e");
    expect(text(h.view())).toBe("$ e");
  });

  it("after CR the first keystroke of the new line is hidden until confirmed, then the rest shows", () => {
    const h = confirmedPrompt();
    h.type("c");
    const cr = h.type("\r");
    const v = h.view();
    expect(text(v)).toBe("$ ec");
    // CR starts a new epoch: the cursor move to the next line is tentative, so not shown
    expect([v.cursorRow, v.cursorCol]).toEqual([0, 4]);
    h.advance(300);
    h.server(screen(["$ ec", "$ "], [1, 2]), cr);
    const a = h.type("a");
    expect(h.view()).toBe(h.frame);
    h.advance(300);
    h.server(screen(["$ ec", "$ a"], [1, 3]), a);
    h.type("b");
    expect(text(h.view(), 1)).toBe("$ ab");
  });

  it("a confirmed prediction is retired and takes no effect on later frames", () => {
    const h = confirmedPrompt();
    const n = h.type("c");
    h.advance(300);
    h.server(screen(["$ ec"], [0, 4]), n);
    expect(h.engine.active).toBe(false);
    expect(h.engine.stats.confirmed).toBe(2);
    h.server(screen(["$ something else"], [0, 16]), n + 5);
    expect(h.view()).toBe(h.frame);
  });

  it("a prediction is only judged once the echo ack covers the state that carried it", () => {
    const h = confirmedPrompt();
    const n = h.type("c");
    h.advance(300);
    h.server(screen(["$ e"], [0, 3]), n - 1); // an older echo ack: still pending
    expect(text(h.view())).toBe("$ ec");
    expect(h.engine.stats.repaired).toBe(0);
  });

  it("wide characters and other unusual printables are not predicted and start a new epoch", () => {
    const h = confirmedPrompt();
    h.type("中");
    expect(h.view()).toBe(h.frame);
    h.type("x"); // tentative: the epoch of 中 is not confirmed
    expect(h.view()).toBe(h.frame);
  });

  it("up/down arrows and other escape sequences start a new epoch", () => {
    const h = confirmedPrompt();
    h.type("\x1b[A");
    h.type("x");
    expect(h.view()).toBe(h.frame);
  });

  it("a paste (a read of more than 100 bytes) is not predicted and resets predictions", () => {
    const h = confirmedPrompt();
    h.type("c");
    expect(h.engine.active).toBe(true);
    h.type("p".repeat(101));
    expect(h.engine.active).toBe(false);
    expect(h.view()).toBe(h.frame);
  });

  it("a resize resets everything", () => {
    const h = confirmedPrompt();
    h.type("c");
    h.server(screen(["$ e"], [0, 3], COLS + 5), 0);
    expect(h.engine.active).toBe(false);
  });
});

describe("PredictionEngine: repair", () => {
  it("a misprediction (the server shows something else) is removed at the first frame that echoes it", () => {
    const h = confirmedPrompt({ sendInterval: 150 });
    const n = h.type("cho");
    expect(text(h.view())).toBe("$ echo");
    h.advance(300); // one RTT
    h.server(screen(["$ eXYZ"], [0, 6]), n);
    expect(h.view()).toBe(h.frame);
    expect(h.engine.stats.repaired).toBe(1);
    expect(h.engine.active).toBe(false);
  });

  it("a wrong cursor prediction resets everything", () => {
    const h = confirmedPrompt();
    const n = h.type("c");
    h.advance(300);
    h.server(screen(["$ ec"], [2, 0]), n); // the right text, but the cursor went elsewhere
    expect(h.engine.active).toBe(false);
    expect(h.view()).toBe(h.frame);
  });

  it("at a no-echo password prompt, nothing is ever shown", () => {
    const prompt = "Password: ";
    const h = new Harness(screen([prompt], [0, prompt.length]), { sendInterval: 150 });
    let n = 0;
    for (const ch of "secret") {
      n = h.type(ch);
      expect(h.view()).toBe(h.frame);
      h.advance(300);
      h.server(screen([prompt], [0, prompt.length]), n);
      expect(h.view()).toBe(h.frame);
    }
    expect(h.engine.stats.repaired).toBe(0);
    expect(h.engine.stats.killedTentative).toBeGreaterThan(0);
  });

  it("when echo stops mid-line (stty -echo), predictions stop after the first miss", () => {
    const h = confirmedPrompt({ sendInterval: 150 });
    const n = h.type("x");
    expect(text(h.view())).toBe("$ ex"); // shown: the epoch was confirmed
    h.advance(300);
    h.server(screen(["$ e"], [0, 3]), n); // no echo
    expect(h.engine.stats.repaired).toBe(1);
    for (const ch of "yzw") {
      const m = h.type(ch);
      expect(h.view()).toBe(h.frame);
      h.advance(300);
      h.server(screen(["$ e"], [0, 3]), m);
      expect(h.view()).toBe(h.frame);
    }
    expect(h.engine.stats.repaired).toBe(1);
  });

  it("experimental mode resets only the wrong cell", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { display: "experimental", sendInterval: 150 });
    const a = h.type("a");
    const b = h.type("b");
    h.advance(300);
    h.server(screen(["$ X"], [0, 3]), a); // "a" wrong; "b" (state b) still pending
    expect(text(h.view())).toBe("$ Xb");
    expect(b).toBe(a + 1);
  });
});

describe("PredictionEngine: cursor movement, wrap, overwrite", () => {
  it("backspace and left/right arrows move the predicted cursor", () => {
    const h = confirmedPrompt();
    h.type("cho");
    expect(h.view().cursorCol).toBe(6);
    h.type("\x7f");
    expect(text(h.view())).toBe("$ ech");
    expect(h.view().cursorCol).toBe(5);
    h.type("\x1b[D");
    expect(h.view().cursorCol).toBe(4);
    h.type("\x1bOD"); // application cursor mode
    expect(h.view().cursorCol).toBe(3);
    h.type("\x1b[C");
    expect(h.view().cursorCol).toBe(4);
    h.type("X"); // inserted before "h"
    expect(text(h.view())).toBe("$ ecXh");
    expect(h.view().cursorCol).toBe(5);
    h.type("\x7f\x7f");
    expect(text(h.view())).toBe("$ eh");
    expect(h.view().cursorCol).toBe(3);
  });

  it("backspace at column 0 and left arrow at column 0 do nothing", () => {
    const h = new Harness(screen(["e"], [0, 1]), { display: "always" });
    const n = h.type("e");
    h.server(screen(["ee"], [0, 2]), n);
    h.type("\x1b[D\x1b[D\x1b[D");
    expect(h.view().cursorCol).toBe(0);
    h.type("\x7f");
    expect(h.view().cursorCol).toBe(0);
    expect(text(h.view())).toBe("ee");
  });

  it("inserting shifts the rest of the row right; the last column becomes unknown (underlined only)", () => {
    const line = "$ e".padEnd(COLS - 1, ".") + "Z";
    const h = new Harness(screen([line], [0, 3]), { sendInterval: 150 });
    const n = h.type("x");
    h.server(screen(["$ ex".padEnd(COLS, ".")], [0, 4]), n);
    h.type("\x1b[D");
    h.type("y");
    const v = h.view();
    expect(text(v)).toBe("$ eyx".padEnd(COLS, "."));
    expect(underlined(v, 0, COLS - 2)).toBe(false); // "." shifted in: equal to the real cell, left alone
    expect(underlined(v, 0, 4)).toBe(true);
  });

  it("typed characters take the renditions of the cell to their left", () => {
    const red = paletteColor(1);
    const b = new RowBuilder(COLS);
    b.setCell(0, "%", 1, Attr.bold, red);
    const f = new FrameClass(COLS, ROWS, [b.build(), ...screen([], [0, 0]).grid.slice(1)], {
      ...INITIAL_STATE,
      cursorCol: 1,
    });
    const h = new Harness(f, { display: "experimental", sendInterval: 20 });
    h.type("x");
    const row = h.view().row(0);
    expect(row.cellText(1)).toBe("x");
    expect(row.fg[1]).toBe(red);
    expect(row.cellAttrs(1)).toBe(Attr.bold);
  });

  it("typing into the last column wraps the predicted cursor to the next row (tentatively)", () => {
    const h = new Harness(screen(["12345678"], [0, 8], 10, 3), { display: "always" });
    const n = h.type("9");
    h.server(screen(["123456789"], [0, 9], 10, 3), n);
    h.type("0"); // last column: new epoch, then a CR/LF prediction in another one
    expect(h.view()).toBe(h.frame);
    expect(h.engine.active).toBe(true);
  });

  it("CR on the bottom row predicts a blank bottom row (scrolling is not predicted)", () => {
    const h = new Harness(screen(["a", "b", "$ ls"], [2, 4], 10, 3), { display: "experimental" });
    h.type("\r");
    const v = h.view();
    expect(text(v, 2)).toBe("");
    expect([v.cursorRow, v.cursorCol]).toEqual([2, 0]);
  });

  it("overwrite mode replaces the cell under the cursor; backspace predicts a space", () => {
    const h = new Harness(screen(["$ abcd"], [0, 3]), { display: "experimental", overwrite: true });
    h.type("X");
    expect(text(h.view())).toBe("$ aXcd");
    h.type("\x7f");
    expect(text(h.view())).toBe("$ a cd");
    expect(h.view().cursorCol).toBe(3);
  });

  it("overwriting half of a wide character leaves no orphan half", () => {
    const h = new Harness(screen(["$ 中文"], [0, 2]), { display: "experimental", overwrite: true });
    h.type("x");
    const v = h.view();
    expect(text(v)).toBe("$ x 文");
    expect([v.row(0).cellWidth(2), v.row(0).cellWidth(3), v.row(0).cellWidth(4)]).toEqual([1, 1, 2]);
  });

  it("insert mode keeps wide characters whole when shifting them", () => {
    const h = new Harness(screen(["$ 中文"], [0, 2]), { display: "experimental" });
    h.type("x");
    const v = h.view();
    expect(text(v)).toBe("$ x中文");
    expect(v.row(0).cellWidth(3)).toBe(2);
    expect(v.row(0).cellWidth(4)).toBe(0);
  });
});

describe("PredictionEngine: prompt-confirmed epochs (confirmAtPrompt, not in mosh)", () => {
  it("is on by default and can be turned off", () => {
    expect(new PredictionEngine().confirmAtPrompt).toBe(true);
    expect(new PredictionEngine({ confirmAtPrompt: false }).confirmAtPrompt).toBe(false);
  });

  it("at 300 ms RTT at a `$ ` prompt, the first typed character shows at once, underlined", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { sendInterval: 150, prompt: true });
    const n = h.type("e");
    let v = h.view();
    expect(text(v)).toBe("$ e");
    expect(underlined(v, 0, 2)).toBe(true);
    expect([v.cursorRow, v.cursorCol]).toEqual([0, 3]);
    h.type("c");
    expect(text(h.view())).toBe("$ ec");
    expect(h.engine.stats.promptConfirmed).toBe(1);
    // the echo arrives one RTT later and confirms it, as in mosh
    h.advance(300);
    h.server(screen(["$ e"], [0, 3]), n);
    v = h.view();
    expect(text(v)).toBe("$ ec");
    expect(underlined(v, 0, 2)).toBe(false);
    expect(h.engine.stats.confirmed).toBe(1);
    expect(h.engine.stats.repaired).toBe(0);
  });

  it("the same with mosh's rules (confirmAtPrompt: false) shows nothing until the echo", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { sendInterval: 150, prompt: false });
    h.type("e");
    expect(h.view()).toBe(h.frame);
  });

  it("other prompts qualify: root, zsh, a REPL, a user@host prompt", () => {
    for (const p of ["# ", "% ", ">>> ", "❯ ", "u@h:~/src$ "]) {
      const h = new Harness(screen([p], [0, p.length]), { sendInterval: 150, prompt: true });
      h.type("x");
      expect(text(h.view())).toBe(`${p}x`);
    }
  });

  for (const prompt of [
    "Password: ",
    "Enter passphrase for key '/home/u/.ssh/id_ed25519': ",
    "[sudo] password for x: ",
  ]) {
    it(`at ${JSON.stringify(prompt)}, nothing typed is ever shown`, () => {
      const h = new Harness(screen([prompt], [0, prompt.length], 60), { sendInterval: 150, prompt: true });
      for (const ch of "hunter2") {
        const n = h.type(ch);
        expect(h.view()).toBe(h.frame);
        h.advance(100);
        expect(h.view()).toBe(h.frame);
        h.advance(200);
        h.server(screen([prompt], [0, prompt.length], 60), n);
        expect(h.view()).toBe(h.frame);
      }
      expect(h.engine.stats.promptConfirmed).toBe(0);
      expect(h.engine.stats.repaired).toBe(0);
    });
  }

  it("a prompt with text after the cursor, or the cursor hidden, does not qualify", () => {
    const after = new Harness(screen(["$ ls"], [0, 2]), { sendInterval: 150, prompt: true });
    after.type("x");
    expect(after.view()).toBe(after.frame);
    const hidden = screen(["$ "], [0, 2]).with({ cursorVisible: false });
    const h = new Harness(hidden, { sendInterval: 150, prompt: true });
    h.type("x");
    expect(h.view()).toBe(h.frame);
  });

  it("after CR the next epoch is tentative until the new prompt frame arrives, then shows at once", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { sendInterval: 150, prompt: true });
    h.type("l");
    const s = h.type("s");
    const cr = h.type("\r");
    let v = h.view();
    expect(text(v)).toBe("$ ls");
    expect([v.cursorRow, v.cursorCol]).toEqual([0, 4]); // the CR's cursor move is tentative
    h.advance(300);
    h.server(screen(["$ ls"], [0, 4]), s); // the echo of "ls", not yet of the CR
    expect(text(h.view())).toBe("$ ls");
    h.server(screen(["$ ls", "a.txt"], [2, 0]), cr); // the CR's answer, but no prompt yet
    expect(h.engine.stats.promptConfirmed).toBe(1);
    const next = ["$ ls", "a.txt", "$ "];
    h.server(screen(next, [2, 2]), cr);
    expect(h.engine.stats.promptConfirmed).toBe(2);
    h.type("p");
    v = h.view();
    expect(text(v, 2)).toBe("$ p");
    expect([v.cursorRow, v.cursorCol]).toEqual([2, 3]);
    expect(h.engine.stats.repaired).toBe(0);
  });

  it("keys typed before the new prompt arrives stay hidden until the server confirms them (mosh's rule)", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { sendInterval: 150, prompt: true });
    const cr = h.type("\r");
    const a = h.type("a");
    expect(h.view()).toBe(h.frame);
    h.advance(300);
    h.server(screen(["$ ", "$ "], [1, 2]), cr); // the prompt, but "a" is not answered yet
    expect(h.view()).toBe(h.frame);
    expect(h.engine.stats.promptConfirmed).toBe(1); // only the first prompt
    h.server(screen(["$ ", "$ a"], [1, 3]), a); // "a" was predicted at column 0: wrong, never shown
    expect(h.view()).toBe(h.frame);
    expect(h.engine.stats.repaired).toBe(0);
    const b = h.type("b");
    expect(h.view()).toBe(h.frame); // a new tentative epoch after the killed one
    h.advance(300);
    h.server(screen(["$ ", "$ ab"], [1, 4]), b);
    h.type("c");
    expect(text(h.view(), 1)).toBe("$ abc");
  });

  it("after an escape sequence or another control key, a prompt does not confirm the epoch", () => {
    for (const key of ["\x1bb", "\x1b[A", "\x16", "\t"]) {
      const h = new Harness(screen(["$ "], [0, 2]), { sendInterval: 150, prompt: true });
      const n = h.type(key);
      h.advance(300);
      h.server(screen(["$ "], [0, 2]), n); // nothing visible changed (vi mode, no history, quoted insert)
      h.type("k");
      expect(h.view()).toBe(h.frame);
    }
  });

  it("Ctrl-C counts as Enter: its new prompt confirms the epoch", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { sendInterval: 150, prompt: true });
    h.type("x");
    const n = h.type("\x03");
    h.advance(300);
    h.server(screen(["$ x^C", "$ "], [1, 2]), n);
    h.type("y");
    expect(text(h.view(), 1)).toBe("$ y");
  });

  it("a prompt frame that does not yet answer every key typed is not trusted", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { sendInterval: 150, prompt: true });
    const c = h.type("\x03"); // Ctrl-C: no cell or cursor prediction, but its new prompt is on its way
    const y = h.type("y");
    expect(h.view()).toBe(h.frame); // the old "$ " is stale: "y" would go to the wrong row
    h.advance(300);
    h.server(screen(["$ ^C", "$ "], [1, 2]), c);
    expect(h.view()).toBe(h.frame);
    h.server(screen(["$ ^C", "$ y"], [1, 3]), y);
    expect(h.view()).toBe(h.frame);
    expect(h.engine.stats.repaired).toBe(0);
  });

  it("a wrong guess (a prompt-looking line that does not echo) is removed within one RTT and stops the guessing", () => {
    const fake = screen(["$ "], [0, 2]);
    const h = new Harness(fake, { sendInterval: 150, prompt: true });
    const n = h.type("s");
    expect(text(h.view())).toBe("$ s"); // the guess: shown
    h.advance(300); // one RTT: the frame that answers "s" shows no echo
    h.server(fake, n);
    expect(h.view()).toBe(h.frame);
    expect(h.engine.stats.repaired).toBe(1);
    expect(h.engine.stats.promptWrong).toBe(1);
    expect(h.engine.active).toBe(false);
    // as mosh after a repair: the rest of the secret is never shown
    let m = 0;
    for (const ch of "ecret") {
      m = h.type(ch);
      expect(h.view()).toBe(h.frame);
      h.advance(300);
      h.server(fake, m);
      expect(h.view()).toBe(h.frame);
    }
    // and the next prompt-looking line after Enter is not trusted either
    const cr = h.type("\r");
    h.advance(300);
    const next = screen(["$ ", "$ "], [1, 2]);
    h.server(next, cr);
    const x = h.type("x");
    expect(h.view()).toBe(h.frame);
    expect(h.engine.stats.promptConfirmed).toBe(1);
    // until the server confirms a prediction again
    h.advance(300);
    h.server(screen(["$ ", "$ x"], [1, 3]), x);
    const cr2 = h.type("\r");
    h.advance(300);
    h.server(screen(["$ ", "$ x", "$ "], [2, 2]), cr2);
    h.type("y");
    expect(text(h.view(), 2)).toBe("$ y");
    expect(h.engine.stats.promptConfirmed).toBe(2);
  });

  it("at low RTT, adaptive still shows nothing (the SRTT trigger is mosh's)", () => {
    const h = new Harness(screen(["$ "], [0, 2]), { sendInterval: 20, prompt: true });
    h.type("e");
    expect(h.view()).toBe(h.frame);
    expect(h.engine.stats.promptConfirmed).toBe(1);
  });
});

/** A tiny line editor on the server side: what a shell does with the keystrokes (optionally without echo). */
class LineEditor {
  line: string;
  cursor: number;
  row = 0;
  lines: string[] = [];
  echo = true;

  constructor(
    readonly cols: number,
    readonly rows: number,
    readonly prompt = "$ ",
  ) {
    this.line = prompt;
    this.cursor = prompt.length;
  }

  key(k: string): void {
    const p = this.prompt.length;
    if (k === "\r") {
      this.lines.push(this.line);
      if (this.lines.length >= this.rows) this.lines.shift();
      this.line = this.prompt;
      this.cursor = p;
    } else if (k === "\x7f") {
      if (this.cursor > p && this.echo) {
        this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
        this.cursor--;
      }
    } else if (k === "\x1b[D") {
      if (this.cursor > p && this.echo) this.cursor--;
    } else if (k === "\x1b[C") {
      if (this.cursor < this.line.length && this.echo) this.cursor++;
    } else if (this.echo && this.line.length < this.cols - 1) {
      this.line = this.line.slice(0, this.cursor) + k + this.line.slice(this.cursor);
      this.cursor++;
    }
  }

  frame(): Frame {
    return screen([...this.lines, this.line], [this.lines.length, this.cursor], this.cols, this.rows);
  }
}

/** Engine settings the property tests range over: display, overwrite, send interval (ms), prompt rule. */
const ENGINE_CONFIG = [
  fc.constantFrom<DisplayPreference>("adaptive", "always", "experimental"),
  fc.boolean(),
  fc.integer({ min: 20, max: 250 }),
  fc.boolean(),
] as const;

describe("PredictionEngine: predictions never corrupt the final screen", () => {
  const key = fc.constantFrom("a", "b", " ", "\x7f", "\x1b[D", "\x1b[C", "\r", "中", "\x03");
  const step = fc.record({
    keys: fc.array(key, { minLength: 1, maxLength: 3 }),
    delay: fc.integer({ min: 0, max: 400 }),
    deliver: fc.boolean(),
    toggleEcho: fc.boolean(),
  });
  it("once the server has echoed everything, the view is exactly the server's frame", () => {
    const seen = { confirmed: 0, repaired: 0, killed: 0, promptConfirmed: 0, promptWrong: 0 };
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 40 }),
        ...ENGINE_CONFIG,
        (steps, display, overwrite, sendInterval, prompt) => {
          const ed = new LineEditor(16, 4);
          const h = new Harness(ed.frame(), { display, overwrite, sendInterval, prompt });
          let applied = 0;
          let lastSent = 0;
          for (const s of steps) {
            for (const k of s.keys) {
              lastSent = h.type(k);
              if (s.toggleEcho && k === "\r") ed.echo = !ed.echo;
              ed.key(k);
            }
            h.advance(s.delay);
            if (s.deliver) {
              applied = lastSent;
              h.server(ed.frame(), applied);
            }
            // whatever is shown stays a well-formed screen of the right size
            const v = h.view();
            expect([v.cols, v.rows]).toEqual([16, 4]);
          }
          h.advance(1000);
          h.server(ed.frame(), lastSent);
          h.server(ed.frame(), lastSent);
          expect(frameEquals(h.view(), h.frame)).toBe(true);
          seen.confirmed += h.engine.stats.confirmed;
          seen.repaired += h.engine.stats.repaired;
          seen.killed += h.engine.stats.killedTentative;
          seen.promptConfirmed += h.engine.stats.promptConfirmed;
          seen.promptWrong += h.engine.stats.promptWrong;
        },
      ),
      { seed: 5, numRuns: 300 },
    );
    // the runs did exercise confirmation and both kinds of repair, and prompt guesses both ways
    expect(seen.confirmed).toBeGreaterThan(0);
    expect(seen.repaired).toBeGreaterThan(0);
    expect(seen.killed).toBeGreaterThan(0);
    expect(seen.promptConfirmed).toBeGreaterThan(0);
    expect(seen.promptWrong).toBeGreaterThan(0);
  });

  it("at a password prompt, prompt-confirmed epochs change nothing: every view is mosh's", () => {
    const prompts = [
      "Password: ",
      "Enter passphrase for key '/home/u/.ssh/id_ed25519': ",
      "[sudo] password for x: ",
    ];
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...prompts),
        fc.constantFrom<DisplayPreference>("adaptive", "always"),
        fc.integer({ min: 20, max: 250 }),
        (steps, prompt, display, sendInterval) => {
          const ed = new LineEditor(60, 4, prompt);
          ed.echo = false;
          const ours = new Harness(ed.frame(), { display, sendInterval, prompt: true });
          const mosh = new Harness(ed.frame(), { display, sendInterval, prompt: false });
          let lastSent = 0;
          for (const s of steps) {
            for (const k of s.keys) {
              lastSent = ours.type(k);
              mosh.type(k);
              ed.key(k);
            }
            ours.advance(s.delay);
            mosh.advance(s.delay);
            if (s.deliver) {
              ours.server(ed.frame(), lastSent);
              mosh.server(ed.frame(), lastSent);
            }
            expect(frameEquals(ours.view(), mosh.view())).toBe(true);
            expect(ours.engine.shownCells(ours.frame)).toBe(0);
          }
          expect(ours.engine.stats.promptConfirmed).toBe(0);
        },
      ),
      { seed: 9, numRuns: 200 },
    );
  });
});

describe("PredictionEngine.printPreview", () => {
  const key = fc.constantFrom("a", "b", "x", " ", "\x7f", "\x1b[D", "\x1b[C", "\r", "中", "\x1b");
  const step = fc.record({
    keys: fc.array(key, { minLength: 1, maxLength: 3 }),
    delay: fc.integer({ min: 0, max: 400 }),
    deliver: fc.boolean(),
  });
  it("says exactly what typing a printable character then drawing would change, whenever it says anything", () => {
    let previewed = 0;
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 40 }),
        ...ENGINE_CONFIG,
        (steps, display, overwrite, sendInterval, prompt) => {
          const ed = new LineEditor(16, 4);
          const h = new Harness(ed.frame(), { display, overwrite, sendInterval, prompt });
          let lastSent = 0;
          for (const s of steps) {
            for (const k of s.keys) {
              const preview = h.engine.printPreview(h.frame, h.now);
              const before = h.view();
              lastSent = h.type(k);
              ed.key(k);
              if (preview === null || !/^[!-~]$/.test(k)) continue;
              previewed++;
              const after = h.view();
              expect([before.cursorRow, before.cursorCol]).toEqual([preview.row, preview.col]);
              expect([after.cursorRow, after.cursorCol]).toEqual([preview.row, preview.col + 1]);
              const b = RowBuilder.from(before.row(preview.row));
              b.setCell(preview.col, k, 1, preview.attrs, preview.fg, preview.bg);
              const expected = before.with(
                { cursorRow: preview.row, cursorCol: preview.col + 1 },
                before.grid.map((r, y) => (y === preview.row ? b.build() : r)),
              );
              expect(frameEquals(after, expected)).toBe(true);
            }
            h.advance(s.delay);
            if (s.deliver) h.server(ed.frame(), lastSent);
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
    expect(previewed).toBeGreaterThan(100);
  });

  it("is null while an escape sequence is being typed, and when predictions are not shown", () => {
    const h = confirmedPrompt({ sendInterval: 150 });
    expect(h.engine.printPreview(h.frame, h.now)).toMatchObject({ row: 0, col: 3 });
    h.type("\x1b");
    expect(h.engine.printPreview(h.frame, h.now)).toBeNull();
    const never = new Harness(screen(["$ "], [0, 2]), { display: "never" });
    expect(never.engine.printPreview(never.frame, never.now)).toBeNull();
  });
});
