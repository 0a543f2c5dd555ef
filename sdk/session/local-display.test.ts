// LocalDisplay: minimal redraws, and the title re-sent without mosh's prefix for the last frame.
import { describe, expect, it } from "vitest";
import { blankFrame } from "../terminal/frame.js";
import { LocalDisplay } from "./local-display.js";

describe("LocalDisplay", () => {
  it("re-sends the title once when the prefix changes, and otherwise only what changed", () => {
    let out = "";
    const d = new LocalDisplay({ smcup: "", rmcup: "", titles: true, titlePrefix: "[mosh] " }, (s) => {
      out += s;
    });
    const f = blankFrame(10, 3).with({ title: "mytitle", iconName: "mytitle", titleSet: true });
    d.draw(f);
    expect(out).toContain("\x1b]0;[mosh] mytitle\x07");
    out = "";
    d.draw(f);
    expect(out).toBe("");
    d.setTitlePrefix("");
    d.draw(f);
    expect(out).toBe("\x1b]0;mytitle\x07");
    out = "";
    d.draw(f);
    expect(out).toBe("");
  });

  it("sends no title before the remote side set one", () => {
    let out = "";
    const d = new LocalDisplay({ smcup: "", rmcup: "", titles: true, titlePrefix: "[mosh] " }, (s) => {
      out += s;
    });
    d.draw(blankFrame(10, 3));
    d.setTitlePrefix("");
    d.draw(blankFrame(10, 3));
    expect(out).not.toContain("\x1b]");
  });
});
