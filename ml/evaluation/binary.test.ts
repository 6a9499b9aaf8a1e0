import { describe, expect, it } from "vitest";
import {
  binaryCounts,
  binaryCountsFromCalls,
  binaryMetrics,
  negativePredictiveValue,
  positivePredictiveValue,
  sensitivity,
  specificity,
} from "./binary";
import { wilsonInterval } from "./wilson";

describe("binaryCounts", () => {
  // Scores 0.5 are exactly at the threshold: >= makes them positive calls.
  const scores = [0.2, 0.5, 0.5, 0.9, 0.1];
  const labels = [0, 1, 0, 1, 1];

  it("calls score >= threshold positive", () => {
    expect(binaryCounts(scores, labels, 0.5)).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1, positives: 3, negatives: 2, total: 5 });
    expect(binaryCounts(scores, labels, 0.50001)).toEqual({ tp: 1, fp: 0, tn: 2, fn: 2, positives: 3, negatives: 2, total: 5 });
  });

  it("calls everything negative at +Infinity and positive at -Infinity", () => {
    expect(binaryCounts(scores, labels, Infinity)).toMatchObject({ tp: 0, fp: 0 });
    expect(binaryCounts(scores, labels, -Infinity)).toMatchObject({ fn: 0, tn: 0 });
    expect(() => binaryCounts(scores, labels, Number.NaN)).toThrow(RangeError);
  });

  it("gives each metric its own numerator and denominator with a Wilson interval", () => {
    const counts = binaryCounts(scores, labels, 0.5);
    expect(sensitivity(counts, 1.96)).toEqual(wilsonInterval(2, 3, 1.96));
    expect(specificity(counts, 1.96)).toEqual(wilsonInterval(1, 2, 1.96));
    expect(positivePredictiveValue(counts, 1.96)).toEqual(wilsonInterval(2, 3, 1.96));
    expect(negativePredictiveValue(counts, 1.96)).toEqual(wilsonInterval(1, 2, 1.96));
    const metrics = binaryMetrics(counts);
    expect(metrics.sensitivity.estimate).toBeCloseTo(2 / 3, 15);
    expect(metrics.specificity.estimate).toBe(0.5);
    expect(metrics.ppv.estimate).toBeCloseTo(2 / 3, 15);
    expect(metrics.npv.estimate).toBe(0.5);
  });

  it("reports undefined predictive values as null, not 0", () => {
    const counts = binaryCounts([0.1, 0.2], [1, 0], 0.9);
    const metrics = binaryMetrics(counts);
    expect(metrics.ppv.estimate).toBeNull();
    expect(metrics.npv.estimate).toBe(0.5);
    expect(metrics.sensitivity.estimate).toBe(0);
  });
});

describe("binaryCountsFromCalls", () => {
  it("tabulates yes/no calls (e.g. the clinician's) like thresholded scores", () => {
    expect(binaryCountsFromCalls([true, false, true, false, true], [1, 1, 0, 0, 1])).toEqual({
      tp: 2,
      fp: 1,
      tn: 1,
      fn: 1,
      positives: 3,
      negatives: 2,
      total: 5,
    });
    expect(() => binaryCountsFromCalls([true], [1, 0])).toThrow(RangeError);
  });
});
