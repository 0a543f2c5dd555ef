import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { SessionKey } from "../crypto/session-key.js";
import { MoshSession } from "./mosh-session.js";

describe("MoshSession", () => {
  it("never shows the session key in inspect, JSON or errors", () => {
    const key = SessionKey.generate();
    const s = new MoshSession({ host: "127.0.0.1", port: 60001, key: key.reveal() });
    const shown = [inspect(s, { depth: 10, showHidden: true }), String(s), JSON.stringify({ s })].join("\n");
    expect(shown).not.toContain(key.reveal());
    expect(shown).toContain("127.0.0.1:60001");
  });

  it("rejects bad keys with mosh's text, and bad sizes", () => {
    expect(() => new MoshSession({ host: "127.0.0.1", port: 1, key: "short" })).toThrow(
      expect.objectContaining({ code: "bad-key", message: "Key must be 22 letters long." }),
    );
    expect(
      () => new MoshSession({ host: "127.0.0.1", port: 1, key: SessionKey.generate(), cols: 0 }),
    ).toThrow(expect.objectContaining({ code: "bad-argument" }));
  });

  it("starts with a blank screen of its size", () => {
    const s = new MoshSession({
      host: "127.0.0.1",
      port: 1,
      key: SessionKey.generate(),
      cols: 100,
      rows: 30,
    });
    expect([s.screen().cols, s.screen().rows]).toEqual([100, 30]);
    expect(s.connected).toBe(false);
  });
});
