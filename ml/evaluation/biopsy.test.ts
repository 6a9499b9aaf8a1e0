import { describe, expect, it } from "vitest";
import { avoidableBiopsyStats, type BiopsyCase, numberNeededToBiopsy } from "./biopsy";
import { wilsonInterval } from "./wilson";

// Operating threshold 0.3: score < 0.3 is "likely benign".
const table: BiopsyCase[] = [
  { score: 0.1, malignant: false, biopsied: true }, // benign, avoidable
  { score: 0.2, malignant: false, biopsied: true }, // benign, avoidable
  { score: 0.15, malignant: false, biopsied: true }, // benign, avoidable
  { score: 0.5, malignant: false, biopsied: true }, // benign, still biopsied
  { score: 0.3, malignant: false, biopsied: true }, // benign at the threshold: not likely benign
  { score: 0.25, malignant: true, biopsied: true }, // malignant, would be missed
  { score: 0.8, malignant: true, biopsied: true }, // malignant, found
  { score: 0.05, malignant: false, biopsied: false }, // not biopsied: excluded
  { score: 0.02, malignant: true, biopsied: false }, // not biopsied: excluded
];

describe("avoidableBiopsyStats", () => {
  it("counts avoidable benign biopsies and the malignancies deferral would miss", () => {
    const stats = avoidableBiopsyStats(table, 0.3);
    expect(stats).toMatchObject({
      threshold: 0.3,
      benignBiopsied: 5,
      benignCalledLikelyBenign: 3,
      malignantBiopsied: 2,
      malignantMissed: 1,
      // 7 biopsies for 2 malignancies; deferring the 4 below threshold leaves 3 biopsies finding 1.
      numberNeededToBiopsy: 3.5,
      numberNeededToBiopsyIfDeferred: 3,
    });
    expect(stats.avoidableRate).toEqual(wilsonInterval(3, 5));
    expect(stats.avoidableRate.estimate).toBe(0.6);
    expect(stats.missedRate.estimate).toBe(0.5);
  });

  it("reports empty rates as null rather than 0", () => {
    const stats = avoidableBiopsyStats([{ score: 0.9, malignant: false, biopsied: false }], 0.3);
    expect(stats.avoidableRate.estimate).toBeNull();
    expect(stats.missedRate.estimate).toBeNull();
    expect(stats.numberNeededToBiopsy).toBeNull();
  });

  it("rejects a non-finite score or a NaN threshold", () => {
    expect(() => avoidableBiopsyStats([{ score: Number.NaN, malignant: false, biopsied: true }], 0.3)).toThrow(RangeError);
    expect(() => avoidableBiopsyStats(table, Number.NaN)).toThrow(RangeError);
  });
});

describe("numberNeededToBiopsy", () => {
  it("divides biopsies by malignancies found", () => {
    expect(numberNeededToBiopsy(148, 10)).toBe(14.8);
    expect(numberNeededToBiopsy(5, 0)).toBeNull();
    expect(() => numberNeededToBiopsy(2, 3)).toThrow(RangeError);
  });
});
