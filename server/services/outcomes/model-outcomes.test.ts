import { describe, expect, it } from "vitest";
import { summariseBiopsies } from "./biopsy-summary";
import { CLINICIAN_CALL_RULE } from "./clinician-call";
import { summariseModelOutcomes } from "./model-outcomes";
import { HAND_ROWS, row, WILSON } from "./outcome-rows.test-helper";

const THRESHOLD = 0.3;
const figures = summariseModelOutcomes(HAND_ROWS, { threshold: THRESHOLD, costPerBiopsy: 300 });

describe("biopsy counts without a model", () => {
  it("counts lesions with a histopathology outcome as biopsies and computes NNB as practised", () => {
    // Biopsied: A-G and I (8), of which C, E, F, I are malignant; H is a follow-up confirmation.
    expect(summariseBiopsies(HAND_ROWS)).toEqual({
      lesions: 9,
      biopsied: 8,
      benignBiopsied: 4,
      malignantBiopsied: 4,
      notBiopsied: 1,
      numberNeededToBiopsy: 2,
    });
  });

  it("has no NNB when nothing was biopsied or nothing was malignant", () => {
    expect(summariseBiopsies([])).toEqual({ lesions: 0, biopsied: 0, benignBiopsied: 0, malignantBiopsied: 0, notBiopsied: 0, numberNeededToBiopsy: null });
    const benignOnly = summariseBiopsies([row({ lesionId: "x", score: 0.1, malignant: false, month: "2025-01" })]);
    expect(benignOnly.numberNeededToBiopsy).toBeNull();
    expect(benignOnly.benignBiopsied).toBe(1);
  });
});

