import { describe, expect, it } from "vitest";
import { classWeights } from "./class-weights";

describe("classWeights", () => {
  // 6 of class 0, 2 of class 1, 0 of class 2.
  const labels = [0, 0, 0, 0, 0, 0, 1, 1];
  const meanOverCases = (w: Float32Array) => labels.reduce((s, y) => s + w[y]!, 0) / labels.length;

  it("balanced: inverse frequency, rescaled to mean 1 over the cases; absent classes get 0", () => {
    const w = classWeights(labels, 3, "balanced");
    expect(w[1]! / w[0]!).toBeCloseTo(3, 5);
    expect(w[2]).toBe(0);
    expect(meanOverCases(w)).toBeCloseTo(1, 5);
  });
  it("sqrt: the square root of the inverse frequency ratio", () => {
    const w = classWeights(labels, 3, "sqrt");
    expect(w[1]! / w[0]!).toBeCloseTo(Math.sqrt(3), 5);
    expect(meanOverCases(w)).toBeCloseTo(1, 5);
  });
  it("none: ones for every class present", () => {
    expect(Array.from(classWeights(labels, 3, "none"))).toEqual([1, 1, 0]);
    expect(Array.from(classWeights([0, 1, 2], 3, "none"))).toEqual([1, 1, 1]);
  });
  it("rejects labels that are not class indices", () => {
    expect(() => classWeights([0, 3], 3, "none")).toThrow(RangeError);
    expect(() => classWeights([0.5], 3, "none")).toThrow(RangeError);
  });
});
