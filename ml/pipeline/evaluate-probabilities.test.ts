import { describe, expect, it } from "vitest";
import type { ImageRecord } from "../data";
import { DIAGNOSES, type Diagnosis } from "../diagnoses";
import { selectOperatingThreshold } from "../evaluation";
import { evaluateProbabilities } from "./evaluate-probabilities";

/** A record with a probability row putting `pMalignant` on mel (or nv for the rest) and the rest on `second`. */
function make(
  id: string,
  split: ImageRecord["split"],
  diagnosis: Diagnosis | null,
  malignant: boolean | null,
  extra: Partial<ImageRecord> = {},
): ImageRecord {
  return { id, file: `/data/${id}.jpg`, split, diagnosis, malignant, lesionId: `L_${id}`, dxType: "histo", age: 50, sex: "female", site: "back", ...extra };
}

function row(pMalignant: number, top: Diagnosis = pMalignant >= 0.5 ? "mel" : "nv"): number[] {
  const p = new Array<number>(DIAGNOSES.length).fill(0);
  const malignantSlot = top === "bcc" || top === "akiec" ? top : "mel";
  p[DIAGNOSES.indexOf(malignantSlot)] = pMalignant;
  p[DIAGNOSES.indexOf(top === malignantSlot ? "nv" : top)] = 1 - pMalignant;
  return p;
}

const records: ImageRecord[] = [
  make("t1", "train", "mel", true, { lesionId: "SHARED" }),
  make("t2", "train", "nv", false),
  make("v1", "val", "mel", true),
  make("v2", "val", "bcc", true),
  make("v3", "val", "nv", false),
  make("v4", "val", "nv", false),
  make("v5", "val", "bkl", false),
  make("x1", "test", "mel", true, { lesionId: "SHARED", sex: "male", age: 70 }),
  make("x2", "test", "nv", false, { dxType: "follow_up", age: 20 }),
  make("x3", "test", "bkl", false, { lesionId: "TWO_IMAGES" }),
  make("x4", "test", "bkl", false, { lesionId: "TWO_IMAGES" }),
  make("x5", "test", "bcc", true, { site: "face", age: null }),
  make("x6", "test", "df", false, { sex: null }),
  make("u1", "test", null, null),
];

const probabilities = new Map<string, number[]>([
  ["v1", row(0.9)],
  ["v2", row(0.4, "bcc")],
  ["v3", row(0.5)],
  ["v4", row(0.1)],
  ["v5", row(0.3, "bkl")],
  ["x1", row(0.8)],
  ["x2", row(0.05)],
  ["x3", row(0.2, "bkl")],
  ["x4", row(0.45, "bkl")],
  ["x5", row(0.35, "bcc")],
  ["x6", row(0.6, "df")],
]);