describe("model figures on the hand-made cases (threshold 0.3)", () => {
  it("counts only scored biopsied lesions as cases", () => {
    expect(figures.scoredBiopsied).toBe(7); // A-G
    expect(figures.unscoredBiopsied).toBe(1); // I
  });

  it("avoidable benign biopsies, missed malignancies and NNB before and after", () => {
    const { biopsy } = figures;
    expect(biopsy.benignBiopsied).toBe(4); // A B D G
    expect(biopsy.benignCalledLikelyBenign).toBe(2); // A 0.10, B 0.20 (G at exactly 0.30 is called malignant)
    expect(biopsy.avoidableRate.estimate).toBe(0.5);
    expect(biopsy.avoidableRate.lower).toBeCloseTo(WILSON["2/4"][0], 12);
    expect(biopsy.avoidableRate.upper).toBeCloseTo(WILSON["2/4"][1], 12);
    expect(biopsy.malignantBiopsied).toBe(3); // C E F
    expect(biopsy.malignantMissed).toBe(1); // C 0.25
    expect(biopsy.missedRate.estimate).toBeCloseTo(1 / 3, 12);
    expect(biopsy.missedRate.lower).toBeCloseTo(WILSON["1/3"][0], 12);
    expect(biopsy.numberNeededToBiopsy).toBeCloseTo(7 / 3, 12);
    // Kept: D E F G (4 biopsies) finding E F (2 malignancies).
    expect(biopsy.numberNeededToBiopsyIfDeferred).toBe(2);
    expect(figures.estimatedSaving).toBe(600);
  });

  it("lists the missed malignancies", () => {
    expect(figures.missedLesions).toEqual([{ lesionId: "C", score: 0.25 }]);
  });

  it("compares model and clinician on the same assessed biopsied lesions", () => {
    const { comparison } = figures;
    expect(comparison.rule).toBe(CLINICIAN_CALL_RULE);
    expect(comparison.n).toBe(6); // A B C D E G (F has no assessment)
    expect(comparison.withoutAssessment).toBe(1);
    // Model: E TP; C FN; D, G FP (G at the threshold); A, B TN.
    expect(comparison.model.counts).toEqual({ tp: 1, fp: 2, tn: 2, fn: 1, positives: 2, negatives: 4, total: 6 });
    // Clinician: A (uncertain), B (malignant), D (biopsy planned), E call malignant; C, G do not.
    expect(comparison.clinician.counts).toEqual({ tp: 1, fp: 3, tn: 1, fn: 1, positives: 2, negatives: 4, total: 6 });

    const model = comparison.model.metrics;
    expect([model.sensitivity.estimate, model.specificity.estimate, model.ppv.estimate, model.npv.estimate]).toEqual([0.5, 0.5, 1 / 3, 2 / 3]);
    expect(model.sensitivity.lower).toBeCloseTo(WILSON["1/2"][0], 12);
    expect(model.sensitivity.upper).toBeCloseTo(WILSON["1/2"][1], 12);
    expect(model.npv.lower).toBeCloseTo(WILSON["2/3"][0], 12);
    const clinician = comparison.clinician.metrics;
    expect([clinician.sensitivity.estimate, clinician.specificity.estimate, clinician.ppv.estimate, clinician.npv.estimate]).toEqual([0.5, 0.25, 0.25, 0.5]);
    expect(clinician.specificity.lower).toBeCloseTo(WILSON["1/4"][0], 12);
    expect(clinician.specificity.upper).toBeCloseTo(WILSON["1/4"][1], 12);
  });

  it("ROC with AUC and the operating point", () => {
    const { roc } = figures;
    expect([roc.n, roc.positives, roc.negatives]).toEqual([7, 3, 4]);
    // Pairs malignant > benign: 0.25 beats 0.10, 0.20; 0.70 and 0.90 beat all four: 10 of 12.
    expect(roc.auc).toBeCloseTo(10 / 12, 12);
    expect(roc.operatingPoint).toEqual({ fpr: 0.5, tpr: 2 / 3 });
    expect(roc.points?.map((point) => [point.threshold, point.fpr, point.tpr])).toEqual([
      [null, 0, 0],
      [0.9, 0, 1 / 3],
      [0.7, 0, 2 / 3],
      [0.4, 0.25, 2 / 3],
      [0.3, 0.5, 2 / 3],
      [0.25, 0.5, 1],
      [0.2, 0.75, 1],
      [0.1, 1, 1],
    ]);
  });

  it("reliability bins and ECE", () => {
    const { calibration } = figures;
    expect(calibration.n).toBe(7);
    expect(calibration.bins).toHaveLength(10);
    expect(calibration.bins.map((bin) => bin.count)).toEqual([0, 1, 2, 1, 1, 0, 0, 1, 0, 1]);
    const bin2 = calibration.bins[2]!;
    expect(bin2.meanPredicted).toBeCloseTo(0.225, 12);
    expect(bin2.observedFraction).toBe(0.5);
    // (0.1 + 2 * 0.275 + 0.3 + 0.4 + 0.3 + 0.1) / 7
    expect(calibration.ece).toBeCloseTo(0.25, 12);
  });

  it("AUC over every scored confirmed lesion, biopsied or not", () => {
    // Adds H (0.05, benign): 13 of 15 pairs.
    expect(figures.allConfirmed).toEqual({ n: 8, positives: 3, negatives: 5, auc: expect.closeTo(13 / 15, 12) });
  });

  it("subgroups by Fitzpatrick type, sex, age band and body site, in a fixed order", () => {
    const fitz = figures.subgroups.fitzpatrick;
    expect(fitz.map((group) => [group.group, group.n, group.positives])).toEqual([
      ["Type I", 1, 1],
      ["Type II", 3, 1],
      ["Type V", 1, 1],
      ["not recorded", 2, 0],
    ]);
    const typeII = fitz[1]!;
    expect(typeII.auc).toBe(1);
    expect(typeII.sensitivity.estimate).toBe(1);
    expect(typeII.specificity.estimate).toBe(1);
    expect(fitz[2]!.sensitivity.estimate).toBe(0); // C missed
    expect(fitz[3]!.auc).toBeNull(); // D, G: one class
    expect(fitz[3]!.sensitivity.estimate).toBeNull();
    expect(fitz[3]!.specificity.estimate).toBe(0);

    expect(figures.subgroups.sex.map((group) => [group.group, group.n])).toEqual([
      ["female", 3],
      ["male", 2],
      ["other", 1],
      ["not recorded", 1],
    ]);
    expect(figures.subgroups.ageBand.map((group) => [group.group, group.n])).toEqual([
      ["<30", 1],
      ["30-44", 1],
      ["45-59", 1],
      ["60-74", 2],
      ["75+", 1],
      ["not recorded", 1],
    ]);
    expect(figures.subgroups.bodySite.map((group) => [group.group, group.n, group.positives])).toEqual([
      ["back", 4, 0],
      ["face", 2, 2],
      ["trunk", 1, 1],
    ]);
  });

  it("the what-if curve passes through the operating point with the same counts", () => {
    const { whatIf } = figures;
    expect([whatIf.cases, whatIf.benign, whatIf.malignant, whatIf.currentThreshold]).toEqual([7, 4, 3, 0.3]);
    expect(whatIf.current.benignAvoided).toBe(figures.biopsy.benignCalledLikelyBenign);
    expect(whatIf.current.malignantMissed).toBe(figures.biopsy.malignantMissed);
    expect(whatIf.points.map((point) => [point.threshold, point.benignAvoided, point.malignantMissed])).toEqual([
      [0, 0, 0],
      [0.1, 0, 0],
      [0.2, 1, 0],
      [0.25, 2, 0],
      [0.3, 2, 1],
      [0.4, 3, 1],
      [0.7, 4, 1],
      [0.9, 4, 2],
      [1, 4, 3],
    ]);
  });
});

