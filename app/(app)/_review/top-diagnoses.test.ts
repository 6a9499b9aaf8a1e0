import { describe, expect, it } from "vitest";
import { diagnosisProbabilitiesSchema } from "@/ml/diagnoses";
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

  it("ranks only the codes a row has, and nothing without a row", () => {
    expect(topDiagnoses({ mel: 0.7, nv: 0.2 }, 5).map((d) => d.code)).toEqual(["mel", "nv"]);
    expect(topDiagnoses(null)).toEqual([]);
  });

  it("never sees a foreign code or a non-number: the server's schema refuses the stored row", () => {
    for (const stored of [{ mel: 0.7, scc: 0.9 }, { nv: "0.2" }, { bcc: Number.NaN }, [0.1, 0.9]]) {
      expect(diagnosisProbabilitiesSchema.safeParse(stored).success).toBe(false);
    }
  });
});
