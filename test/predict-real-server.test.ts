// Local echo and the notification bar against Debian's real mosh-server through the link emulator (250 ms RTT), in tmux and in the SDK.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MoshSession } from "../sdk/client/mosh-session.js";
import { LinkEmulator } from "../sdk/linkem/link-emulator.js";
import { startRealMoshServer } from "./helpers/mosh-server.js";
import { reportingExit, startTmux, type TmuxSession } from "./helpers/tmux.js";

const client = join(import.meta.dirname, "..", "dist", "bin", "mosh-ts-client.js");
const HALF_RTT = { delayMs: 125 };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** The real mosh-server running a plain /bin/sh (PS1='$ '), behind a 250 ms RTT link. */
async function serverBehindLink() {
  const server = await startRealMoshServer({});
  cleanups.push(() => server.stop());
  const em = await LinkEmulator.start({
    target: { address: "127.0.0.1", port: server.port },
    toServer: HALF_RTT,
    toClient: HALF_RTT,
    seed: 250,
  });
  cleanups.push(() => em.stop());
  return { server, em };
}

async function tmuxClient(
  program: "ours" | "real",
  port: number,
  key: string,
  env: Record<string, string> = {},
): Promise<TmuxSession> {
  const cmd =
    program === "ours"
      ? [process.execPath, client, "127.0.0.1", String(port)]
      : ["mosh-client", "127.0.0.1", String(port)];
  const tmux = await startTmux({
    cols: 80,
    rows: 24,
    command: reportingExit([...cmd], { mergeStderr: true }),
    env: { MOSH_KEY: key, TERM: "xterm-256color", ...env },
  });
  cleanups.push(() => tmux.kill());
  return tmux;
}

