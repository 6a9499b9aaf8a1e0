import { describe, expect, it } from "vitest";
import { avoidableBiopsyStats, mulberry32 } from "@/ml/evaluation";
import { thinnedIndices, whatIfCurve } from "./what-if-curve";

describe("whatIfCurve", () => {
  it("counts benign biopsies avoided and malignancies missed below each threshold (score < t)", () => {
    const curve = whatIfCurve(
      [
        { score: 0.2, malignant: false },
        { score: 0.2, malignant: true },
        { score: 0.6, malignant: false },
      ],
      0.5,
    );
    expect(curve.points.map((point) => [point.threshold, point.benignAvoided, point.malignantMissed])).toEqual([
      [0, 0, 0],
      [0.2, 0, 0], // tied scores move together, and a score equal to t is not below it
      [0.5, 1, 1],
      [0.6, 1, 1],
      [1, 2, 1],
    ]);
    expect(curve.current).toEqual(curve.points[2]);
    expect(curve.current.avoidableRate.estimate).toBe(0.5);
    expect(curve.current.missedRate.estimate).toBe(1);
    // Kept: 0.6 (benign): no malignancy left, so no NNB.
    expect(curve.current.numberNeededToBiopsyIfDeferred).toBeNull();
    expect(curve.points[0]!.numberNeededToBiopsyIfDeferred).toBe(3);
  });

  it("agrees with avoidableBiopsyStats at every threshold on random data", () => {
    const random = mulberry32(7);
    const cases = Array.from({ length: 300 }, () => ({ score: Math.round(random() * 50) / 50, malignant: random() < 0.3 }));
    const curve = whatIfCurve(cases, 0.33);
    expect(curve.points.length).toBe(curve.distinctThresholds);
    for (const point of curve.points) {
      const stats = avoidableBiopsyStats(cases.map((lesion) => ({ ...lesion, biopsied: true })), point.threshold);
      expect([point.benignAvoided, point.malignantMissed]).toEqual([stats.benignCalledLikelyBenign, stats.malignantMissed]);
      expect(point.avoidableRate).toEqual(stats.avoidableRate);
      expect(point.missedRate).toEqual(stats.missedRate);
      expect(point.numberNeededToBiopsyIfDeferred).toBe(stats.numberNeededToBiopsyIfDeferred);
    }
  });

  it("thins many thresholds to at most maxPoints, keeping the ends and the operating point exact", () => {
    const random = mulberry32(11);
    const cases = Array.from({ length: 2000 }, () => ({ score: random(), malignant: random() < 0.2 }));
    const threshold = cases[1234]!.score;
    const curve = whatIfCurve(cases, threshold, 50);
    expect(curve.distinctThresholds).toBe(2002);
    expect(curve.points.length).toBeLessThanOrEqual(50);
    expect(curve.points[0]!.threshold).toBe(0);
    expect(curve.points.at(-1)!.threshold).toBe(1);
    expect(curve.current.threshold).toBe(threshold);
    const stats = avoidableBiopsyStats(cases.map((lesion) => ({ ...lesion, biopsied: true })), threshold);
    expect(curve.current.benignAvoided).toBe(stats.benignCalledLikelyBenign);
    expect(curve.current.malignantMissed).toBe(stats.malignantMissed);
    const thresholds = curve.points.map((point) => point.threshold);
    expect([...thresholds].sort((a, b) => a - b)).toEqual(thresholds);
  });

  it("works with no cases", () => {
    const curve = whatIfCurve([], 0.4);
    expect(curve.cases).toBe(0);
    expect(curve.points.map((point) => point.threshold)).toEqual([0, 0.4, 1]);
    expect(curve.current.avoidableRate.estimate).toBeNull();
  });

  it("rejects a non-finite score", () => {
    expect(() => whatIfCurve([{ score: Number.NaN, malignant: true }], 0.3)).toThrow(RangeError);
  });
});

describe("thinnedIndices", () => {
  it("keeps everything when short enough", () => {
    expect(thinnedIndices(4, 10, 2)).toEqual([0, 1, 2, 3]);
  });

  it("spreads the kept indices evenly and adds the one that must stay", () => {
    expect(thinnedIndices(101, 6, 37)).toEqual([0, 25, 37, 50, 75, 100]);
  });
});
