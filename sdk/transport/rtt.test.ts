// Tests of the RTT estimator (docs/mosh-protocol.md §3.1).
import { describe, expect, it } from "vitest";
import { RttEstimator } from "./rtt.js";

describe("RttEstimator", () => {
  it("starts at SRTT 1000 / RTTVAR 500: RTO clamps to 1000, send interval to 250", () => {
    const r = new RttEstimator();
    expect(r.srtt).toBe(1000);
    expect(r.rttvar).toBe(500);
    expect(r.hasSample).toBe(false);
    expect(r.rto()).toBe(1000);
    expect(r.sendInterval()).toBe(250);
  });

  it("takes the first sample as SRTT = R, RTTVAR = R/2", () => {
    const r = new RttEstimator();
    expect(r.sample(100)).toBe(true);
    expect(r.srtt).toBe(100);
    expect(r.rttvar).toBe(50);
    expect(r.rto()).toBe(300);
    expect(r.sendInterval()).toBe(50);
  });

  it("smooths later samples (RTTVAR first, with the old SRTT)", () => {
    const r = new RttEstimator();
    r.sample(100);
    r.sample(200);
    // RTTVAR = 0.75*50 + 0.25*|100-200| = 62.5; SRTT = 0.875*100 + 0.125*200 = 112.5
    expect(r.rttvar).toBe(62.5);
    expect(r.srtt).toBe(112.5);
    expect(r.rto()).toBe(Math.ceil(112.5 + 250));
    expect(r.sendInterval()).toBe(57);
  });

  it("ignores samples of 5000 ms or more", () => {
    const r = new RttEstimator();
    expect(r.sample(5000)).toBe(false);
    expect(r.sample(65535)).toBe(false);
    expect(r.hasSample).toBe(false);
    expect(r.sample(4999)).toBe(true);
    expect(r.srtt).toBe(4999);
  });

  it("clamps RTO to [50, 1000] and the send interval to [20, 250]", () => {
    const r = new RttEstimator();
    r.sample(2);
    expect(r.rto()).toBe(50);
    expect(r.sendInterval()).toBe(20);
    const slow = new RttEstimator();
    slow.sample(4000);
    expect(slow.rto()).toBe(1000);
    expect(slow.sendInterval()).toBe(250);
  });
});
