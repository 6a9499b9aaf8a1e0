/**
 * The review page's flag, read in one statement, against the same data read through Prisma's relations (the
 * reference below): a fully documented flag with several images, and one with every optional part missing.
 */
import { DomainError } from "../domain-error";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { getFlagForReview } from "./flag-details";

let database: TestDatabase;
let fullFlagId: string;
let bareFlagId: string;

/** What the review page needs, read relation by relation through Prisma. */
async function prismaReference(db: Db, flagId: string) {
  const flag = await db.flag.findUniqueOrThrow({
    where: { id: flagId },
    select: {
      id: true,
      kind: true,
      status: true,
      reason: true,
      deferralSuggested: true,
      biopsyPlanned: true,
      pMalignant: true,
      threshold: true,
      createdAt: true,
      modelVersionId: true,
      modelVersion: { select: { version: true, targetSensitivity: true } },
      prediction: { select: { imageId: true, backend: true, probabilities: true, latencyMs: true, createdAt: true } },
      assessment: {
        select: { impression: true, plan: true, suspectedDiagnosis: true, note: true, assessedAt: true, clinician: { select: { id: true, name: true } } },
      },
      review: {
        select: {
          id: true,
          decision: true,
          reason: true,
          note: true,
          followUpDate: true,
          createdAt: true,
          reviewer: { select: { id: true, name: true } },
          retractedAt: true,
          retractionReason: true,
          retractedBy: { select: { name: true } },
          supersededBy: { select: { flagId: true } },
        },
      },
      secondReadOfId: true,
      secondReadRequestedBy: { select: { id: true, name: true } },
      lesion: {
        select: {
          id: true,
          bodySite: true,
          label: true,
          patient: { select: { id: true, mrn: true, name: true, sex: true, birthDate: true, fitzpatrickType: true } },
          images: {
            orderBy: [{ capturedAt: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
            select: {
              id: true,
              width: true,
              height: true,
              capturedAt: true,
              createdAt: true,
              quality: true,
              predictions: { select: { modelVersionId: true, pMalignant: true, probabilities: true, backend: true, oodScore: true, oodThreshold: true } },
            },
          },
        },
      },
    },
  });
  const images = flag.lesion.images.map(({ predictions, ...image }) => {
    const found = predictions.find((prediction) => prediction.modelVersionId === flag.modelVersionId);
    if (!found) return { ...image, prediction: null };
    const { oodScore, oodThreshold, ...prediction } = found;
    return { ...image, prediction: { ...prediction, outOfDistribution: oodScore === null || oodThreshold === null ? null : oodScore > oodThreshold } };
  });
  const checked = images.flatMap((image) => (image.prediction?.outOfDistribution == null ? [] : [image.prediction.outOfDistribution]));
  const outOfDistribution = checked.length === 0 ? null : { checkedImages: checked.length, flaggedImages: checked.filter(Boolean).length };
  const { id, kind, secondReadOfId, secondReadRequestedBy, review: storedReview, ...rest } = flag;
  const review = storedReview && (({ supersededBy, ...fields }) => ({ ...fields, amendedFlagId: supersededBy?.flagId ?? null }))(storedReview);
  const secondRead = secondReadRequestedBy ? { ofFlagId: secondReadOfId, requestedBy: secondReadRequestedBy } : null;
  return { id, kind, outOfDistribution, ...rest, review, secondRead, lesion: { ...flag.lesion, images } };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const clinician = await db.user.create({ data: { email: "c@x.example", name: "Dr Clinician", role: "DERMATOLOGIST", passwordHash: "x" } });
  const reviewer = await db.user.create({ data: { email: "r@x.example", name: "Dr Reviewer", role: "DERMATOLOGIST", passwordHash: "x" } });
  // The flag's model and a retired one that also scored the lesion (one model is active at a time).
  const flagModel = await createModelRowWithoutFiles(db, "flag-model");
  const otherModel = await createModelRowWithoutFiles(db, "other-model", { status: "RETIRED" });

  const patient = await db.patient.create({ data: { mrn: "D-1", name: "Detail Patient", sex: "FEMALE", birthDate: new Date("1970-03-04"), fitzpatrickType: 5 } });
  const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "Mole on back" } });
  // Capture dates out of creation order, one image without one (it goes last), and predictions by both models except
  // on one image, which only the other model scored.
  const imageIds: string[] = [];
  for (const [index, capturedAt] of [new Date("2025-05-01"), null, new Date("2025-01-01")].entries()) {
    const image = await db.lesionImage.create({
      data: {
        lesionId: lesion.id,
        contentHash: String(index).padStart(64, "d"),
        storageKey: `d/${index}`,
        width: 600 + index,
        height: 450,
        mimeType: "image/png",
        byteSize: 1,
        capturedAt,
        quality: index === 1 ? { passed: false, reasons: ["blurred"] } : { passed: true, reasons: [] },
      },
    });
    imageIds.push(image.id);
    for (const modelVersion of index === 2 ? [otherModel] : [flagModel, otherModel]) {
      await db.prediction.create({
        data: {
          imageId: image.id,
          modelVersionId: modelVersion.id,
          probabilities: { mel: 0.1 * (index + 1), nv: 1 - 0.1 * (index + 1) },
          pMalignant: 0.1 * (index + 1) + (modelVersion === otherModel ? 0.05 : 0),
          threshold: 0.3,
          aboveThreshold: false,
          backend: "test",
          latencyMs: 3,
          // The flag model's check: the second image lies outside its training data.
          oodScore: modelVersion === flagModel ? (index === 1 ? 900 : 100) : null,
          oodThreshold: modelVersion === flagModel ? 250 : null,
        },
      });
    }
  }
  const prediction = await db.prediction.findFirstOrThrow({ where: { imageId: imageIds[0], modelVersionId: flagModel.id } });
  const assessment = await db.clinicalAssessment.create({
    data: { lesionId: lesion.id, clinicianId: clinician.id, impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: "mel", note: "irregular" },
  });
  const full = await db.flag.create({
    data: {
      lesionId: lesion.id,
      kind: "LIKELY_BENIGN",
      status: "DECIDED",
      reason: "low score, biopsy planned",
      biopsyPlanned: true,
      pMalignant: 0.1,
      threshold: 0.3,
      modelVersionId: flagModel.id,
      predictionId: prediction.id,
      assessmentId: assessment.id,
    },
  });
  await db.review.create({
    data: { flagId: full.id, reviewerId: reviewer.id, decision: "DEFER_MONITOR", reason: "stable", note: "recheck", followUpDate: new Date("2026-09-01") },
  });
  fullFlagId = full.id;

  const barePatient = await db.patient.create({ data: { mrn: "D-2", name: "Bare Patient" } });
  const bareLesion = await db.lesion.create({ data: { patientId: barePatient.id, bodySite: "face", label: "No images" } });
  bareFlagId = (await db.flag.create({ data: { lesionId: bareLesion.id, kind: "REVIEW_REQUIRED", reason: "no score" } })).id;
});
afterAll(() => database.drop());

