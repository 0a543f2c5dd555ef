// MoshSession's overlays over a simulated 300 ms link: predictions, the predict event, the notification bar, stall/resume.
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock, SimNetwork } from "../../test/helpers/sim-network.js";
import { SessionKey } from "../crypto/session-key.js";
import { EchoAckTracker } from "../state/echo-ack.js";
import { HostState } from "../state/host-state.js";
import { UserStream } from "../state/user-stream.js";
import {
  Attr,
  blankFrame,
  type Frame,
  Frame as FrameClass,
  frameEquals,
  INITIAL_STATE,
  type Row,
  RowBuilder,
} from "../terminal/frame.js";
import { Transport } from "../transport/transport.js";
import { MoshSession, type MoshSessionOptions, type PredictInfo } from "./mosh-session.js";

const COLS = 40;
const ROWS = 6;

/** A one-line shell: prints typed characters after "$ " (unless echo is off or it garbles them), DEL erases, CR starts a new prompt. */
class LineShell {
  lines: string[] = [];
  line = "$ ";
  echo = true;
  /** Echo letters in upper case (a server that shows something other than what was typed). */
  garble = false;

  feed(keys: Uint8Array): void {
    for (const b of keys) {
      if (b === 0x0d) {
        this.lines.push(this.line);
        this.line = "$ ";
      } else if (b === 0x7f) {
        if (this.line.length > 2 && this.echo) this.line = this.line.slice(0, -1);
      } else if (b >= 0x20 && b < 0x7f && this.echo) {
        const ch = String.fromCharCode(b);
        this.line += this.garble ? ch.toUpperCase() : ch;
      }
    }
  }

  frame(): Frame {
    const all = [...this.lines, this.line].slice(-ROWS);
    const grid: Row[] = [];
    for (let y = 0; y < ROWS; y++) {
      const b = new RowBuilder(COLS);
      const s = all[y] ?? "";
      for (let x = 0; x < s.length; x++) b.setCell(x, s[x], 1);
      grid.push(b.build());
    }
    const cy = all.length - 1;
    return new FrameClass(COLS, ROWS, grid, { ...INITIAL_STATE, cursorRow: cy, cursorCol: all[cy].length });
  }
}

/** A server end speaking the real protocol, with mosh-server's echo ack (50 ms after input), around a {@link LineShell}. */
async function startServer(clock: FakeClock, net: SimNetwork, key: SessionKey) {
  const shell = new LineShell();
  const echo = new EchoAckTracker();
  const server = await Transport.open<HostState, UserStream>({
    role: "server",
    key,
    clock,
    network: net,
    initialLocal: new HostState(blankFrame(COLS, ROWS)),
    initialRemote: new UserStream(),
    bindAddress: "127.0.0.1",
  });
  let consumed = 0;
  const publish = () => server.setCurrentState(new HostState(shell.frame(), echo.echoAck));
  server.on("remote-state", (num, state) => {
    if (num === 0xffffffffffffffffn) return;
    const now = clock.now();
    let input = false;
    for (const ev of state.eventsSince(consumed)) {
      if (ev.kind === "keys") {
        shell.feed(ev.keys);
        input = true;
      }
    }
    consumed = state.length;
    if (input) echo.registerInputFrame(num, now);
    publish();
    const wait = echo.waitTime(now);
    if (Number.isFinite(wait))
      clock.setTimer(wait, () => {
        if (echo.setEchoAck(clock.now())) publish();
      });
  });
  return { server, shell, port: server.localEndpoint.port };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const realTick = () => new Promise((r) => setTimeout(r, 1));

/** A session over a link with `delay` ms each way, to a line shell. */
async function setup(delay: number, opts: Partial<MoshSessionOptions> = {}) {
  const clock = new FakeClock();
  const net = new SimNetwork(clock, { seed: 7, defaults: { delay } });
  const key = SessionKey.generate();
  const { server, shell, port } = await startServer(clock, net, key);
  const session = new MoshSession({
    host: "127.0.0.1",
    port,
    key,
    cols: COLS,
    rows: ROWS,
    clock,
    network: net,
    ...opts,
  });
  cleanups.push(() => server.close());
  cleanups.push(async () => {
    if (!session.exitInfo) {
      const done = session.close();
      for (let i = 0; i < 400 && !session.exitInfo; i++) await pass(50);
      await done;
    }
  });
  /** Moves fake time forward in small steps, letting the emulator's real-time work finish in between. */
  async function pass(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 10) {
      await clock.advanceAsync(Math.min(10, ms - t), 10);
      await realTick();
    }
  }
  /** Passes fake time until `cond` holds (at most `limit` ms). */
  async function until(cond: () => boolean, limit = 10_000): Promise<void> {
    for (let t = 0; t < limit && !cond(); t += 10) await pass(10);
    expect(cond()).toBe(true);
  }
  return { clock, net, session, shell, server, pass, until };
}

