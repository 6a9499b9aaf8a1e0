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

  it("also gates calibration, the avoidable-biopsy rate and the amount of training, each on the same cases", () => {
    const good = { sensitivity: 0.96, auc: 0.92, ece: 0.04, avoidableBiopsyRate: 0.3, trainingImages: 7000 };
    const active: { version: string; auc: number; ece: number | null; avoidableBiopsyRate: number | null } = { version: "v1", auc: 0.92, ece: 0.03, avoidableBiopsyRate: 0.31 };
    expect(evaluatePromotionGates({ ...base, candidate: good, active }).passed).toBe(true);
    const failed = (candidate: typeof good | Record<string, unknown>, against: typeof active | null = active) =>
      evaluatePromotionGates({ ...base, candidate: { ...good, ...candidate }, active: against }).checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed({ ece: 0.06 })).toEqual(["calibration"]);
    expect(failed({ avoidableBiopsyRate: 0.2 })).toEqual(["avoidable-biopsy"]);
    expect(failed({ trainingImages: 120 })).toEqual(["training-data"]);
    // Not measurable on the same cases: fails rather than passes.
    expect(failed({}, { ...active, ece: null })).toEqual(["calibration"]);
    expect(failed({ avoidableBiopsyRate: null })).toEqual(["avoidable-biopsy"]);
    // With no active model: an absolute calibration ceiling, no avoidable-biopsy comparison.
    expect(failed({ ece: 0.08 }, null)).toEqual(["calibration"]);
    expect(evaluatePromotionGates({ ...base, candidate: good, active: null }).checks.map((c) => c.name)).toEqual(["sensitivity", "auc", "calibration", "training-data"]);
  });
});
