/**
 * The demo seed on the real shared data: no invented clinician call anywhere, the demo model's training lesions
 * recorded, and, once the worker's scoring path has scored every demo image, no flag (nothing to compare with) and a
 * dashboard that says the clinician's calls are not recorded and leaves out the lesions the model was trained on.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAM10000_200_DIR, HAM10000_SAMPLE_DIR, SHARED_DATA_DIR } from "@/ml/data/shared-data";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { LocalImageStore } from "@/server/services/images/local-image-store";
import { disposePredictors } from "@/server/services/inference/predictors";
import { scoreImages } from "@/server/services/inference/score-images";
import { getOutcomesDashboard } from "@/server/services/outcomes/get-outcomes-dashboard";
import { createCaller } from "@/server/trpc/root";
import { DEMO_DATABASE_SETTING } from "@/server/auth/demo-accounts";
import { DEMO_USERS, seedDemo } from "./seed-demo";

const scratch = mkdtempSync(path.join(os.tmpdir(), "dermflag-seed-demo-"));
const imageStoreDir = path.join(scratch, "images");
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo({ db: database.db, sharedDataDir: SHARED_DATA_DIR, imageStoreDir, modelStoreDir: path.join(scratch, "models"), log: () => {} });
}, 300_000);

afterAll(async () => {
  await disposePredictors();
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

/** HAM10000 sample lesions that the demo model saw in train or validation (ham10000-200's labels.csv split). */
function sampleLesionsInTraining(): { histo: number } {
  const rows = (file: string) => readFileSync(file, "utf8").trim().split(/\r?\n/).slice(1).map((line) => line.split(","));
  const training = new Set(rows(path.join(HAM10000_200_DIR, "labels.csv")).filter((cells) => cells[1] !== "test").map((cells) => cells[4]));
  const histo = new Set(rows(path.join(HAM10000_SAMPLE_DIR, "HAM10000_metadata.csv")).filter((cells) => cells[3] === "histo" && training.has(cells[0])).map((cells) => cells[0]));
  return { histo: histo.size };
}

describe("the demo seed", () => {
  it("invents no clinician call and no patient detail the sources do not have", async () => {
    const { db } = database;
    expect(await db.clinicalAssessment.count()).toBe(0);
    const pending = await db.patient.findMany({ where: { mrn: { startsWith: "DEMO-P-" } }, select: { sex: true, fitzpatrickType: true, lesions: { select: { _count: { select: { biopsyOutcomes: true, images: true } } } } } });
    expect(pending).toHaveLength(12);
    for (const patient of pending) {
      expect(patient).toMatchObject({ sex: "UNKNOWN", fitzpatrickType: null });
      expect(patient.lesions.map((lesion) => lesion._count)).toEqual([{ biopsyOutcomes: 0, images: 1 }]);
    }
  });

  it("marks its accounts and the database as the demo seed's (a start outside demo mode disables them)", async () => {
    const accounts = await database.db.user.findMany({ select: { email: true, createdByDemoSeed: true }, orderBy: { email: "asc" } });
    expect(accounts).toEqual(DEMO_USERS.map((user) => ({ email: user.email, createdByDemoSeed: true })).sort((a, b) => a.email.localeCompare(b.email)));
    expect(await database.db.setting.findUnique({ where: { key: DEMO_DATABASE_SETTING } })).not.toBeNull();
  });

  it("records the demo model's training lesions", async () => {
    const active = await database.db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" }, include: { trainingSet: true } });
    // The committed demo model lists them itself (training-lesions.json, written by the training pipeline).
    expect(active.trainingSet).toMatchObject({ source: "training-lesions.json in the model directory" });
    expect(active.trainingSet!.trainLesions + active.trainingSet!.valLesions).toBe(6316);
  });

  it("scored, raises no flag, and the dashboard neither compares with absent calls nor counts training lesions", async () => {
    const { db } = database;
    const imageIds = (await db.lesionImage.findMany({ select: { id: true } })).map((image) => image.id);
    const scored = await scoreImages({ db, store: new LocalImageStore(imageStoreDir), imageIds });
    expect(scored.failed).toEqual([]);
    // No assessment: the model has no clinician's call to disagree with, so no "consider deferring" anywhere.
    expect(await db.flag.count()).toBe(0);
    // The queue's empty state says how many lesions await an assessment (the 12 pending ones).
    const pending = await db.patient.findMany({ where: { mrn: { startsWith: "DEMO-P-" } }, select: { mrn: true } });
    const derm = await db.user.findUniqueOrThrow({ where: { email: "dermatologist@dermflag.demo" } });
    const caller = createCaller({ db, user: { id: derm.id, email: derm.email, name: derm.name, role: "DERMATOLOGIST" } });
    expect(await caller.overview.counts()).toMatchObject({ openFlags: 0, awaitingAssessment: 12 });
    // ...and the queue page lists exactly those, scored, as the work to do first.
    const awaiting = await caller.review.awaitingAssessment({ limit: 100 });
    expect(awaiting.total).toBe(12);
    expect(awaiting.items.map((item) => item.patient.mrn).sort()).toEqual(pending.map((patient) => patient.mrn).sort());

    const dashboard = await getOutcomesDashboard({ db, query: {} });
    const model = dashboard.modelOutcomes!;
    expect(model.comparison.n).toBe(0);
    expect(model.comparison.withoutAssessment).toBe(model.scoredBiopsied);
    expect(model.comparison.clinician.metrics.sensitivity.estimate).toBeNull();
    const leftOut = sampleLesionsInTraining().histo;
    expect(leftOut).toBeGreaterThan(0);
    expect(model.trainingCases).toMatchObject({ recorded: true, leftOutBiopsied: leftOut });
    expect(model.scoredBiopsied + leftOut).toBe(dashboard.outcomes.biopsied);
  }, 300_000);
});