describe("evaluateProbabilities", () => {
  const report = evaluateProbabilities({ records, probabilitiesById: probabilities, backend: "test", labelMode: "diagnosis", binary: { bootstrapResamples: 200 } });

  it("chooses the threshold on validation only, for the target sensitivity", () => {
    const val = ["v1", "v2", "v3", "v4", "v5"];
    const expected = selectOperatingThreshold(
      val.map((id) => probabilities.get(id)![DIAGNOSES.indexOf("mel")]! + probabilities.get(id)![DIAGNOSES.indexOf("bcc")]!),
      [true, true, false, false, false],
      0.95,
    );
    expect(report.threshold).toMatchObject({ value: 0.4, chosenOn: "validation", targetSensitivity: 0.95 });
    expect(report.threshold.value).toBe(expected.threshold);
    expect(report.threshold.validation).toEqual({ n: 5, positives: 2, negatives: 3, sensitivity: 1, specificity: 2 / 3 });
  });

  it("reports the official test split without unlabelled images, which are counted", () => {
    expect(report.test).toMatchObject({ name: "test", n: 6, malignant: 2, benign: 4, lesions: 5 });
    expect(report.excluded.unlabelledImages).toBe(1);
    // At 0.4: x1 (0.8) and x5 (0.35 < 0.4) -> 1 of 2 malignant caught; x4 (0.45) and x6 (0.6) are false positives.
    expect(report.test.binary.counts).toMatchObject({ tp: 1, fn: 1, fp: 2, tn: 2 });
    expect(report.test.binary.metrics.sensitivity.estimate).toBe(0.5);
    expect(report.test.binary.aucInterval).not.toBeNull();
    expect(report.test.binary.reliability).toHaveLength(10);
    expect(report.test.multiclass).toMatchObject({ n: 6, classesEvaluated: 5 });
    // Wrong calls: x5 (bcc, argmax nv at 0.65) and x6 (df, argmax mel at 0.6).
    expect(report.test.multiclass!.accuracy).toBeCloseTo(4 / 6, 10);
    expect(report.test.multiclass!.confusionMatrix.rows[DIAGNOSES.indexOf("bcc")]![DIAGNOSES.indexOf("nv")]).toBe(1);
    expect(report.test.multiclass!.confusionMatrix.rows[DIAGNOSES.indexOf("df")]![DIAGNOSES.indexOf("mel")]).toBe(1);
    expect(report.test.multiclass!.perClassAuc.vasc).toBeNull();
  });

  it("separates the lesion-disjoint part (x1 shares a lesion with training) and the biopsied part", () => {
    expect(report.lesionDisjointTest!.n).toBe(5);
    expect(report.lesionDisjointTest!.malignant).toBe(1);
    expect(report.histoTest!.n).toBe(5); // x2 is follow-up
  });

  it("counts avoidable biopsies per image and per lesion (a lesion is deferred only if all its images are)", () => {
    const biopsy = report.test.biopsy!;
    // Biopsied benign images: x3 (0.2, deferred), x4 (0.45), x6 (0.6) -> 1 of 3; malignant: x1 kept, x5 missed.
    expect(biopsy.perImage).toMatchObject({ benignBiopsied: 3, benignCalledLikelyBenign: 1, malignantBiopsied: 2, malignantMissed: 1 });
    // Per lesion, TWO_IMAGES scores max(0.2, 0.45) = 0.45 -> not deferred.
    expect(biopsy.perLesion).toMatchObject({ benignBiopsied: 2, benignCalledLikelyBenign: 0, malignantBiopsied: 2, malignantMissed: 1 });
  });

  it("breaks results down by sex, age band and site, and says Fitzpatrick is unavailable", () => {
    expect(report.test.subgroups.sex.map((g) => [g.group, g.n])).toEqual([["female", 4], ["male", 1], ["unknown", 1]]);
    expect(report.test.subgroups.ageBand.map((g) => g.group)).toEqual(["<30", "45-59", "60-74", "unknown"]);
    expect(report.test.subgroups.site.map((g) => g.group)).toEqual(["back", "face"]);
    expect(report.test.subgroups.fitzpatrick).toBeNull();
    expect(report.notes.join(" ")).toMatch(/Fitzpatrick/);
  });

  it("is plain JSON (survives a round trip unchanged)", () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("uses a given threshold instead, reporting what it does on validation", () => {
    const given = evaluateProbabilities({ records, probabilitiesById: probabilities, backend: "test", labelMode: "diagnosis", threshold: 0.5, binary: { bootstrapResamples: 0 } });
    expect(given.threshold).toMatchObject({ value: 0.5, chosenOn: "given" });
    expect(given.threshold.validation).toMatchObject({ sensitivity: 0.5, specificity: 2 / 3 });
    expect(given.test.binary.aucInterval).toBeNull();
  });

  it("leaves 7-class metrics out for binary-only data, and refuses to invent a threshold without validation cases", () => {
    const binaryOnly = records.map((r) => ({ ...r, diagnosis: null }));
    const result = evaluateProbabilities({ records: binaryOnly, probabilitiesById: probabilities, backend: "test", labelMode: "malignancy", binary: { bootstrapResamples: 0 } });
    expect(result.test.multiclass).toBeNull();
    expect(result.notes.join(" ")).toMatch(/benign\/malignant labels only/);
    const noVal = records.filter((r) => r.split !== "val");
    expect(() => evaluateProbabilities({ records: noVal, probabilitiesById: probabilities, backend: "test", labelMode: "diagnosis" })).toThrow(/validation/);
  });
});