async function connected(delay: number, opts: Partial<MoshSessionOptions> = {}) {
  const env = await setup(delay, opts);
  const { session, pass, until } = env;
  const c = session.connect();
  await until(() => session.connected);
  await c;
  await until(() => session.screen().row(0).toString() === "$");
  await pass(2000); // let the RTT estimate settle
  return env;
}

const row0 = (f: Frame) => f.row(0).toString();

describe("MoshSession renderIntervalMs", () => {
  it("takes at most one screen per interval from the server's states, always the newest", async () => {
    const { session, pass, until } = await connected(5);
    const screens: string[] = [];
    session.on("screen", (f) => screens.push(row0(f)));
    session.renderIntervalMs = 400;
    for (const ch of "abcdef") {
      session.write(ch);
      await pass(40);
    }
    // Six echoes arrived within 240 ms: at most the first went straight to the screen.
    expect(screens.length).toBeLessThanOrEqual(1);
    await until(() => row0(session.screen()) === "$ abcdef");
    expect(screens.length).toBeLessThanOrEqual(2);
    // Back to 0: a pending state is shown at once.
    session.write("g");
    await pass(30);
    session.renderIntervalMs = 0;
    await until(() => row0(session.screen()) === "$ abcdefg", 50);
  });
});

describe("MoshSession rtt", () => {
  it("follows the link while idle: the server's heartbeats echo ours, srtt and the rtt event follow", async () => {
    const { session, pass, net } = await connected(150);
    expect(session.srtt).toBeGreaterThan(250);
    const seen: number[] = [];
    session.on("rtt", (ms) => seen.push(ms));
    // The link gets fast; nothing is typed and the screen does not change (heartbeats only).
    net.setConditions({ delay: 2 });
    await pass(60_000);
    // One sample per heartbeat (3 s), each 4 ms, smoothed by 7/8: 300 ms is down to ~25.
    expect(session.srtt).toBeLessThan(50);
    // The changes were told, the last one being the current value.
    expect(seen.length).toBeGreaterThan(5);
    expect(Math.abs(seen.at(-1)! - session.srtt)).toBeLessThan(1);
  });
});

