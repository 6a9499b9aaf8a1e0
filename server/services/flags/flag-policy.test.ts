import { describe, expect, it } from "vitest";
import { applyFlagPolicy, type FlagKind, type FlagPolicyInput, type Impression, type Plan } from "./flag-policy";

const THRESHOLD = 0.3;
const LOW = 0.1;
const HIGH = 0.8;
const passed = { passed: true, reasons: [] };
const failed = { passed: false, reasons: ["image is blurred"] };

function input(overrides: Partial<FlagPolicyInput> & { impression?: Impression; plan?: Plan; p?: number }): FlagPolicyInput {
  return {
    assessment: { impression: overrides.impression ?? "MALIGNANT", plan: overrides.plan ?? "BIOPSY" },
    fitzpatrickType: 2,
    score: { pMalignant: overrides.p ?? LOW, threshold: THRESHOLD },
    quality: passed,
    outOfDistributionImages: 0,
    hasOutcome: false,
    deferral: "ENABLED",
    ...overrides,
  };
}

// The core table: impression x plan x score side, light skin, good image. "-" = no flag.
const CORE: [Impression, Plan, "below" | "above", FlagKind | "-"][] = [
  ["MALIGNANT", "BIOPSY", "below", "LIKELY_BENIGN"],
  ["MALIGNANT", "BIOPSY", "above", "-"],
  ["MALIGNANT", "MONITOR", "below", "LIKELY_BENIGN"],
  ["MALIGNANT", "MONITOR", "above", "-"],
  ["MALIGNANT", "DISCHARGE", "below", "LIKELY_BENIGN"],
  ["MALIGNANT", "DISCHARGE", "above", "POSSIBLE_MISSED_MALIGNANCY"],
  ["UNCERTAIN", "BIOPSY", "below", "LIKELY_BENIGN"],
  ["UNCERTAIN", "BIOPSY", "above", "-"],
  ["UNCERTAIN", "MONITOR", "below", "LIKELY_BENIGN"],
  ["UNCERTAIN", "MONITOR", "above", "-"],
  ["UNCERTAIN", "DISCHARGE", "below", "LIKELY_BENIGN"],
  ["UNCERTAIN", "DISCHARGE", "above", "POSSIBLE_MISSED_MALIGNANCY"],
  ["BENIGN", "BIOPSY", "below", "LIKELY_BENIGN"],
  ["BENIGN", "BIOPSY", "above", "-"],
  ["BENIGN", "MONITOR", "below", "-"],
  ["BENIGN", "MONITOR", "above", "POSSIBLE_MISSED_MALIGNANCY"],
  ["BENIGN", "DISCHARGE", "below", "-"],
  ["BENIGN", "DISCHARGE", "above", "POSSIBLE_MISSED_MALIGNANCY"],
];

describe("flag policy: clinician vs model", () => {
  it.each(CORE)("%s + %s, score %s threshold -> %s", (impression, plan, side, expected) => {
    const decision = applyFlagPolicy(input({ impression, plan, p: side === "below" ? LOW : HIGH }));
    expect(decision?.kind ?? "-").toBe(expected);
    if (decision) expect(decision.biopsyPlanned).toBe(plan === "BIOPSY");
  });

  it("counts a score exactly at the threshold as above it (the safe side)", () => {
    expect(applyFlagPolicy(input({ impression: "MALIGNANT", plan: "BIOPSY", p: THRESHOLD }))).toBeNull();
    expect(applyFlagPolicy(input({ impression: "BENIGN", plan: "DISCHARGE", p: THRESHOLD }))?.kind).toBe("POSSIBLE_MISSED_MALIGNANCY");
  });
});

