import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HAM10000_SAMPLE_DIR } from "@/ml/data/shared-data";
import { loadPredictor } from "@/ml/inference";
import { saveTinyModel } from "@/ml/store/model-fixture.test-helper";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { ingestImage } from "../images/ingest-image";
import { LocalImageStore } from "../images/local-image-store";
import { disposePredictors, predictorFor, type RegisteredModel } from "../inference/predictors";
import { clearExplanationCache, explainFlagImage } from "./explain-image";

let database: TestDatabase;
const scratch = mkdtempSync(path.join(os.tmpdir(), "dermflag-explain-"));
const store = new LocalImageStore(path.join(scratch, "images"));
let modelDir: string;
let lesionId: string;
let imageId: string;
let imageBytes: Uint8Array;
let flagId: string;

async function modelVersion(version: string, storagePath: string, sha256: string) {
  return database.db.modelVersion.create({
    data: {
      version,
      status: "RETIRED",
      architecture: "tiny",
      inputSize: 28,
      threshold: 0.3,
      targetSensitivity: 0.95,
      metrics: {},
      storagePath,
      sha256,
      trainingDataHash: "x",
      codeVersion: "x",
    },
  });
}

async function flagUnder(modelVersionId: string | null) {
  // A lesion has one open flag at a time (Flag_one_open_per_lesion): the new one supersedes the last.
  await database.db.flag.updateMany({ where: { lesionId, status: "OPEN" }, data: { status: "SUPERSEDED" } });
  const flag = await database.db.flag.create({
    data: { lesionId, kind: "LIKELY_BENIGN", reason: "test", biopsyPlanned: true, pMalignant: 0.1, threshold: 0.3, modelVersionId },
  });
  return flag.id;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  database = await createTestDatabase();
  const { db } = database;
  const user = await db.user.create({ data: { email: "e@x.example", name: "E", role: "DERMATOLOGIST", passwordHash: "x" } });
  const patient = await db.patient.create({ data: { mrn: "X-1", name: "Explained Patient" } });
  lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "L1" } })).id;
  imageBytes = readFileSync(path.join(HAM10000_SAMPLE_DIR, "images", "ISIC_0024354.jpg"));
  const ingested = await ingestImage({ db, store, actorId: user.id, lesionId, bytes: imageBytes });
  if (ingested.status !== "created") throw new Error("expected a new image");
  imageId = ingested.image.id;
  const saved = await saveTinyModel(path.join(scratch, "models"), "tiny-explain");
  modelDir = saved.dir;
  const model = await modelVersion("tiny-explain", saved.dir, saved.manifestSha256);
  flagId = await flagUnder(model.id);
});
beforeEach(() => clearExplanationCache());
afterAll(async () => {
  await disposePredictors();
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("explainFlagImage", () => {
  it("maps the flag's image under the flag's model, starting from the same P(malignant) the model gives the upload", async () => {
    const explanation = await explainFlagImage({ db: database.db, store, flagId });
    if (explanation.status !== "ready") throw new Error(`expected a map, got: ${explanation.reason}`);
    expect(explanation).toMatchObject({ imageId, modelVersion: "tiny-explain", inputSize: 28, cells: 28, fit: "cover", patch: 4, stride: 2 });
    expect(explanation.drops).toHaveLength(28 * 28);
    expect(explanation.drops.every(Number.isFinite)).toBe(true);
    expect(explanation.maxAbsDrop).toBeGreaterThan(0);
    expect(explanation.maxAbsDrop).toBe(Math.max(...explanation.drops.map(Math.abs)));

    const predictor = await loadPredictor(modelDir);
    try {
      const direct = await predictor.predictBytes(await store.get((await database.db.lesionImage.findUniqueOrThrow({ where: { id: imageId } })).storageKey));
      expect(explanation.baseline).toBeCloseTo(direct.pMalignant, 5);
    } finally {
      await predictor.dispose();
    }
  });

  it("computes a map once per model and image", async () => {
    let loads = 0;
    const counting = (model: RegisteredModel) => {
      loads++;
      return predictorFor(model);
    };
    const [first, second] = await Promise.all([
      explainFlagImage({ db: database.db, store, flagId, loadPredictor: counting }),
      explainFlagImage({ db: database.db, store, flagId, imageId, loadPredictor: counting }),
    ]);
    expect(second).toEqual(first);
    expect(loads).toBe(1);
  });

  it("says the explanation is unavailable when the model directory is missing or does not match the registry", async () => {
    const missing = await modelVersion("gone", path.join(scratch, "no-such-model"), "0".repeat(64));
    const missingExplanation = await explainFlagImage({ db: database.db, store, flagId: await flagUnder(missing.id) });
    expect(missingExplanation).toMatchObject({ status: "unavailable", imageId });
    if (missingExplanation.status === "unavailable") expect(missingExplanation.reason).toContain("model gone");

    const tampered = await modelVersion("tampered", modelDir, "f".repeat(64));
    expect(await explainFlagImage({ db: database.db, store, flagId: await flagUnder(tampered.id) })).toMatchObject({ status: "unavailable" });

    expect(await explainFlagImage({ db: database.db, store, flagId: await flagUnder(null) })).toEqual({
      status: "unavailable",
      imageId,
      reason: "This flag has no model output to explain.",
    });
  });

  it("refuses an image of another lesion and an unknown flag", async () => {
    const { db } = database;
    const other = await db.lesion.create({ data: { patientId: (await db.lesion.findUniqueOrThrow({ where: { id: lesionId } })).patientId, bodySite: "face", label: "L2" } });
    const otherImage = await db.lesionImage.create({
      data: { lesionId: other.id, contentHash: "e".repeat(64), storageKey: "nowhere", width: 10, height: 10, mimeType: "image/png", byteSize: 1 },
    });
    await expect(explainFlagImage({ db, store, flagId, imageId: otherImage.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(explainFlagImage({ db, store, flagId: "no-such-flag" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
