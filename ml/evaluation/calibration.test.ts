import { describe, expect, it } from "vitest";
import { expectedCalibrationError, reliabilityCurve } from "./calibration";

// Bin 0: 0.05 (benign). Bin 1: 0.15 (benign), 0.12 (malignant). Bin 8: 0.85 (benign). Bin 9: 0.95, 1.0 (malignant).
const scores = [0.05, 0.15, 0.12, 0.95, 0.85, 1.0];
const labels = [0, 0, 1, 1, 0, 1];

describe("reliabilityCurve", () => {
  it("bins equal-width with mean predicted, observed fraction and count", () => {
    const curve = reliabilityCurve(scores, labels);
    expect(curve).toHaveLength(10);
    expect(curve[0]).toEqual({ lower: 0, upper: 0.1, count: 1, meanPredicted: 0.05, observedFraction: 0 });
    expect(curve[1]).toMatchObject({ count: 2, meanPredicted: expect.closeTo(0.135, 12), observedFraction: 0.5 });
    expect(curve[8]).toMatchObject({ count: 1, meanPredicted: 0.85, observedFraction: 0 });
    // 1.0 belongs to the last (closed) bin.
    expect(curve[9]).toMatchObject({ lower: 0.9, upper: 1, count: 2, meanPredicted: 0.975, observedFraction: 1 });
    expect(curve[4]).toMatchObject({ count: 0, meanPredicted: null, observedFraction: null });
  });

  it("puts a score on a bin edge in the upper bin", () => {
    const curve = reliabilityCurve([0.2, 0.3, 0.7], [0, 0, 0]);
    expect(curve.map((bin) => bin.count)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0, 0]);
  });

  it("supports other bin counts and rejects non-probabilities", () => {
    expect(reliabilityCurve(scores, labels, 2).map((bin) => bin.count)).toEqual([3, 3]);
    expect(() => reliabilityCurve([1.2], [1])).toThrow(/\[0, 1\]/);
    expect(() => reliabilityCurve([-0.1], [1])).toThrow(RangeError);
    expect(() => reliabilityCurve(scores, labels, 0)).toThrow(RangeError);
  });
});

describe("expectedCalibrationError", () => {
  it("weights each bin's gap by its count", () => {
    // (1 * 0.05 + 2 * |0.5 - 0.135| + 1 * 0.85 + 2 * |1 - 0.975|) / 6 = 1.68 / 6.
    expect(expectedCalibrationError(scores, labels)).toBeCloseTo(0.28, 12);
  });

  it("is 0 for perfectly calibrated bins and 1 for confidently wrong predictions", () => {
    expect(expectedCalibrationError([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0])).toBe(0);
    expect(expectedCalibrationError([0, 1], [1, 0])).toBe(1);
  });

  it("is null without cases", () => {
    expect(expectedCalibrationError([], [])).toBeNull();
  });
});