describe("flag policy: every combination", () => {
  const impressions: Impression[] = ["BENIGN", "MALIGNANT", "UNCERTAIN"];
  const plans: Plan[] = ["BIOPSY", "MONITOR", "DISCHARGE"];
  const scores = [null, 0, LOW, THRESHOLD, HIGH, 1];
  const fitzpatrick = [null, 1, 2, 3, 4, 5, 6];
  const qualities = [passed, failed];
  const combos: FlagPolicyInput[] = [];
  for (const assessment of [null, ...impressions.flatMap((impression) => plans.map((plan) => ({ impression, plan })))])
    for (const p of scores)
      for (const fitzpatrickType of fitzpatrick)
        for (const quality of qualities)
          for (const outOfDistributionImages of [0, 1, 2])
            for (const hasOutcome of [false, true])
              for (const deferral of ["SHADOW", "ENABLED", "SUSPENDED"] as const)
                combos.push({ assessment, fitzpatrickType, quality, outOfDistributionImages, hasOutcome, deferral, score: p === null ? null : { pMalignant: p, threshold: THRESHOLD } });

  it("suggests a deferral only for LIKELY_BENIGN flags of a model whose deferral suggestions are on", () => {
    for (const combo of combos) {
      const decision = applyFlagPolicy(combo);
      if (!decision) continue;
      expect(decision.deferralSuggested).toBe(decision.kind === "LIKELY_BENIGN" && combo.deferral === "ENABLED");
      if (decision.kind === "LIKELY_BENIGN" && combo.deferral !== "ENABLED") {
        expect(decision.reason).not.toMatch(/consider deferring/);
        expect(decision.reason).toMatch(combo.deferral === "SHADOW" ? /model in local validation/ : /suspended by the safety monitor/);
      }
    }
    // The same lesion, the same score: the kind does not depend on the deferral status, only the suggestion does.
    const shadow = applyFlagPolicy(input({ impression: "MALIGNANT", plan: "BIOPSY", deferral: "SHADOW" }))!;
    const enabled = applyFlagPolicy(input({ impression: "MALIGNANT", plan: "BIOPSY", deferral: "ENABLED" }))!;
    expect([shadow.kind, shadow.deferralSuggested, enabled.kind, enabled.deferralSuggested]).toEqual(["LIKELY_BENIGN", false, "LIKELY_BENIGN", true]);
    expect(enabled.reason).toMatch(/consider deferring the biopsy/);
  });

  it("never flags Fitzpatrick V-VI likely benign; they always go to a second read", () => {
    for (const combo of combos.filter((c) => (c.fitzpatrickType ?? 0) >= 5)) {
      const decision = applyFlagPolicy(combo);
      expect(decision?.kind).not.toBe("LIKELY_BENIGN");
      if (combo.assessment && combo.score && !combo.hasOutcome) expect(decision?.kind).toBe("REVIEW_REQUIRED");
    }
  });

  it("sends every failed image-quality check to a second read, whatever the score", () => {
    for (const combo of combos.filter((c) => !c.quality.passed && c.assessment && c.score && !c.hasOutcome)) {
      const decision = applyFlagPolicy(combo);
      expect(decision?.kind).toBe("REVIEW_REQUIRED");
      expect(decision?.reason).toContain("image is blurred");
    }
  });

  it("sends a lesion with any out-of-distribution image to a second read, whatever the score", () => {
    for (const combo of combos.filter((c) => c.outOfDistributionImages > 0 && c.assessment && c.score && !c.hasOutcome)) {
      const decision = applyFlagPolicy(combo);
      expect(decision?.kind).toBe("REVIEW_REQUIRED");
      expect(decision?.deferralSuggested).toBe(false);
      expect(decision?.reason).toMatch(/out of distribution: (an image is|2 images are) unlike anything the model was trained on/);
    }
    // The same lesion with familiar images is judged on its score.
    expect(applyFlagPolicy(input({ impression: "MALIGNANT", plan: "BIOPSY", outOfDistributionImages: 0 }))?.kind).toBe("LIKELY_BENIGN");
    expect(applyFlagPolicy(input({ impression: "MALIGNANT", plan: "BIOPSY", outOfDistributionImages: 1 }))?.kind).toBe("REVIEW_REQUIRED");
  });

  it("raises nothing without an assessment, without a score, or once the biopsy outcome is in", () => {
    for (const combo of combos.filter((c) => !c.assessment || !c.score || c.hasOutcome)) {
      expect(applyFlagPolicy(combo)).toBeNull();
    }
  });

  it("never calls a lesion likely benign when the model scores it at or above the threshold", () => {
    for (const combo of combos.filter((c) => c.score && c.score.pMalignant >= THRESHOLD)) {
      expect(applyFlagPolicy(combo)?.kind).not.toBe("LIKELY_BENIGN");
    }
  });

  it("states the score and the threshold in every reason, so a reviewer sees why", () => {
    for (const combo of combos) {
      const decision = applyFlagPolicy(combo);
      if (decision) expect(decision.reason).toMatch(/P\(malignant\) \d+\.\d% vs threshold 30\.0%/);
    }
  });
});
