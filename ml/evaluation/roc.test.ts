import { describe, expect, it } from "vitest";
import { createRng as mulberry32 } from "../random";
import { downsampleRoc, rocAuc, rocCurve, type RocPoint } from "./roc";

function trapezoidArea(points: readonly RocPoint[]): number {
  let area = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
  }
  return area;
}

describe("rocAuc", () => {
  it("counts pairs ranked correctly (scikit-learn's documented example)", () => {
    // Positives 0.35, 0.8 vs negatives 0.1, 0.4: 0.35>0.1, 0.35<0.4, 0.8>both -> 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it("counts a tied positive-negative pair as one half", () => {
    // Positives 0.5, 0.9 vs negatives 0.2, 0.5: 1 + 0.5 + 2 = 3.5 of 4 pairs.
    expect(rocAuc([0.2, 0.5, 0.5, 0.9], [0, 1, 0, 1])).toBe(0.875);
  });

  it("handles several tie groups mixing both classes", () => {
    // Positives 0.1, 0.2, 0.2 vs negatives 0.1, 0.2, 0.3:
    // 0.1 -> 0.5 (tie with 0.1); each 0.2 -> 1 (beats 0.1) + 0.5 (tie with 0.2) = 1.5; total 3.5 of 9 pairs.
    expect(rocAuc([0.1, 0.1, 0.2, 0.2, 0.2, 0.3], [1, 0, 0, 1, 1, 0])).toBeCloseTo(3.5 / 9, 15);
  });

  it("gives 0.5 when every score is tied", () => {
    expect(rocAuc([0.3, 0.3, 0.3], [0, 1, 1])).toBe(0.5);
  });

  it("gives 1 for a perfect classifier and 0 for an inverted one", () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
  });

  it("returns null when a class is absent or there are no cases", () => {
    expect(rocAuc([0.1, 0.9], [1, 1])).toBeNull();
    expect(rocAuc([0.1, 0.9], [false, false])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });

  it("accepts boolean labels and Float32Array scores", () => {
    const scores = Float32Array.from([0.1, 0.4, 0.35, 0.8]);
    expect(rocAuc(scores, [false, false, true, true])).toBe(0.75);
    expect(rocAuc(scores, Uint8Array.from([0, 0, 1, 1]))).toBe(0.75);
  });

  it("rejects malformed input instead of returning a wrong number", () => {
    expect(() => rocAuc([0.1, 0.2], [0])).toThrow(RangeError);
    expect(() => rocAuc([0.1, Number.NaN], [0, 1])).toThrow(/index 1/);
    expect(() => rocAuc([0.1, 0.2], [0, 2])).toThrow(/expected 0, 1, true or false/);
  });

  it("does not depend on the order of the cases", () => {
    const scores = [0.3, 0.1, 0.3, 0.7, 0.5, 0.5, 0.9];
    const labels = [1, 0, 0, 1, 0, 1, 1];
    const reversed = rocAuc([...scores].reverse(), [...labels].reverse());
    expect(reversed).toBe(rocAuc(scores, labels));
  });
});

describe("rocCurve", () => {
  it("has one point per distinct score after the origin, by descending threshold", () => {
    expect(rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toEqual([
      { threshold: null, fpr: 0, tpr: 0 },
      { threshold: 0.8, fpr: 0, tpr: 0.5 },
      { threshold: 0.4, fpr: 0.5, tpr: 0.5 },
      { threshold: 0.35, fpr: 0.5, tpr: 1 },
      { threshold: 0.1, fpr: 1, tpr: 1 },
    ]);
  });

  it("moves tied cases together (a diagonal step), not one point per case", () => {
    expect(rocCurve([0.2, 0.5, 0.5, 0.9], [0, 1, 0, 1])).toEqual([
      { threshold: null, fpr: 0, tpr: 0 },
      { threshold: 0.9, fpr: 0, tpr: 0.5 },
      { threshold: 0.5, fpr: 0.5, tpr: 1 },
      { threshold: 0.2, fpr: 1, tpr: 1 },
    ]);
  });

  it("encloses exactly the Mann-Whitney AUC, ties included", () => {
    const random = mulberry32(7);
    // Scores rounded to 2 decimals so that many ties occur.
    const labels = Array.from({ length: 500 }, () => (random() < 0.3 ? 1 : 0));
    const scores = labels.map((y) => Math.round((random() * 0.7 + y * 0.3) * 100) / 100);
    const curve = rocCurve(scores, labels);
    expect(curve).not.toBeNull();
    expect(trapezoidArea(curve!)).toBeCloseTo(rocAuc(scores, labels)!, 12);
  });

  it("is null when a class is absent", () => {
    expect(rocCurve([0.2, 0.4], [0, 0])).toBeNull();
  });
});

describe("downsampleRoc", () => {
  const random = mulberry32(11);
  const labels = Array.from({ length: 5000 }, () => (random() < 0.2 ? 1 : 0));
  const scores = labels.map((y) => random() + y * 0.5);
  const full = rocCurve(scores, labels)!;

  it("keeps at most maxPoints, the end points, and the curve's order", () => {
    expect(full.length).toBeGreaterThan(1000);
    const thin = downsampleRoc(full, 200);
    expect(thin.length).toBeLessThanOrEqual(200);
    expect(thin.length).toBeGreaterThan(150);
    expect(thin[0]).toEqual(full[0]);
    expect(thin.at(-1)).toEqual(full.at(-1));
    for (let i = 2; i < thin.length; i++) expect(thin[i]!.threshold!).toBeLessThan(thin[i - 1]!.threshold!);
  });

  it("stays close to the full curve's area", () => {
    expect(trapezoidArea(downsampleRoc(full, 200))).toBeCloseTo(trapezoidArea(full), 2);
  });

  it("returns short curves unchanged and rejects maxPoints < 2", () => {
    const short = rocCurve([0.1, 0.9], [0, 1])!;
    expect(downsampleRoc(short, 200)).toEqual(short);
    expect(() => downsampleRoc(full, 1)).toThrow(RangeError);
  });
});
