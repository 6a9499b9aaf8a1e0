import { describe, expect, it } from "vitest";
import { bootstrapInterval, quantileOfSorted } from "./bootstrap";

const values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];
function meanOf(resample: { indices: Uint32Array }): number {
  let sum = 0;
  for (const i of resample.indices) sum += values[i]!;
  return sum / resample.indices.length;
}

describe("bootstrapInterval", () => {
  it("is deterministic for a seed and changes with the seed", () => {
    const a = bootstrapInterval(values.length, meanOf, { seed: 5, resamples: 500 });
    const b = bootstrapInterval(values.length, meanOf, { seed: 5, resamples: 500 });
    const c = bootstrapInterval(values.length, meanOf, { seed: 6, resamples: 500 });
    expect(b).toEqual(a);
    expect(c.lower === a.lower && c.upper === a.upper).toBe(false);
    expect(a).toMatchObject({ confidence: 0.95, resamples: 500, validResamples: 500, seed: 5 });
  });

  it("brackets the sample mean, and a wider confidence gives a wider interval", () => {
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const ci95 = bootstrapInterval(values.length, meanOf, { seed: 1 });
    const ci80 = bootstrapInterval(values.length, meanOf, { seed: 1, confidence: 0.8 });
    expect(ci95.lower!).toBeLessThan(mean);
    expect(ci95.upper!).toBeGreaterThan(mean);
    expect(ci80.lower!).toBeGreaterThan(ci95.lower!);
    expect(ci80.upper!).toBeLessThan(ci95.upper!);
  });

  it("draws one index per case, with counts that agree with the indices", () => {
    bootstrapInterval(
      20,
      ({ indices, counts }) => {
        expect(indices.length).toBe(20);
        const recount = new Uint32Array(20);
        for (const i of indices) recount[i]!++;
        expect(counts).toEqual(recount);
        return 0;
      },
      { resamples: 20, seed: 3 },
    );
  });

  it("keeps each stratum's size when strata are given", () => {
    const strata = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    bootstrapInterval(
      strata.length,
      ({ counts }) => {
        expect(counts[0]! + counts[1]! + counts[2]!).toBe(3);
        expect(counts.slice(3).reduce((s, c) => s + c, 0)).toBe(7);
        return 0;
      },
      { resamples: 50, seed: 9, strata },
    );
  });

  it("skips and counts resamples where the statistic is undefined", () => {
    // Statistic undefined whenever case 0 is not drawn.
    const ci = bootstrapInterval(4, ({ counts }) => (counts[0] === 0 ? null : counts[0]!), { resamples: 400, seed: 2 });
    // P(case 0 not drawn in 4 draws) = (3/4)^4 ~ 0.32.
    expect(ci.validResamples).toBeGreaterThan(220);
    expect(ci.validResamples).toBeLessThan(320);
    const never = bootstrapInterval(4, () => null, { resamples: 10 });
    expect(never).toMatchObject({ lower: null, upper: null, validResamples: 0 });
  });

  it("gives a zero-width interval for a constant statistic", () => {
    expect(bootstrapInterval(10, () => 0.7, { resamples: 50 })).toMatchObject({ lower: 0.7, upper: 0.7 });
  });

  it("rejects bad options", () => {
    expect(() => bootstrapInterval(10, () => 0, { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapInterval(10, () => 0, { confidence: 1 })).toThrow(RangeError);
    expect(() => bootstrapInterval(10, () => 0, { strata: [0, 1] })).toThrow(RangeError);
  });
});

describe("bootstrapInterval over clusters (lesions)", () => {
  // Hand-made: 5 lesions photographed 4 times each; the statistic is the mean of a per-lesion value.
  const lesionOf = Array.from({ length: 20 }, (_, i) => Math.floor(i / 4));
  const value = lesionOf.map((lesion) => [0, 0, 1, 1, 1][lesion]!);
  const mean = ({ indices }: { indices: Uint32Array }) => indices.reduce((s, i) => s + value[i]!, 0) / indices.length;

  it("draws whole lesions: every drawn lesion brings all its images", () => {
    bootstrapInterval(
      20,
      ({ indices, counts }) => {
        expect(indices.length % 4).toBe(0);
        for (let lesion = 0; lesion < 5; lesion++) {
          const c = [0, 1, 2, 3].map((k) => counts[lesion * 4 + k]!);
          expect(new Set(c).size).toBe(1);
        }
        return 0;
      },
      { resamples: 50, clusters: lesionOf },
    );
  });

  it("is wider than the per-image interval when images of a lesion are copies (5 cases, not 20)", () => {
    const perImage = bootstrapInterval(20, mean, { resamples: 2000, seed: 4 });
    const perLesion = bootstrapInterval(20, mean, { resamples: 2000, seed: 4, clusters: lesionOf });
    expect(perLesion.upper! - perLesion.lower!).toBeGreaterThan(1.5 * (perImage.upper! - perImage.lower!));
    // ...and matches the interval of the 5 lesions counted once each.
    const once = bootstrapInterval(5, ({ indices }) => indices.reduce((s, i) => s + [0, 0, 1, 1, 1][i]!, 0) / indices.length, { resamples: 2000, seed: 4 });
    expect(perLesion.lower).toBeCloseTo(once.lower!, 1);
    expect(perLesion.upper).toBeCloseTo(once.upper!, 1);
  });

  it("keeps every stratum's lesion count when stratified, and checks its inputs", () => {
    bootstrapInterval(
      20,
      ({ indices }) => {
        const positiveLesions = indices.filter((i) => value[i] === 1).length / 4;
        expect(positiveLesions).toBe(3);
        return 0;
      },
      { resamples: 50, clusters: lesionOf, strata: value },
    );
    expect(() => bootstrapInterval(20, () => 0, { clusters: [1, 2] })).toThrow(RangeError);
  });
});

describe("quantileOfSorted", () => {
  it("interpolates linearly between order statistics (R type 7)", () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileOfSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileOfSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileOfSorted([5], 0.975)).toBe(5);
    expect(() => quantileOfSorted([], 0.5)).toThrow(RangeError);
  });
});
