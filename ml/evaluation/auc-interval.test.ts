import { describe, expect, it } from "vitest";
import { bootstrapAucInterval } from "./auc-interval";
import { bootstrapInterval } from "./bootstrap";
import { createRng as mulberry32 } from "../random";
import { rocAuc } from "./roc";

function syntheticCases(n: number, seed: number): { scores: number[]; labels: number[] } {
  const random = mulberry32(seed);
  const labels = Array.from({ length: n }, () => (random() < 0.25 ? 1 : 0));
  // Rounded so that ties occur.
  const scores = labels.map((y) => Math.round((random() * 0.8 + y * 0.25) * 50) / 50);
  return { scores, labels };
}

describe("bootstrapAucInterval", () => {
  const { scores, labels } = syntheticCases(400, 21);
  const auc = rocAuc(scores, labels)!;

  it("is deterministic for a seed and brackets the sample AUC", () => {
    const a = bootstrapAucInterval(scores, labels, { seed: 4 });
    const b = bootstrapAucInterval(scores, labels, { seed: 4 });
    expect(a).toEqual(b);
    expect(a!.lower!).toBeLessThan(auc);
    expect(a!.upper!).toBeGreaterThan(auc);
    expect(a!.upper! - a!.lower!).toBeLessThan(0.2);
    // Stratified: no resample loses a class.
    expect(a!.validResamples).toBe(1000);
  });

  it("equals the interval from recomputing rocAuc on every materialised resample", () => {
    const positive = labels.map((y) => y === 1);
    const slow = bootstrapInterval(
      scores.length,
      ({ indices }) => rocAuc(Array.from(indices, (i) => scores[i]!), Array.from(indices, (i) => labels[i]!)),
      { resamples: 200, seed: 8, strata: Uint8Array.from(positive, (p) => (p ? 1 : 0)) },
    );
    expect(bootstrapAucInterval(scores, labels, { resamples: 200, seed: 8 })).toEqual(slow);
  });

  it("is null when a class is absent", () => {
    expect(bootstrapAucInterval([0.2, 0.3], [1, 1])).toBeNull();
  });
});
