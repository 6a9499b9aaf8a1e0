import { describe, expect, it } from "vitest";
import { DIAGNOSES, MALIGNANT_INDICES, malignantProbability } from "./diagnoses";

describe("diagnosis vocabulary", () => {
  it("follows the MedMNIST class order", () => {
    expect(DIAGNOSES).toEqual(["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]);
    expect(MALIGNANT_INDICES).toEqual([0, 1, 4]);
  });
  it("sums mel + bcc + akiec into P(malignant)", () => {
    expect(malignantProbability([0.1, 0.2, 0.05, 0.05, 0.3, 0.25, 0.05])).toBeCloseTo(0.6, 10);
  });
});
