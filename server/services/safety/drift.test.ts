/**
 * Drift against the validation set on a real PostgreSQL: a month whose scores spread like validation's is stable; a
 * month of scores all in the top bins is a major shift; an OOD rate far above the validation rate is raised.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { computeModelDrift, populationStabilityIndex, psiLevel } from "./drift";

let database: TestDatabase;
let serial = 0;
const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

async function prediction(modelVersionId: string, pMalignant: number, createdAt: string, ood: { score: number; threshold: number } | null) {
  const { db } = database;
  serial++;
  const patient = await db.patient.create({ data: { mrn: `D-${serial}`, name: `Patient ${serial}` } });
  const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: `L${serial}` } });
  const image = await db.lesionImage.create({
    data: { lesionId: lesion.id, contentHash: serial.toString(16).padStart(64, "d"), storageKey: `d${serial}`, width: 600, height: 450, mimeType: "image/png", byteSize: 1 },
  });
  await db.prediction.create({
    data: {
      imageId: image.id,
      modelVersionId,
      probabilities: {},
      pMalignant,
      threshold: 0.3,
      aboveThreshold: pMalignant >= 0.3,
      backend: "test",
      latencyMs: 1,
      oodScore: ood?.score ?? null,
      oodThreshold: ood?.threshold ?? null,
      createdAt: new Date(createdAt),
    },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("population stability index", () => {
  it("is zero for the validation distribution and grows as scores pile into few bins", () => {
    expect(populationStabilityIndex(new Array(10).fill(0.1))).toBeCloseTo(0, 12);
    const mild = populationStabilityIndex([0.08, 0.08, 0.09, 0.1, 0.1, 0.1, 0.11, 0.11, 0.11, 0.12]);
    const shifted = populationStabilityIndex([0, 0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.4]);
    expect(psiLevel(mild)).toBe("stable");
    expect(psiLevel(shifted)).toBe("major");
    expect(shifted).toBeGreaterThan(mild);
  });
});

describe("computeModelDrift", () => {
  it("reports each month's score shift and OOD rate against the model's own validation figures", async () => {
    const model = await createModelRowWithoutFiles(database.db, "drift-1");
    await database.db.modelVersion.update({
      where: { id: model.id },
      data: { metrics: { headline: {}, report: { validationScoreDeciles: DECILES, ood: { validationFalseAlarmRate: 0.01, threshold: 200 } } } },
    });
    // October: two images in each validation bin, none out of distribution.
    for (let i = 0; i < 20; i++) await prediction(model.id, 0.05 + 0.1 * Math.floor(i / 2), "2026-10-10T12:00:00Z", { score: 150, threshold: 200 });
    // November: every score in the top bin, and half the images unlike the training data.
    for (let i = 0; i < 20; i++) await prediction(model.id, 0.95, "2026-11-10T12:00:00Z", { score: i % 2 === 0 ? 500 : 150, threshold: 200 });

    const drift = (await computeModelDrift(database.db, model.id))!;
    expect(drift.validationDeciles).toEqual(DECILES);
    expect(drift.months.map((m) => m.month)).toEqual(["2026-10", "2026-11"]);
    const [october, november] = drift.months;
    expect(october).toMatchObject({ images: 20, psiLevel: "stable", oodChecked: 20, oodFlagged: 0, oodRate: 0, oodRaised: false });
    expect(october!.binShares).toEqual(new Array(10).fill(0.1));
    expect(november).toMatchObject({ images: 20, psiLevel: "major", oodFlagged: 10, oodRate: 0.5, oodRaised: true });
    expect(november!.binShares[9]).toBe(1);
    expect(november!.meanPMalignant).toBeCloseTo(0.95, 10);
  });

  it("says nothing about score drift for a model without validation deciles, and nothing about OOD without a detector", async () => {
    // Drift is computed for any version, the retired ones too (one model is active at a time).
    const model = await createModelRowWithoutFiles(database.db, "drift-2", { status: "RETIRED" });
    await prediction(model.id, 0.4, "2026-11-02T08:00:00Z", null);
    const drift = (await computeModelDrift(database.db, model.id))!;
    expect(drift.validationDeciles).toBeNull();
    expect(drift.months).toHaveLength(1);
    expect(drift.months[0]).toMatchObject({ images: 1, psiLevel: "stable", oodChecked: 0, oodRate: null, oodRaised: false });
    expect(await computeModelDrift(database.db, "no-such-model")).toBeNull();
  });
});
