import { describe, expect, it } from "vitest";
import { cosineLearningRate } from "./learning-rate";

describe("cosineLearningRate", () => {
  const schedule = { peak: 0.01, warmupFraction: 0.1, finalFraction: 0.01 };
  it("warms up linearly, peaks, then decays by a half cosine to the floor", () => {
    expect(cosineLearningRate(0.05, schedule)).toBeCloseTo(0.005, 10);
    expect(cosineLearningRate(0.1, schedule)).toBeCloseTo(0.01, 10);
    expect(cosineLearningRate(0.55, schedule)).toBeCloseTo(0.0001 + (0.01 - 0.0001) * 0.5, 10);
    expect(cosineLearningRate(1, schedule)).toBeCloseTo(0.0001, 10);
    expect(cosineLearningRate(2, schedule)).toBeCloseTo(0.0001, 10);
  });
  it("never returns zero at the very first step and decreases after the warm-up", () => {
    expect(cosineLearningRate(0, schedule)).toBeGreaterThan(0);
    let previous = Infinity;
    for (let p = 0.1; p <= 1; p += 0.05) {
      const lr = cosineLearningRate(p, schedule);
      expect(lr).toBeLessThanOrEqual(previous);
      previous = lr;
    }
  });
});
