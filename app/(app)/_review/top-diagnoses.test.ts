import { describe, expect, it } from "vitest";
import { topDiagnoses } from "./top-diagnoses";

describe("topDiagnoses", () => {
  it("ranks the stored probabilities and labels them from the shared vocabulary", () => {
    const ranked = topDiagnoses({ akiec: 0.01, bcc: 0.04, bkl: 0.2, df: 0.02, mel: 0.13, nv: 0.58, vasc: 0.02 });
    expect(ranked.map((d) => [d.code, d.probability])).toEqual([
      ["nv", 0.58],
      ["bkl", 0.2],
      ["mel", 0.13],
    ]);
    expect(ranked[0]!.label).toBe("Melanocytic nevus");
    expect(ranked.map((d) => d.malignant)).toEqual([false, false, true]);
  });

  it("ignores codes outside the vocabulary and values that are not numbers", () => {
    expect(topDiagnoses({ mel: 0.7, scc: 0.9, nv: "0.2", bcc: Number.NaN }, 5).map((d) => d.code)).toEqual(["mel"]);
    expect(topDiagnoses(null)).toEqual([]);
    expect(topDiagnoses([0.1, 0.9])).toEqual([]);
  });
});
