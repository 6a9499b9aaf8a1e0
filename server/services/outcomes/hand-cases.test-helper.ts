/**
 * Writes the hand-made cases of outcome-rows.test-helper.ts into a real database (integration tests and e2e), with
 * the complications the SQL must see through: several images per lesion (the lesion's score is the maximum), a
 * second model version scoring the same images, an older assessment, a follow-up outcome next to a histopathology
 * one, a later consensus outcome, superseded flags and a deferral under the other model.
 *
 * Workflow records under the model (expected by the tests):
 *   month 1: LIKELY_BENIGN flag on A, deferred (DEFER_MONITOR); REVIEW_REQUIRED flag on B, PROCEED_BIOPSY;
 *            a SUPERSEDED LIKELY_BENIGN flag on B (not counted).
 *   month 2: POSSIBLE_MISSED_MALIGNANCY flag on G, SECOND_READ.
 *   Under the other model, month 1: LIKELY_BENIGN flag on C (malignant), deferred: a malignancy among deferred lesions.
 * No dependency on vitest: e2e/outcomes.spec.ts seeds the same cases.
 */
import { createHash } from "node:crypto";
import type { Db } from "../../db/client";
import { HAND_ROWS } from "./outcome-rows.test-helper";

export type HandLetter = "A" | "B" | "C" | "D" | "E" | "F" | "G" | "H" | "I";

/** P(malignant) of each image under the model; the lesion's score is the maximum. I has an image nobody scored. */
const IMAGE_SCORES: Record<HandLetter, number[]> = {
  A: [0.05, 0.1],
  B: [0.2],
  C: [0.1, 0.25],
  D: [0.4],
  E: [0.7, 0.3],
  F: [0.9],
  G: [0.3],
  H: [0.05],
  I: [],
};

export interface SeededHandCases {
  modelId: string;
  otherModelId: string;
  modelVersion: string;
  otherModelVersion: string;
  lesionIds: Record<HandLetter, string>;
  mrns: Record<HandLetter, string>;
}

export interface SeedHandCasesOptions {
  db: Db;
  clinicianId: string;
  /** Makes MRNs, versions and hashes unique (e2e runs share a database). */
  tag: string;
  /** The three months the hand cases' 2025-01, 2025-02, 2025-03 stand for (YYYY-MM). */
  months: readonly [string, string, string];
  modelStatus: "ACTIVE" | "RETIRED";
  threshold?: number;
}

const HAND_MONTHS = ["2025-01", "2025-02", "2025-03"] as const;

function day(month: string, dayOfMonth: number): Date {
  return new Date(`${month}-${String(dayOfMonth).padStart(2, "0")}T00:00:00Z`);
}