/** Each character of a `capture-pane -e` line with whether it is underlined (tmux emits one SGR per attribute). */
function styledChars(line: string): Array<{ ch: string; underlined: boolean }> {
  const out: Array<{ ch: string; underlined: boolean }> = [];
  let underlined = false;
  for (const m of line.matchAll(/\x1b\[([0-9;]*)m|([^\x1b])/gu)) {
    if (m[1] !== undefined) {
      for (const p of m[1].split(";")) {
        if (p === "" || p === "0" || p === "24") underlined = false;
        else if (p === "4") underlined = true;
      }
    } else out.push({ ch: m[2], underlined });
  }
  return out;
}

/** The row of a capture whose plain text matches `re`. */
function rowOf(screen: string, re: RegExp): number {
  return screen.split("\n").findIndex((l) => re.test(l));
}

async function until<T>(fn: () => Promise<T | null>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("local echo against the real mosh-server at 250 ms RTT", () => {
  it("mosh-ts-client shows typed characters before the echo, underlined, and ends on the server's screen", async () => {
    const { server, em } = await serverBehindLink();
    const tmux = await tmuxClient("ours", em.port, server.key);
    await tmux.waitForText(/^\$ ?$/m, 20_000);
    // One key first, echoed and acknowledged, so the epoch is confirmed as mosh would (not only by the prompt rule).
    await tmux.sendKeys("e", { literal: true });
    const y = rowOf(await tmux.waitForText(/^\$ e$/m, 10_000), /^\$ e$/);
    await new Promise((r) => setTimeout(r, 1000)); // the echo ack follows the echo

    // Cut the way to the server: whatever shows now can only be a prediction.
    em.setProfile("toServer", { down: true });
    await tmux.sendKeys("cho hi", { literal: true });
    const predicted = await until(async () => {
      const chars = styledChars((await tmux.capture({ escapes: true })).split("\n")[y]);
      return chars.map((c) => c.ch).join("") === "$ echo hi" ? chars : null;
    }, "the predicted text");
    expect(predicted.slice(0, 3).some((c) => c.underlined)).toBe(false); // "$ e": the server's
    // "cho hi": predicted, underlined (mosh leaves a predicted blank over a blank cell alone)
    expect(predicted.slice(3).map((c) => c.underlined)).toEqual([true, true, true, false, true, true]);
    expect(await tmux.format("#{cursor_x},#{cursor_y}")).toBe(`9,${y}`);
    // the keystrokes did leave (a frame interval later at most), and died on the cut link
    await until(async () => (em.stats().toServer.dropped > 0 ? true : null), "the keystrokes to be dropped");
    expect(
      styledChars((await tmux.capture()).split("\n")[y])
        .map((c) => c.ch)
        .join(""),
    ).toBe("$ echo hi");

    // The link returns: the echo replaces the predictions, then the command runs.
    em.setProfile("toServer", HALF_RTT);
    await tmux.sendKeys("Enter");
    await tmux.waitForText(/^hi\n\$ ?$/m, 20_000);
    await new Promise((r) => setTimeout(r, 1500)); // let every prediction be judged
    const final = await tmux.capture({ escapes: true });
    expect(
      final
        .split("\n")
        .slice(y, y + 3)
        .map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").trimEnd()),
    ).toEqual(["$ echo hi", "hi", "$"]);
    expect(final.split("\n").every((l) => styledChars(l).every((c) => !c.underlined))).toBe(true);
    expect(await tmux.format("#{cursor_x},#{cursor_y}")).toBe(`2,${y + 2}`);
    // the escape key's help, then quit
    await tmux.sendBytes("\x1e");
    const help = await tmux.waitForText(/Commands:/, 10_000);
    expect(help.split("\n")[0]).toBe('mosh: Commands: Ctrl-Z suspends, "." quits, "^" gives literal Ctrl-^');
    await tmux.sendBytes(".");
    expect(await tmux.waitForText(/EXIT=\d+/, 20_000)).toContain("EXIT=0");
  });

  it("with the link cut, mosh-ts-client shows mosh's 'Last contact' bar counting up, and clears it when the link returns", async () => {
    const { server, em } = await serverBehindLink();
    const tmux = await tmuxClient("ours", em.port, server.key);
    await tmux.waitForText(/^\$ ?$/m, 20_000);
    const before = await tmux.capture();
    em.setProfile("both", { down: true });
    const bar = /^mosh: Last contact (\d+) seconds ago\. \[To quit: Ctrl-\^ \.\]$/m;
    const first = Number(bar.exec(await tmux.waitForText(bar, 15_000))![1]);
    expect(first).toBeGreaterThanOrEqual(6);
    const later = await tmux.waitForText(
      new RegExp(`^mosh: Last contact ${first + 2} seconds ago\\.`, "m"),
      10_000,
    );
    expect(later.split("\n")[0]).toMatch(bar);
    // mosh's colours: bold white on blue
    expect((await tmux.capture({ escapes: true })).split("\n")[0]).toMatch(
      /^\x1b\[1m\x1b\[37m\x1b\[44mmosh: Last contact/,
    );
    em.setProfile("both", HALF_RTT);
    await until(
      async () => ((await tmux.capture()).includes("Last contact") ? null : true),
      "the bar to clear",
    );
    expect(await tmux.capture()).toBe(before);
  });

  it("the SDK emits stall and resume with the bar's timings", async () => {
    const { server, em } = await serverBehindLink();
    const s = new MoshSession({ host: "127.0.0.1", port: em.port, key: server.key });
    cleanups.push(() => s.close());
    const events: string[] = [];
    s.on("stall", (ms, kind) => events.push(`stall ${kind} ${ms > 6500}`));
    s.on("resume", () => events.push("resume"));
    await s.connect();
    await s.waitFor("$ ");
    em.setProfile("both", { down: true });
    await until(async () => (events.length ? true : null), "stall", 15_000);
    expect(events).toEqual(["stall contact true"]);
    expect(s.notificationBar).toMatch(/^mosh: Last contact \d+ seconds ago\.$/);
    expect(s.screen({ overlay: true }).row(0).toString()).toBe(s.notificationBar);
    em.setProfile("both", HALF_RTT);
    await until(async () => (events.length === 2 ? true : null), "resume", 15_000);
    expect(events).toEqual(["stall contact true", "resume"]);
    expect(s.notificationBar).toBeNull();
  });
});

describe("mosh-ts-client's notifications, side by side with mosh-client", () => {
  it("shows the same connecting message, which the escape key's help does not replace", async () => {
    const rows: Record<string, string[]> = {};
    for (const program of ["real", "ours"] as const) {
      // nothing listens on this port: the client keeps connecting
      const tmux = await tmuxClient(program, 9, "AAAAAAAAAAAAAAAAAAAAAA");
      const connecting = await tmux.waitForText(/Nothing received from server/, 10_000);
      await tmux.sendBytes("\x1e");
      await new Promise((r) => setTimeout(r, 700));
      const help = await tmux.capture();
      await tmux.sendBytes(".");
      const after = await tmux.waitForText(/EXIT=\d+/, 30_000);
      rows[program] = [connecting.split("\n")[0], help.split("\n")[0]];
      expect(after).toContain("EXIT=1");
      expect(after).toContain("mosh did not make a successful connection to 127.0.0.1:9.");
    }
    // mosh re-asserts the connecting message on every pass of its loop
    expect(rows.ours).toEqual([
      "mosh: Nothing received from server on UDP port 9. [To quit: Ctrl-^ .]",
      "mosh: Nothing received from server on UDP port 9. [To quit: Ctrl-^ .]",
    ]);
    expect(rows.ours).toEqual(rows.real);
  });

  it("rejects an unknown MOSH_PREDICTION_DISPLAY as mosh-client does", async () => {
    const out: Record<string, string> = {};
    for (const program of ["real", "ours"] as const) {
      const tmux = await tmuxClient(program, 60001, "AAAAAAAAAAAAAAAAAAAAAA", {
        MOSH_PREDICTION_DISPLAY: "bogus",
      });
      out[program] = (await tmux.waitForText(/EXIT=\d+/, 10_000)).trimEnd();
    }
    expect(out.ours).toBe("Unknown prediction mode bogus.\nEXIT=1");
    expect(out.ours).toBe(out.real);
  });
});
