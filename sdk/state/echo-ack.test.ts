import { describe, expect, it } from "vitest";
import { ECHO_TIMEOUT, EchoAckTracker } from "./echo-ack.js";

describe("EchoAckTracker", () => {
  it("acknowledges a state 50 ms after its input was applied, never earlier, and wakes exactly then", () => {
    const t = new EchoAckTracker();
    expect(t.waitTime(1000)).toBe(Number.POSITIVE_INFINITY);
    t.registerInputFrame(3n, 1000);
    expect(t.waitTime(1000)).toBe(ECHO_TIMEOUT);
    expect(t.setEchoAck(1049)).toBe(false);
    expect(t.echoAck).toBe(0n);
    expect(t.waitTime(1049)).toBe(1);
    expect(t.setEchoAck(1050)).toBe(true);
    expect(t.echoAck).toBe(3n);
    expect(t.waitTime(1050)).toBe(Number.POSITIVE_INFINITY);
  });

  it("takes the newest state old enough, keeps newer ones waiting, and never goes back", () => {
    const t = new EchoAckTracker();
    t.registerInputFrame(2n, 0);
    t.registerInputFrame(4n, 10);
    t.registerInputFrame(7n, 40);
    expect(t.setEchoAck(60)).toBe(true);
    expect(t.echoAck).toBe(4n);
    expect(t.waitTime(60)).toBe(30);
    expect(t.setEchoAck(70)).toBe(false);
    expect(t.setEchoAck(90)).toBe(true);
    expect(t.echoAck).toBe(7n);
    expect(t.setEchoAck(10_000)).toBe(false);
    expect(t.echoAck).toBe(7n);
  });
});