describe("MoshSession overlays (simulated 300 ms RTT)", () => {
  it("with predictAtPrompt false, waits for the first echo as mosh does", async () => {
    const { session, until } = await connected(150, { predictAtPrompt: false });
    session.write("e");
    expect(row0(session.screen({ overlay: true }))).toBe("$");
    await until(() => row0(session.screen()) === "$ e");
    await until(() => session.predictionStats.confirmed === 1);
    session.write("c");
    expect(row0(session.screen({ overlay: true }))).toBe("$ ec");
  });

  it("shows typed characters before the echo, underlined, and ends on the server's screen", async () => {
    const { session, until, shell } = await connected(150);
    const events: PredictInfo[] = [];
    const views: Frame[] = [];
    session.on("predict", (i) => events.push(i));
    session.on("view", (f) => views.push(f));
    // At a shell prompt the first keystroke of an epoch shows at once (mosh-ts's prompt rule;
    // mosh shows it only once confirmed, which sdk/predict's tests cover).
    session.write("e");
    expect(row0(session.screen({ overlay: true }))).toBe("$ e");
    await until(() => row0(session.screen()) === "$ e");
    // the echo ack for "e" comes in a later frame: that confirms the epoch
    await until(() => session.predictionStats.confirmed === 1);
    session.write("c");
    session.write("h");
    // at once, before any echo: predicted, underlined, with the predicted cursor
    const v = session.screen({ overlay: true });
    expect(row0(session.screen())).toBe("$ e");
    expect(row0(v)).toBe("$ ech");
    expect(v.row(0).cellAttrs(3) & Attr.underline).toBe(Attr.underline);
    expect(v.row(0).cellAttrs(2) & Attr.underline).toBe(0);
    expect([v.cursorRow, v.cursorCol]).toEqual([0, 5]);
    expect(frameEquals(views.at(-1)!, v)).toBe(true);
    expect(events.at(-1)).toEqual({
      shown: 2,
      cursor: { row: 0, col: 5 },
      flagged: true,
      confirmed: 0,
      repaired: 0,
    });
    await until(() => row0(session.screen()) === "$ ech");
    await until(() => session.predictionStats.confirmed === 3);
    expect(frameEquals(session.screen({ overlay: true }), session.screen())).toBe(true);
    expect(frameEquals(session.screen(), shell.frame())).toBe(true);
    expect(events.at(-1)!.shown).toBe(0);
    const confirmed = events.reduce((n, e) => n + e.confirmed, 0);
    expect(confirmed).toBe(3);
    expect(events.every((e) => e.repaired === 0)).toBe(true);
    expect(session.predictionStats.repaired).toBe(0);
  });

  it("repairs a misprediction within one round trip", async () => {
    const { session, until, shell, clock } = await connected(150);
    session.write("e");
    await until(() => session.predictionStats.confirmed === 1);
    shell.garble = true;
    const events: PredictInfo[] = [];
    session.on("predict", (i) => events.push(i));
    const t0 = clock.now();
    session.write("x");
    expect(row0(session.screen({ overlay: true }))).toBe("$ ex");
    await until(() => row0(session.screen()) === "$ eX");
    // the frame comes first; the echo ack that lets the prediction be judged follows it
    await until(() => row0(session.screen({ overlay: true })) === "$ eX");
    expect(clock.now() - t0).toBeLessThan(1000);
    expect(events.some((e) => e.repaired === 1)).toBe(true);
    expect(frameEquals(session.screen({ overlay: true }), session.screen())).toBe(true);
  });

  it("at a no-echo prompt (a password), shows no predictions after the first miss", async () => {
    const { session, until, pass, shell } = await connected(150);
    session.write("e");
    await until(() => session.predictionStats.confirmed === 1);
    shell.echo = false;
    session.write("s");
    await pass(1000);
    expect(row0(session.screen({ overlay: true }))).toBe("$ e");
    for (const ch of "ecret") {
      session.write(ch);
      expect(row0(session.screen({ overlay: true }))).toBe("$ e");
      await pass(400);
      expect(row0(session.screen({ overlay: true }))).toBe("$ e");
    }
    expect(session.predictionStats.repaired).toBe(1);
  });

  it("never predicts with predict: never; always predicts even on a fast link", async () => {
    const never = await connected(150, { predict: "never" });
    never.session.write("e");
    await never.until(() => row0(never.session.screen()) === "$ e");
    never.session.write("c");
    expect(row0(never.session.screen({ overlay: true }))).toBe("$ e");

    const fast = await connected(2, { predict: "always" });
    fast.session.write("e");
    await fast.until(() => fast.session.predictionStats.confirmed === 1);
    fast.session.write("c");
    const v = fast.session.screen({ overlay: true });
    expect(row0(v)).toBe("$ ec");
    expect(v.row(0).cellAttrs(3) & Attr.underline).toBe(0); // SRTT well under 100 ms: not flagged
  });

  it("with the link cut, 'Last contact' appears at 6.5 s and counts up; stall, then resume when it returns", async () => {
    const { session, net, pass, until } = await connected(150, { quitHint: " [To quit: Ctrl-^ .]" });
    const stalls: Array<[number, string]> = [];
    let resumes = 0;
    session.on("stall", (ms, kind) => stalls.push([ms, kind]));
    session.on("resume", () => resumes++);
    const bars: string[] = [];
    session.on("view", (f) => bars.push(row0(f)));
    await pass(3000);
    expect(session.notificationBar).toBeNull();
    net.setConditions({ loss: 1 });
    await until(() => stalls.length > 0, 12_000);
    expect(stalls[0][1]).toBe("contact");
    expect(stalls[0][0]).toBeGreaterThan(6500);
    expect(session.notificationBar).toMatch(/^mosh: Last contact 6 seconds ago\. \[To quit: Ctrl-\^ \.\]$/);
    expect(row0(session.screen({ overlay: true }))).toBe(session.notificationBar!.slice(0, COLS).trimEnd());
    await pass(2000);
    expect(session.notificationBar).toMatch(/^mosh: Last contact 8 seconds ago\./);
    expect(bars).toContain("mosh: Last contact 7 seconds ago. [To qu"); // cut at the width
    expect(stalls).toHaveLength(1);
    net.clearConditions();
    net.setConditions({ delay: 150 });
    await until(() => resumes === 1, 15_000);
    expect(session.notificationBar).toBeNull();
    expect(row0(session.screen({ overlay: true }))).toBe("$");
    expect(stalls).toHaveLength(1);
  });

  it("shows 'Nothing received from server' after 250 ms, then 'Timed out waiting for server...'", async () => {
    const clock = new FakeClock();
    const net = new SimNetwork(clock, { seed: 1 });
    const session = new MoshSession({
      host: "127.0.0.1",
      port: 60999,
      key: SessionKey.generate(),
      cols: COLS,
      rows: ROWS,
      clock,
      network: net,
    });
    const failed = session.connect().catch((e: Error) => e);
    await clock.advanceAsync(200);
    expect(session.notificationBar).toBeNull();
    await clock.advanceAsync(100);
    expect(session.notificationBar).toBe("mosh: Nothing received from server on UDP port 60999.");
    expect(row0(session.screen({ overlay: true }))).toBe("mosh: Nothing received from server on UD");
    await clock.advanceAsync(7000);
    expect(session.notificationBar).toBe(
      "mosh: Nothing received from server on UDP port 60999. (7 s without contact.)",
    );
    await clock.advanceAsync(7800);
    expect(session.notificationBar).toBe("mosh: Timed out waiting for server... (15 s without contact.)");
    expect(String(await failed)).toContain("did not make a successful connection");
    await clock.advanceAsync(20_000);
    expect(session.exitInfo).not.toBeNull();
  });

  it("notify() shows messages for 1 s or permanently, without the quit hint when asked", async () => {
    const { session, pass } = await connected(5, { quitHint: " [To quit: Ctrl-^ .]" });
    session.notify("hello");
    expect(session.notificationBar).toBe("mosh: hello [To quit: Ctrl-^ .]");
    await pass(1000);
    expect(session.notificationBar).toBeNull();
    session.notify("help text", { permanent: true, quitHint: false });
    await pass(5000);
    expect(session.notificationBar).toBe("mosh: help text");
    expect(session.notification).toBe("help text");
    session.notify("");
    expect(session.notificationBar).toBeNull();
  });
});