describe("model figures on degenerate data", () => {
  it("no outcomes: counts are zero and every rate, AUC and ECE is null rather than invented", () => {
    const empty = summariseModelOutcomes([], { threshold: THRESHOLD, costPerBiopsy: 300 });
    expect(empty.scoredBiopsied).toBe(0);
    expect(empty.biopsy.avoidableRate.estimate).toBeNull();
    expect(empty.biopsy.missedRate.estimate).toBeNull();
    expect(empty.biopsy.numberNeededToBiopsy).toBeNull();
    expect(empty.estimatedSaving).toBe(0);
    expect(empty.comparison.n).toBe(0);
    expect(empty.comparison.model.metrics.sensitivity.estimate).toBeNull();
    expect(empty.roc).toEqual({ n: 0, positives: 0, negatives: 0, auc: null, points: null, operatingPoint: null });
    expect(empty.calibration.ece).toBeNull();
    expect(empty.calibration.bins.every((bin) => bin.count === 0)).toBe(true);
    expect(empty.allConfirmed.auc).toBeNull();
    expect(empty.subgroups).toEqual({ fitzpatrick: [], sex: [], ageBand: [], bodySite: [] });
    expect(empty.whatIf.points.map((point) => point.threshold)).toEqual([0, 0.3, 1]);
    expect(empty.whatIf.current.benignAvoided).toBe(0);
    expect(empty.missedLesions).toEqual([]);
  });

  it("only benign biopsies: specificity and avoidable rate exist, sensitivity, AUC and NNB do not", () => {
    const benign = [
      row({ lesionId: "a", score: 0.1, malignant: false, month: "2025-01", impression: "MALIGNANT", plan: "BIOPSY" }),
      row({ lesionId: "b", score: 0.5, malignant: false, month: "2025-01", impression: "UNCERTAIN", plan: "BIOPSY" }),
    ];
    const result = summariseModelOutcomes(benign, { threshold: THRESHOLD, costPerBiopsy: 250 });
    expect(result.biopsy.benignCalledLikelyBenign).toBe(1);
    expect(result.biopsy.avoidableRate.estimate).toBe(0.5);
    expect(result.biopsy.missedRate.estimate).toBeNull();
    expect(result.biopsy.numberNeededToBiopsy).toBeNull();
    expect(result.estimatedSaving).toBe(250);
    expect(result.roc.auc).toBeNull();
    expect(result.roc.points).toBeNull();
    expect(result.comparison.model.metrics.specificity.estimate).toBe(0.5);
    expect(result.comparison.model.metrics.sensitivity.estimate).toBeNull();
    expect(result.comparison.clinician.metrics.specificity.estimate).toBe(0);
    expect(result.calibration.ece).toBeCloseTo((0.1 + 0.5) / 2, 12);
  });

  it("only malignant biopsies: sensitivity and missed rate exist, specificity and avoidable rate do not", () => {
    const malignant = [
      row({ lesionId: "a", score: 0.2, malignant: true, month: "2025-01" }),
      row({ lesionId: "b", score: 0.8, malignant: true, month: "2025-01" }),
    ];
    const result = summariseModelOutcomes(malignant, { threshold: THRESHOLD, costPerBiopsy: 300 });
    expect(result.biopsy.malignantMissed).toBe(1);
    expect(result.biopsy.missedRate.estimate).toBe(0.5);
    expect(result.biopsy.avoidableRate.estimate).toBeNull();
    expect(result.biopsy.numberNeededToBiopsy).toBe(1);
    expect(result.roc.auc).toBeNull();
    expect(result.missedLesions).toEqual([{ lesionId: "a", score: 0.2 }]);
    expect(result.comparison.n).toBe(0); // no assessments
  });
});

describe("lesions the model was trained on", () => {
  const seen = (letters: string[]) => HAND_ROWS.map((hand) => ({ ...hand, seenInTraining: letters.includes(hand.lesionId) }));

  it("are left out of every model figure and counted (biopsied ones)", () => {
    // E and F (malignant, scored high) and H (follow-up, not biopsied) were training lesions.
    const left = summariseModelOutcomes(seen(["E", "F", "H"]), { threshold: THRESHOLD, costPerBiopsy: 300 });
    const unseen = summariseModelOutcomes(
      HAND_ROWS.filter((hand) => !["E", "F", "H"].includes(hand.lesionId)),
      { threshold: THRESHOLD, costPerBiopsy: 300 },
    );
    expect(left.trainingLeftOut).toBe(2);
    expect({ ...left, trainingLeftOut: 0 }).toEqual(unseen);
    // Included, they made the model look better: C is the only malignancy left, and it is missed.
    expect(figures.biopsy.missedRate.estimate).toBeCloseTo(1 / 3, 12);
    expect(left.biopsy.missedRate.estimate).toBe(1);
    expect(left.scoredBiopsied).toBe(5);
    expect(left.allConfirmed.n).toBe(5);
  });

  it("an unscored training lesion is not counted as unscored", () => {
    const left = summariseModelOutcomes(seen(["I"]), { threshold: THRESHOLD, costPerBiopsy: 300 });
    expect(left.unscoredBiopsied).toBe(0);
    expect(left.trainingLeftOut).toBe(1);
  });
});
