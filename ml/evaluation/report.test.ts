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

  it("gives lesion-level intervals for sensitivity and specificity: wider when images repeat a lesion", () => {
    // 40 lesions x 3 near-identical images: 20 malignant (15 called), 20 benign (12 called benign).
    const scores: number[] = [];
    const labels: number[] = [];
    const lesions: string[] = [];
    for (let lesion = 0; lesion < 40; lesion++) {
      const malignant = lesion < 20;
      const called = malignant ? lesion < 15 : lesion >= 28;
      for (let k = 0; k < 3; k++) {
        scores.push(called === malignant ? 0.8 + k * 0.01 : 0.2 + k * 0.01);
        labels.push(malignant ? 1 : 0);
        lesions.push(`L${lesion}`);
      }
    }
    const perImage = binaryReport(scores, labels, 0.5, { bootstrapResamples: 1000 });
    const perLesion = binaryReport(scores, labels, 0.5, { bootstrapResamples: 1000, clusters: lesions });
    expect(perLesion.metrics.sensitivity.estimate).toBeCloseTo(0.75, 10);
    expect(perLesion.metrics.specificity.estimate).toBeCloseTo(0.6, 10);
    const width = (i: { lower: number | null; upper: number | null } | null) => i!.upper! - i!.lower!;
    expect(width(perLesion.sensitivityInterval)).toBeGreaterThan(1.4 * width(perImage.sensitivityInterval));
    expect(width(perLesion.specificityInterval)).toBeGreaterThan(1.4 * width(perImage.specificityInterval));
    expect(width(perLesion.aucInterval)).toBeGreaterThan(width(perImage.aucInterval));
    expect(perLesion.sensitivityInterval!.lower).toBeLessThan(0.75);
    expect(perLesion.sensitivityInterval!.upper).toBeGreaterThan(0.75);
    expect(binaryReport(scores, labels, 0.5, { bootstrapResamples: 0 }).sensitivityInterval).toBeNull();
  });
});
