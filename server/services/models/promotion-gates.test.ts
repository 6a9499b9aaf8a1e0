import { describe, expect, it } from "vitest";
import { evaluatePromotionGates, gatesStillHold } from "./promotion-gates";

const base = { targetSensitivity: 0.95, aucTolerance: 0.01 };

describe("promotion gates", () => {
  it("passes a candidate that meets the sensitivity target and keeps the AUC within tolerance", () => {
    const result = evaluatePromotionGates({ ...base, candidate: { sensitivity: 0.95, auc: 0.915 }, active: { version: "v1", auc: 0.92 } });
    expect(result.passed).toBe(true);
  });

  it("fails a candidate below the sensitivity target", () => {
    const result = evaluatePromotionGates({ ...base, candidate: { sensitivity: 0.949, auc: 0.99 }, active: null });
    expect(result.passed).toBe(false);
    expect(result.checks.find((check) => check.name === "sensitivity")?.passed).toBe(false);
  });

  it("fails a candidate whose AUC drops more than the tolerance", () => {
    const result = evaluatePromotionGates({ ...base, candidate: { sensitivity: 0.97, auc: 0.909 }, active: { version: "v1", auc: 0.92 } });
    expect(result.passed).toBe(false);
    expect(result.checks.find((check) => check.name === "auc")?.detail).toContain("v1");
  });

  it("fails when a figure cannot be measured, instead of passing by default", () => {
    expect(evaluatePromotionGates({ ...base, candidate: { sensitivity: null, auc: 0.9 }, active: null }).passed).toBe(false);
    expect(evaluatePromotionGates({ ...base, candidate: { sensitivity: 0.96, auc: null }, active: { version: "v1", auc: 0.9 } }).passed).toBe(false);
  });

  it("records which model it was compared with, and counts as failed once another model is active", () => {
    const gates = evaluatePromotionGates({ ...base, candidate: { sensitivity: 0.96, auc: 0.93 }, active: { version: "v1", auc: 0.92 } });
    expect(gates.comparedWith).toBe("v1");
    expect(gatesStillHold(gates, "v1")).toEqual({ passed: true, reason: null });
    expect(gatesStillHold(gates, "v2")).toEqual({ passed: false, reason: "its gates compared it with v1, but v2 is active now" });
    expect(gatesStillHold(gates, null).passed).toBe(false);
    // Gates stored before comparedWith existed are judged as they are.
    expect(gatesStillHold({ passed: true, checks: [] }, "v9").passed).toBe(true);
    expect(gatesStillHold(null, "v1")).toEqual({ passed: false, reason: "no promotion gates were computed" });
  });
});
