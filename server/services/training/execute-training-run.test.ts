/**
 * A real, short training run on a small real DermaMNIST subset plus the clinic's confirmed cases (the HAM10000
 * sample imported into the database), against the committed demo model as the active one: the candidate is
 * registered with its gates, compared with the active model on the same locked test cases, and nothing else moves.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listModelVersions, readModelDirectory } from "@/ml/store";
import { PRETRAINED_MODELS_DIR } from "@/prisma/seed-demo";
import { LocalImageStore } from "../images/local-image-store";
import { importHam10000 } from "../imports/import-ham10000";
import { installModel } from "../models/install-model";
import { promoteModelVersion } from "../models/registry";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { writeDermamnistSubset } from "../../testing/dermamnist-subset";
import { executeTrainingRun } from "./execute-training-run";
import type { TrainingRunResult } from "./execute-training-run";
import type { TrainingParams } from "./training-params";

const root = mkdtempSync(path.join(os.tmpdir(), "dermflag-training-run-"));
const importRoot = path.join(root, "shared");
const modelStoreDir = path.join(root, "models");
const workRoot = path.join(root, "work");
const store = new LocalImageStore(path.join(root, "images"));
let database: TestDatabase;
let activeVersion: string;

const params: TrainingParams = { baseDataset: "dermamnist-small", recipe: "mobilenetv2-finetune", includeClinicCases: true, epochs: 1, timeBudgetMinutes: null, targetSensitivity: 0.9 };

async function queueRun(runParams: TrainingParams) {
  return database.db.trainingRun.create({ data: { trigger: "MANUAL", params: runParams } });
}

beforeAll(async () => {
  writeDermamnistSubset(path.join(importRoot, "dermamnist-small"), { train: 320, val: 120, test: 120 });
  database = await createTestDatabase();
  await importHam10000({ db: database.db, store, actorId: null, folder: path.resolve("../shared/data/ham10000-sample") });
  const pretrained = listModelVersions(PRETRAINED_MODELS_DIR).at(-1)!;
  const installed = await installModel({ db: database.db, sourceDir: pretrained.dir, storeDir: modelStoreDir });
  await promoteModelVersion({ db: database.db, actorId: null, modelVersionId: installed.id, overrideReason: "test: the committed demo model" });
  activeVersion = installed.version;
}, 120_000);

afterAll(async () => {
  await database?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe("executeTrainingRun", () => {
  it("trains, compares with the active model on the same locked test cases and registers a candidate", async () => {
    const run = await queueRun(params);
    const lines: string[] = [];
    const outcome = await executeTrainingRun({ db: database.db, runId: run.id, store, modelStoreDir, importRoot, workRoot, reportIntervalMs: 200, log: (line) => lines.push(line) });
    expect(outcome, lines.join("\n")).toBe("SUCCEEDED");

    const finished = await database.db.trainingRun.findUniqueOrThrow({ where: { id: run.id }, include: { modelVersion: true } });
    expect(finished.status).toBe("SUCCEEDED");
    expect(finished.backend).toMatch(/\((CPU|GPU)\)$/);
    const result = finished.result as unknown as TrainingRunResult;
    // The clinic's 70 HAM10000 images are not in the DermaMNIST subset's first rows... or are: either way counted once.
    expect(result.data.clinic!.images + result.data.clinic!.alreadyInBase).toBe(70);
    expect(result.data.lockedTest.images).toBe(result.comparison.testImages);
    expect(result.comparison.active?.version).toBe(activeVersion);
    expect(result.comparison.candidate.version).toBe(finished.modelVersion?.version);
    expect(result.comparison.active?.auc).toBeGreaterThan(0.5);

    const candidate = finished.modelVersion!;
    expect(candidate.status).toBe("CANDIDATE");
    const gates = candidate.gateResults as { passed: boolean; comparedWith: string; checks: { name: string }[] };
    expect(gates.comparedWith).toBe(activeVersion);
    expect(gates.checks.map((check) => check.name)).toEqual(["sensitivity", "auc", "calibration", "avoidable-biopsy", "training-data"]);
    // 390 training images: below the minimum a clinical candidate needs, whatever its test figures.
    expect(gates.checks.find((check) => check.name === "training-data")).toMatchObject({ passed: false });
    // Stored where the registry says, and verified by its manifest hash.
    expect(readModelDirectory(candidate.storagePath).manifestSha256).toBe(candidate.sha256);
    // The lesions it trained and chose its threshold on are recorded with it (the dashboard leaves them out):
    // base-data-set lesions and the clinic's HAM10000 sample lesions placed in train or val.
    const trainingSet = await database.db.modelTrainingSet.findUniqueOrThrow({ where: { modelVersionId: candidate.id } });
    expect(trainingSet.source).toMatch(/^training run: /);
    const keys = await database.db.modelTrainingLesion.findMany({ where: { modelVersionId: candidate.id }, select: { lesionKey: true, split: true } });
    expect(keys.length).toBe(trainingSet.trainLesions + trainingSet.valLesions);
    expect(keys.filter((key) => key.split === "val").length).toBe(trainingSet.valLesions);
    const clinicKeys = (await database.db.lesion.findMany({ select: { externalId: true } })).map((lesion) => `source-lesion:${lesion.externalId!.split(":")[1]}`);
    expect(keys.some((key) => clinicKeys.includes(key.lesionKey))).toBe(true);

    // The active model did not move, and the run's scratch folder is gone.
    const active = await database.db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });
    expect(active.version).toBe(activeVersion);
    expect(existsSync(path.join(workRoot, run.id))).toBe(false);
    const audit = await database.db.auditLog.findMany({ where: { action: "TRAIN", entityId: candidate.id } });
    expect(audit).toHaveLength(1);
  }, 300_000);

  it("stops when an admin cancels: the run is cancelled and no model is registered or left on disk", async () => {
    const run = await queueRun({ ...params, epochs: 200 });
    const modelsBefore = readdirSync(modelStoreDir).sort();
    const cancelWhenTraining = (async () => {
      for (;;) {
        const row = await database.db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
        if ((row.progress as { phase?: string } | null)?.phase === "train") {
          await database.db.trainingRun.update({ where: { id: run.id }, data: { cancelRequestedAt: new Date() } });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const outcome = await executeTrainingRun({ db: database.db, runId: run.id, store, modelStoreDir, importRoot, workRoot, reportIntervalMs: 200 });
    await cancelWhenTraining;
    expect(outcome).toBe("CANCELLED");
    const finished = await database.db.trainingRun.findUniqueOrThrow({ where: { id: run.id }, include: { modelVersion: true } });
    expect(finished.status).toBe("CANCELLED");
    expect(finished.modelVersion).toBeNull();
    expect(readdirSync(modelStoreDir).sort()).toEqual(modelsBefore);
  }, 300_000);

  it("fails with a clear message when the clinic's cases alone are too few to train on", async () => {
    const run = await queueRun({ ...params, baseDataset: null });
    const outcome = await executeTrainingRun({ db: database.db, runId: run.id, store, modelStoreDir, importRoot, workRoot, reportIntervalMs: 200 });
    expect(outcome).toBe("FAILED");
    const finished = await database.db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(finished.error).toMatch(/^Not enough confirmed cases to train: the train split has \d+ labelled images; at least 64/);
    expect(finished.finishedAt).not.toBeNull();
  });

  it("does not run a run that is not queued", async () => {
    const run = await database.db.trainingRun.create({ data: { trigger: "MANUAL", params, status: "CANCELLED" } });
    const outcome = await executeTrainingRun({ db: database.db, runId: run.id, store, modelStoreDir, importRoot, workRoot });
    expect(outcome).toBe("NOT_CLAIMED");
  });
});