describe("getFlagForReview", () => {
  it("reads a documented flag exactly as Prisma's relations do: images in capture order, each with the flag model's output", async () => {
    const result = await getFlagForReview({ db: database.db, flagId: fullFlagId });
    expect(result).toStrictEqual(await prismaReference(database.db, fullFlagId));
    expect(result.lesion.images.map((image) => image.width)).toEqual([602, 600, 601]);
    expect(result.lesion.images.map((image) => image.prediction?.pMalignant ?? null)).toEqual([null, 0.1, expect.closeTo(0.2, 10)]);
    expect(result.outOfDistribution).toEqual({ checkedImages: 2, flaggedImages: 1 });
    expect(result.review?.reviewer.name).toBe("Dr Reviewer");
    expect(result.assessment?.clinician.name).toBe("Dr Clinician");
  });

  it("reads a flag with no model, prediction, assessment, review or image", async () => {
    const result = await getFlagForReview({ db: database.db, flagId: bareFlagId });
    expect(result).toStrictEqual(await prismaReference(database.db, bareFlagId));
    expect(result).toMatchObject({ modelVersion: null, prediction: null, assessment: null, review: null, outOfDistribution: null, lesion: { images: [] } });
  });

  it("answers NOT_FOUND for an unknown flag", async () => {
    await expect(getFlagForReview({ db: database.db, flagId: "no-such-flag" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getFlagForReview({ db: database.db, flagId: "no-such-flag" })).rejects.toBeInstanceOf(DomainError);
  });
});
