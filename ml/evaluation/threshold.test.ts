import { describe, expect, it } from "vitest";
import { binaryCounts } from "./binary";
import { selectOperatingThreshold } from "./threshold";

// Positives 0.9, 0.8, 0.6, 0.4, 0.2; negatives 0.7, 0.5, 0.3, 0.1.
const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
const labels = [1, 1, 0, 1, 0, 1, 0, 1, 0];

describe("selectOperatingThreshold", () => {
  it("picks the highest observed score that keeps sensitivity >= target", () => {
    const point = selectOperatingThreshold(scores, labels, 0.8);
    expect(point.threshold).toBe(0.4);
    expect(point.sensitivity).toBe(0.8);
    // Negatives 0.3 and 0.1 fall below 0.4.
    expect(point.specificity).toBe(0.5);
    expect(point.counts).toEqual(binaryCounts(scores, labels, 0.4));
    // The next observed score up loses a positive and falls below the target.
    expect(binaryCounts(scores, labels, 0.5).tp / 5).toBeLessThan(0.8);
  });

  it("needs one more positive as soon as the target is above an achievable sensitivity", () => {
    const point = selectOperatingThreshold(scores, labels, 0.81);
    expect(point.threshold).toBe(0.2);
    expect(point.sensitivity).toBe(1);
    expect(point.specificity).toBe(0.25);
  });

  it("returns the lowest positive score for target 1", () => {
    expect(selectOperatingThreshold(scores, labels, 1).threshold).toBe(0.2);
  });

  it("returns the highest observed score for target 0", () => {
    const point = selectOperatingThreshold(scores, labels, 0);
    expect(point.threshold).toBe(0.9);
    expect(point.sensitivity).toBe(0.2);
    expect(point.specificity).toBe(1);
  });

  it("calls every positive tied at the threshold positive, so sensitivity may exceed the target", () => {
    // Positives 0.9, 0.5, 0.5, 0.5, 0.1; negatives 0.5, 0.3.
    const tiedScores = [0.9, 0.5, 0.5, 0.5, 0.1, 0.5, 0.3];
    const tiedLabels = [1, 1, 1, 1, 1, 0, 0];
    const point = selectOperatingThreshold(tiedScores, tiedLabels, 0.4);
    expect(point.threshold).toBe(0.5);
    expect(point.sensitivity).toBe(0.8);
    expect(point.specificity).toBe(0.5);
    expect(selectOperatingThreshold(tiedScores, tiedLabels, 0.8).threshold).toBe(0.5);
    expect(selectOperatingThreshold(tiedScores, tiedLabels, 0.81)).toMatchObject({ threshold: 0.1, sensitivity: 1, specificity: 0 });
  });

  it("meets exact targets without floating-point overshoot", () => {
    // 0.55 * 100 = 55.00000000000001 and 0.56 * 25 = 14.000000000000002 in floating point; a naive
    // ceil(target * positives) would demand one positive too many.
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(selectOperatingThreshold(hundred, new Array<number>(100).fill(1), 0.55)).toMatchObject({ threshold: 46, sensitivity: 0.55 });
    const twentyFive = Array.from({ length: 25 }, (_, i) => i + 1);
    expect(selectOperatingThreshold(twentyFive, new Array<number>(25).fill(1), 0.56)).toMatchObject({ threshold: 12, sensitivity: 0.56 });
    // 19 of 20 positives meet a 95% target.
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(selectOperatingThreshold(twenty, new Array<number>(20).fill(1), 0.95)).toMatchObject({ threshold: 2, sensitivity: 0.95 });
  });

  it("returns a float32 score exactly, so the threshold reproduces the sensitivity on float32 scores", () => {
    const f32 = Float32Array.from([0.1, 0.3, 0.7, 0.65, 0.2]);
    const f32Labels = [0, 1, 1, 0, 1];
    const point = selectOperatingThreshold(f32, f32Labels, 0.6);
    expect(point.threshold).toBe(f32[1]);
    expect(binaryCounts(f32, f32Labels, point.threshold).tp).toBe(2);
  });

  it("reports null specificity when there are no negatives", () => {
    expect(selectOperatingThreshold([0.3, 0.6], [1, 1], 0.5).specificity).toBeNull();
  });

  it("refuses to choose without positives or with an impossible target", () => {
    expect(() => selectOperatingThreshold([0.3, 0.6], [0, 0], 0.95)).toThrow(/no positive/);
    expect(() => selectOperatingThreshold([], [], 0.95)).toThrow(/no positive/);
    expect(() => selectOperatingThreshold(scores, labels, 1.01)).toThrow(RangeError);
    expect(() => selectOperatingThreshold(scores, labels, -0.1)).toThrow(RangeError);
    expect(() => selectOperatingThreshold(scores, labels, Number.NaN)).toThrow(RangeError);
  });
});
