/**
 * The admin's run lists (training runs, imports) hand pages their JSON columns parsed with the writers' schemas:
 * typed progress, result and rejections, never a JsonValue to cast; a row the schema refuses fails loudly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../../auth/session";
import type { TrainingRunResult } from "../../services/training/training-run-result";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCaller } from "../root";

let database: TestDatabase;
const admin: SessionUser = { id: "", email: "admin@runs.example", name: "Admin", role: "ADMIN" };
const params = { baseDataset: "dermamnist-200", includeClinicCases: true, recipe: "cnn", epochs: 3, timeBudgetMinutes: null, targetSensitivity: 0.95 };
const onTestSet = { version: "v-cand", threshold: 0.3, auc: 0.9, aucLower: 0.85, aucUpper: 0.95, sensitivity: 0.95, specificity: 0.6, avoidableBiopsyRate: null, missedMalignant: 1, ece: 0.04 };
const result: TrainingRunResult = {
  data: {
    description: "DermaMNIST 200",
    baseDataset: "dermamnist-200",
    clinic: null,
    counts: { train: { images: 140, malignant: 30 }, val: { images: 30, malignant: 6 }, test: { images: 30, malignant: 6 } },
    lockedTest: { images: 30, lesions: 30, malignant: 6, fingerprint: "0123456789abcdef" },
  },
  modelVersion: "v-cand",
  comparison: { testImages: 30, testMalignant: 6, candidate: onTestSet, active: null },
  training: { epochsRun: 3, bestEpoch: 2, stoppedBy: "epochs", imagesPerSecond: 40, trainSeconds: 12, totalSeconds: 20 },
};
const progress = { phase: "train", message: "Epoch 2 of 3", overall: 0.5, epoch: 2, epochs: 3, loss: 0.4, valAuc: 0.8, etaSeconds: 5, imagesPerSecond: 40, elapsedSeconds: 9 };

beforeAll(async () => {
  database = await createTestDatabase();
  admin.id = (await database.db.user.create({ data: { email: admin.email, name: admin.name, role: admin.role, passwordHash: "x" } })).id;
});
afterAll(() => database.drop());

describe("training.runs", () => {
  it("gives each run's params, progress and result parsed", async () => {
    await database.db.trainingRun.create({ data: { trigger: "MANUAL", status: "SUCCEEDED", params, progress: { ...progress, phase: "done", overall: 1 }, result, requestedById: admin.id } });
    await database.db.trainingRun.create({ data: { trigger: "MANUAL", status: "RUNNING", params, progress, requestedById: admin.id } });
    const [running, succeeded] = await createCaller({ db: database.db, user: admin }).training.runs();
    expect(running).toMatchObject({ status: "RUNNING", params, progress, result: null, requestedBy: { name: "Admin" } });
    expect(succeeded!.result).toEqual(result);
  });

  it("refuses a run whose stored progress is not what the trainer writes", async () => {
    const bad = await database.db.trainingRun.create({ data: { trigger: "MANUAL", status: "FAILED", params, progress: { phase: "train", overall: "half" } } });
    await expect(createCaller({ db: database.db, user: admin }).training.runs()).rejects.toThrow();
    await database.db.trainingRun.delete({ where: { id: bad.id } });
  });
});

describe("imports.runs", () => {
  it("gives the kept rejections parsed, and none for a run without any", async () => {
    const rejections = [{ row: 12, file: null, reason: "unknown diagnosis" }, { row: null, file: "ISIC_1.jpg", reason: "not an image" }];
    await database.db.importRun.create({ data: { kind: "HAM10000", source: "ham-a", status: "SUCCEEDED", rejectedCount: 2, rejections } });
    await database.db.importRun.create({ data: { kind: "HAM10000", source: "ham-b", status: "QUEUED" } });
    const runs = await createCaller({ db: database.db, user: admin }).imports.runs();
    expect(runs.find((run) => run.source === "ham-a")?.rejections).toEqual(rejections);
    expect(runs.find((run) => run.source === "ham-b")?.rejections).toEqual([]);
  });
});