export async function seedHandCases(options: SeedHandCasesOptions): Promise<SeededHandCases> {
  const { db, clinicianId, tag, months } = options;
  const monthFor = (handMonth: string) => months[HAND_MONTHS.indexOf(handMonth as (typeof HAND_MONTHS)[number])]!;
  const modelData = (version: string, status: "ACTIVE" | "RETIRED", threshold: number) => ({
    version,
    status,
    architecture: "hand-made",
    inputSize: 28,
    threshold,
    targetSensitivity: 0.95,
    metrics: {},
    storagePath: `/nonexistent/${version}`,
    sha256: "0".repeat(64),
    trainingDataHash: "hand",
    codeVersion: "hand",
  });
  const model = await db.modelVersion.create({ data: modelData(`hand-${tag}`, options.modelStatus, options.threshold ?? 0.3), select: { id: true, version: true } });
  const other = await db.modelVersion.create({ data: modelData(`hand-other-${tag}`, "RETIRED", 0.5), select: { id: true, version: true } });

  const lesionIds = {} as Record<HandLetter, string>;
  const mrns = {} as Record<HandLetter, string>;
  for (const hand of HAND_ROWS) {
    const letter = hand.lesionId as HandLetter;
    const month = monthFor(hand.month);
    const reportDate = day(month, 15);
    const birthDate =
      hand.ageYears === null ? null : new Date(Date.UTC(reportDate.getUTCFullYear() - hand.ageYears, reportDate.getUTCMonth(), 14));
    mrns[letter] = `HAND-${tag}-${letter}`;
    const patient = await db.patient.create({
      data: { mrn: mrns[letter], name: `Hand Case ${letter}`, sex: hand.sex, birthDate, fitzpatrickType: hand.fitzpatrickType },
    });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: hand.bodySite, label: `Hand lesion ${letter}` } });
    lesionIds[letter] = lesion.id;

    const scores = IMAGE_SCORES[letter];
    for (let k = 0; k < Math.max(1, scores.length); k++) {
      const image = await db.lesionImage.create({
        data: {
          lesionId: lesion.id,
          contentHash: createHash("sha256").update(`${tag}-${letter}-${k}`).digest("hex"),
          storageKey: `hand/${tag}/${letter}/${k}`,
          width: 28,
          height: 28,
          mimeType: "image/png",
          byteSize: 1,
          quality: { passed: true, reasons: [] },
        },
      });
      const score = scores[k];
      if (score === undefined) continue;
      await db.prediction.create({ data: predictionData(image.id, model.id, score, options.threshold ?? 0.3) });
      // The other model scores A's first image very high: mixing model versions would change A's score.
      if (letter === "A" && k === 0) await db.prediction.create({ data: predictionData(image.id, other.id, 0.99, 0.5) });
    }

    if (letter === "A") {
      await db.clinicalAssessment.create({
        data: { lesionId: lesion.id, clinicianId, impression: "BENIGN", plan: "MONITOR", assessedAt: day(month, 1) },
      });
    }
    if (hand.impression && hand.plan) {
      await db.clinicalAssessment.create({
        data: { lesionId: lesion.id, clinicianId, impression: hand.impression, plan: hand.plan, assessedAt: day(month, 2) },
      });
    }

    await db.biopsyOutcome.create({
      data: {
        lesionId: lesion.id,
        histopathologyDiagnosis: hand.malignant ? "mel" : "nv",
        malignant: hand.malignant,
        reportDate,
        confirmation: hand.biopsied ? "histo" : "follow_up",
      },
    });
    // An older follow-up confirmation: the histopathology outcome still decides.
    if (letter === "D") {
      await db.biopsyOutcome.create({
        data: { lesionId: lesion.id, histopathologyDiagnosis: "nv", malignant: false, reportDate: day(months[0], 3), confirmation: "follow_up" },
      });
    }
    // A later consensus outcome in another month: the lesion still counts in the month of its biopsy.
    if (letter === "E") {
      await db.biopsyOutcome.create({
        data: { lesionId: lesion.id, histopathologyDiagnosis: "mel", malignant: true, reportDate: day(months[2], 20), confirmation: "consensus" },
      });
    }
  }

  const flag = async (letter: HandLetter, modelVersionId: string, kind: "LIKELY_BENIGN" | "POSSIBLE_MISSED_MALIGNANCY" | "REVIEW_REQUIRED", status: "CLOSED" | "SUPERSEDED", createdAt: Date) =>
    db.flag.create({
      data: { lesionId: lesionIds[letter], kind, status, reason: "hand-made", modelVersionId, createdAt, closedAt: createdAt },
      select: { id: true },
    });
  const review = (flagId: string, decision: "PROCEED_BIOPSY" | "DEFER_MONITOR" | "SECOND_READ", createdAt: Date) =>
    db.review.create({
      data: {
        flagId,
        reviewerId: clinicianId,
        decision,
        createdAt,
        followUpDate: decision === "DEFER_MONITOR" ? day(months[2], 1) : null,
      },
    });

  await review((await flag("A", model.id, "LIKELY_BENIGN", "CLOSED", day(months[0], 10))).id, "DEFER_MONITOR", day(months[0], 11));
  await flag("B", model.id, "LIKELY_BENIGN", "SUPERSEDED", day(months[0], 5));
  await review((await flag("B", model.id, "REVIEW_REQUIRED", "CLOSED", day(months[0], 6))).id, "PROCEED_BIOPSY", day(months[0], 7));
  await review((await flag("G", model.id, "POSSIBLE_MISSED_MALIGNANCY", "CLOSED", day(months[1], 3))).id, "SECOND_READ", day(months[1], 4));
  await review((await flag("C", other.id, "LIKELY_BENIGN", "CLOSED", day(months[0], 8))).id, "DEFER_MONITOR", day(months[0], 9));

  return { modelId: model.id, otherModelId: other.id, modelVersion: model.version, otherModelVersion: other.version, lesionIds, mrns };
}

function predictionData(imageId: string, modelVersionId: string, pMalignant: number, threshold: number) {
  return {
    imageId,
    modelVersionId,
    probabilities: { mel: pMalignant, nv: 1 - pMalignant },
    pMalignant,
    threshold,
    aboveThreshold: pMalignant >= threshold,
    backend: "hand-made",
    latencyMs: 0,
  };
}
