// NotificationEngine with a fake clock: mosh's bar texts, timings, lifetimes and colours.
import { describe, expect, it } from "vitest";
import { displayDiff } from "../terminal/display-diff.js";
import { Attr, blankFrame } from "../terminal/frame.js";
import { BAR_BG, BAR_FG, formatDuration, NotificationEngine } from "./notification-engine.js";

const HINT = " [To quit: Ctrl-^ .]";
const T0 = 50_000;

describe("NotificationEngine", () => {
  it("formats durations as mosh does", () => {
    expect(formatDuration(6.9, "seconds")).toBe("6 seconds");
    expect(formatDuration(59, "s")).toBe("59 s");
    expect(formatDuration(61, "s")).toBe("1:01");
    expect(formatDuration(3599, "seconds")).toBe("59:59");
    expect(formatDuration(3661, "seconds")).toBe("1:01:01");
  });

  it("shows no bar on a healthy link, and 'Last contact' after 6.5 s of silence, counting up", () => {
    const n = new NotificationEngine(T0, { quitHint: HINT });
    expect(n.text(T0 + 6500)).toBeNull();
    expect(n.text(T0 + 6501)).toBe(`mosh: Last contact 6 seconds ago.${HINT}`);
    expect(n.text(T0 + 7000)).toBe(`mosh: Last contact 7 seconds ago.${HINT}`);
    expect(n.text(T0 + 75_000)).toBe(`mosh: Last contact 1:15 ago.${HINT}`);
    n.serverHeard(T0 + 75_000);
    n.serverAcked(T0 + 75_000);
    expect(n.text(T0 + 75_001)).toBeNull();
  });

  it("says 'Last reply' when only the server's acknowledgements are missing", () => {
    const n = new NotificationEngine(T0, { quitHint: HINT });
    n.serverHeard(T0 + 9000);
    expect(n.text(T0 + 10_001)).toBe(`mosh: Last reply 10 seconds ago.${HINT}`);
    expect(n.lateKind(T0 + 10_001)).toBe("reply");
    expect(n.text(T0 + 15_600)).toBe(`mosh: Last contact 6 seconds ago.${HINT}`); // both late: contact wins
  });

  it("messages last 1 s unless permanent; with a count-up both show", () => {
    const n = new NotificationEngine(T0, { quitHint: HINT });
    n.setMessage("Nothing received from server on UDP port 60001.", T0 + 260);
    expect(n.text(T0 + 1259)).toBe(`mosh: Nothing received from server on UDP port 60001.${HINT}`);
    expect(n.text(T0 + 1260)).toBeNull();
    n.setMessage("Timed out waiting for server...", T0 + 15_000, { permanent: true });
    expect(n.text(T0 + 15_000)).toBe(`mosh: Timed out waiting for server... (15 s without contact.)${HINT}`);
    expect(n.text(T0 + 99_000)).toContain("Timed out waiting for server... (1:39 without contact.)");
  });

  it("the escape-key help has no quit hint; an empty quit hint shows none", () => {
    const n = new NotificationEngine(T0, { quitHint: HINT });
    n.setMessage('Commands: Ctrl-Z suspends, "." quits, "^" gives literal Ctrl-^', T0, {
      permanent: true,
      quitHint: false,
    });
    expect(n.text(T0 + 5000)).toBe('mosh: Commands: Ctrl-Z suspends, "." quits, "^" gives literal Ctrl-^');
    const plain = new NotificationEngine(T0);
    expect(plain.text(T0 + 7000)).toBe("mosh: Last contact 7 seconds ago.");
  });

  it("network errors last 3.1 s and fade 1 s after the error clears", () => {
    const n = new NotificationEngine(T0);
    n.setNetworkError("sendto: Network is unreachable", T0);
    expect(n.message(T0 + 3099)).toBe("sendto: Network is unreachable");
    expect(n.message(T0 + 3100)).toBe("");
    n.setNetworkError("sendto: Network is unreachable", T0 + 4000);
    n.clearNetworkError(T0 + 4200);
    expect(n.message(T0 + 5199)).not.toBe("");
    expect(n.message(T0 + 5200)).toBe("");
    n.setMessage("ordinary", T0 + 6000, { permanent: true });
    n.clearNetworkError(T0 + 6000); // only network errors fade
    expect(n.message(T0 + 60_000)).toBe("ordinary");
  });

  it("waitTime points at the next change: count-up start, each second, 3 s after a minute, message expiry", () => {
    const n = new NotificationEngine(T0);
    expect(n.waitTime(T0)).toBe(6501);
    expect(n.waitTime(T0 + 6600)).toBe(400); // "7 seconds" at 7000
    expect(n.waitTime(T0 + 61_000)).toBe(3000);
    const m = new NotificationEngine(T0);
    m.setMessage("x", T0);
    expect(m.waitTime(T0 + 200)).toBe(800);
  });

  it("draws the bar on row 0 in mosh's colours and hides a cursor on row 0", () => {
    const n = new NotificationEngine(T0, { quitHint: HINT });
    const frame = blankFrame(80, 5);
    expect(n.apply(frame, T0)).toBe(frame);
    const f = n.apply(frame, T0 + 7000);
    const row = f.row(0);
    expect(row.toString()).toBe(`mosh: Last contact 7 seconds ago.${HINT}`);
    expect(row.cellAttrs(0)).toBe(Attr.bold);
    expect(row.cellText(79)).toBe(" ");
    expect(row.cellAttrs(79)).toBe(0);
    for (const x of [0, 79]) expect([row.fg[x], row.bg[x]]).toEqual([BAR_FG, BAR_BG]);
    expect(f.cursorVisible).toBe(false);
    expect(f.row(1)).toBe(frame.row(1));
    // mosh's SGR: blanks ESC[0;37;44m, text ESC[0;1;37;44m
    const out = displayDiff(frame, f, { ech: true, bce: true, titles: false });
    expect(out).toContain("\x1b[0;1;37;44mmosh: Last contact");
    expect(out).toContain("\x1b[0;37;44m");
    const lower = n.apply(frame.with({ cursorRow: 3 }), T0 + 7000);
    expect(lower.cursorVisible).toBe(true);
  });

  it("cuts the text at the screen width", () => {
    const n = new NotificationEngine(T0, { quitHint: HINT });
    const f = n.apply(blankFrame(10, 2), T0 + 7000);
    expect(f.row(0).toString()).toBe("mosh: Last");
  });
});
