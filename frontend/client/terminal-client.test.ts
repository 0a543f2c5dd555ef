// The terminal client's reading of MOSH_PREDICTION_DISPLAY, MOSH_PREDICTION_OVERWRITE and MOSH_TS_PREDICTION_PROMPT.
import { describe, expect, it } from "vitest";
import { predictionFromEnv } from "./terminal-client.js";

describe("predictionFromEnv", () => {
  it("reads the modes mosh-client knows, adaptive by default", () => {
    expect(predictionFromEnv({})).toEqual({ display: "adaptive", overwrite: false, atPrompt: true });
    for (const m of ["adaptive", "always", "never", "experimental"] as const)
      expect(predictionFromEnv({ MOSH_PREDICTION_DISPLAY: m })).toEqual({
        display: m,
        overwrite: false,
        atPrompt: true,
      });
  });

  it("rejects anything else with mosh-client's text, even an empty value", () => {
    expect(predictionFromEnv({ MOSH_PREDICTION_DISPLAY: "Always" })).toEqual({
      error: "Unknown prediction mode Always.",
    });
    expect(predictionFromEnv({ MOSH_PREDICTION_DISPLAY: "" })).toEqual({
      error: "Unknown prediction mode .",
    });
  });

  it("overwrites only for MOSH_PREDICTION_OVERWRITE=yes", () => {
    expect(predictionFromEnv({ MOSH_PREDICTION_OVERWRITE: "yes" })).toEqual({
      display: "adaptive",
      overwrite: true,
      atPrompt: true,
    });
    expect(predictionFromEnv({ MOSH_PREDICTION_OVERWRITE: "YES" })).toEqual({
      display: "adaptive",
      overwrite: false,
      atPrompt: true,
    });
    expect(predictionFromEnv({ MOSH_PREDICTION_OVERWRITE: "1" })).toEqual({
      display: "adaptive",
      overwrite: false,
      atPrompt: true,
    });
  });

  it("predicts at a fresh shell prompt unless MOSH_TS_PREDICTION_PROMPT=no", () => {
    expect(predictionFromEnv({ MOSH_TS_PREDICTION_PROMPT: "no" })).toEqual({
      display: "adaptive",
      overwrite: false,
      atPrompt: false,
    });
    expect(predictionFromEnv({ MOSH_TS_PREDICTION_PROMPT: "yes" })).toMatchObject({ atPrompt: true });
  });
});
