import { describe, expect, it } from "vitest";
import { bootstrapAucInterval } from "./auc-interval";
import { binaryCounts, binaryMetrics } from "./binary";
import { expectedCalibrationError, reliabilityCurve } from "./calibration";
import { createRng as mulberry32 } from "../random";
import { binaryReport } from "./report";
import { rocAuc } from "./roc";

function syntheticProbabilities(n: number, seed: number): { scores: Float32Array; labels: Uint8Array } {
  const random = mulberry32(seed);
  const labels = Uint8Array.from({ length: n }, () => (random() < 0.2 ? 1 : 0));
  const scores = Float32Array.from(labels, (y) => Math.min(1, random() * 0.7 + y * 0.3));
  return { scores, labels };
}

describe("binaryReport", () => {
  const { scores, labels } = syntheticProbabilities(3000, 17);
  const report = binaryReport(scores, labels, 0.5, { bootstrapSeed: 3, bootstrapResamples: 300 });

  it("bundles the same numbers the individual functions give", () => {
    expect(report.n).toBe(3000);
    expect(report.positives + report.negatives).toBe(3000);
    expect(report.auc).toBe(rocAuc(scores, labels));
    expect(report.aucInterval).toEqual(bootstrapAucInterval(scores, labels, { seed: 3, resamples: 300 }));
    expect(report.counts).toEqual(binaryCounts(scores, labels, 0.5));
    expect(report.metrics).toEqual(binaryMetrics(report.counts));
    expect(report.ece).toBe(expectedCalibrationError(scores, labels));
    expect(report.reliability).toEqual(reliabilityCurve(scores, labels));
  });

  it("stores a ROC curve of at most 200 points from (0, 0) to (1, 1)", () => {
    expect(report.roc).not.toBeNull();
    expect(report.roc!.length).toBeLessThanOrEqual(200);
    expect(report.roc![0]).toEqual({ threshold: null, fpr: 0, tpr: 0 });
    expect(report.roc!.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
  });

  it("survives a JSON round trip unchanged (no NaN or Infinity)", () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    const oneClass = binaryReport([0.1, 0.8], [0, 0], 0.5);
    expect(oneClass).toMatchObject({ auc: null, aucInterval: null, roc: null });
    expect(JSON.parse(JSON.stringify(oneClass))).toEqual(oneClass);
  });

  it("skips the bootstrap on request and refuses a non-finite threshold", () => {
    expect(binaryReport(scores, labels, 0.5, { bootstrapResamples: 0 }).aucInterval).toBeNull();
    expect(() => binaryReport(scores, labels, Infinity)).toThrow(RangeError);
  });
});
