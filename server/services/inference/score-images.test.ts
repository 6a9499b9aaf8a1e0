import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { saveFixtureModel } from "../../testing/model-fixtures";
import { recordAssessment } from "../clinical/lesions";
import { ingestImage } from "../images/ingest-image";
import { LocalImageStore } from "../images/local-image-store";
import { promoteModelVersion, registerModelVersion } from "../models/registry";
import { disposePredictors, predictorFor } from "./predictors";
import { activeModel, scoreImages, unscoredImageIds } from "./score-images";

let database: TestDatabase;
const scratch = mkdtempSync(path.join(os.tmpdir(), "dermflag-score-"));
const store = new LocalImageStore(path.join(scratch, "images"));
const hamImages = path.resolve(import.meta.dirname, "../../../../shared/data/ham10000-sample/images");
let userId: string;
let lesionId: string;

beforeAll(async () => {
  await tf.setBackend("cpu");
  database = await createTestDatabase();
  const { db } = database;
  userId = (await db.user.create({ data: { email: "d@x.example", name: "D", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  const patient = await db.patient.create({ data: { mrn: "S-1", name: "Scored Patient", fitzpatrickType: 2 } });
  lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "L1" } })).id;
});
afterAll(async () => {
  await disposePredictors();
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("scoring images with the active model", () => {
  it("waits while no model is active, then records one prediction per image and model with its threshold and backend", async () => {
    const { db } = database;
    const bytes = readFileSync(path.join(hamImages, "ISIC_0024354.jpg"));
    const ingested = await ingestImage({ db, store, actorId: userId, lesionId, bytes });
    if (ingested.status !== "created") throw new Error("expected a new image");
    const imageId = ingested.image.id;

    expect(await scoreImages({ db, store, imageIds: [imageId] })).toMatchObject({ model: null, scored: 0 });
    expect(await unscoredImageIds(db, 10)).toEqual([]);

    const { saved } = await saveFixtureModel({ modelsDir: path.join(scratch, "models"), version: "tiny-1", threshold: 0.0001 });
    const registered = await registerModelVersion({ db, modelDir: saved.dir, gateResults: { passed: true, checks: [] } });
    await promoteModelVersion({ db, actorId: null, modelVersionId: registered.id });
    expect(await unscoredImageIds(db, 10)).toEqual([imageId]);

    const summary = await scoreImages({ db, store, imageIds: [imageId] });
    expect(summary).toMatchObject({ model: "tiny-1", scored: 1, failed: [] });
    // A retried job writes nothing twice.
    expect(await scoreImages({ db, store, imageIds: [imageId] })).toMatchObject({ scored: 0, alreadyScored: 1 });
    const predictions = await db.prediction.findMany({ where: { imageId } });
    expect(predictions).toHaveLength(1);
    const [prediction] = predictions;
    expect(prediction).toMatchObject({ modelVersionId: registered.id, threshold: 0.0001 });
    expect(prediction!.backend.length).toBeGreaterThan(0);
    expect(Object.keys(prediction!.probabilities as object).sort()).toEqual(["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]);
    const sum = Object.values(prediction!.probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 4);
    expect((await db.lesionImage.findUniqueOrThrow({ where: { id: imageId } })).quality).toMatchObject({ passed: true });
  });

  it("raises the flag once an assessment disagrees with the score", async () => {
    // Threshold 0.0001: every image scores above it, so a benign call with discharge is a possible missed malignancy.
    await recordAssessment({
      db: database.db,
      actorId: userId,
      lesionId,
      input: { impression: "BENIGN", plan: "DISCHARGE", suspectedDiagnosis: "nv", note: null },
    });
    const flag = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    expect(flag.kind).toBe("POSSIBLE_MISSED_MALIGNANCY");
  });

  it("records the operating point in force when the image is scored: a threshold adopted later applies to later predictions", async () => {
    const { db } = database;
    const active = await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" }, select: { id: true } });
    // Operating point version 2 (operating-points.ts writes it when an admin adopts a local threshold).
    await db.operatingPoint.create({
      data: { modelVersionId: active.id, version: 2, threshold: 0.999999, source: "LOCAL", targetSensitivity: 0.95, reason: "test: adopted local threshold" },
    });
    const bytes = readFileSync(path.join(hamImages, "ISIC_0025032.jpg"));
    const ingested = await ingestImage({ db, store, actorId: userId, lesionId, bytes });
    if (ingested.status !== "created") throw new Error("expected a new image");
    expect(await scoreImages({ db, store, imageIds: [ingested.image.id] })).toMatchObject({ scored: 1 });
    const prediction = await db.prediction.findFirstOrThrow({ where: { imageId: ingested.image.id } });
    expect(prediction).toMatchObject({ threshold: 0.999999, aboveThreshold: prediction.pMalignant >= 0.999999 });
    // The first image keeps the threshold it was scored at.
    expect(await db.prediction.count({ where: { modelVersionId: active.id, threshold: 0.0001 } })).toBe(1);
  });

  it("stops a batch as soon as the active model changes, so no new image is scored by a retired model", async () => {
    const { db } = database;
    const patient = await db.patient.create({ data: { mrn: "S-2", name: "Batch Patient", fitzpatrickType: 2 } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "arm", label: "L2" } });
    const imageIds: string[] = [];
    for (const name of ["ISIC_0024412.jpg", "ISIC_0024832.jpg"]) {
      const ingested = await ingestImage({ db, store, actorId: userId, lesionId: lesion.id, bytes: readFileSync(path.join(hamImages, name)) });
      if (ingested.status !== "created") throw new Error("expected a new image");
      imageIds.push(ingested.image.id);
    }
    const before = await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });
    const { saved } = await saveFixtureModel({ modelsDir: path.join(scratch, "models"), version: "tiny-2", threshold: 0.5 });
    const next = await registerModelVersion({ db, modelDir: saved.dir, gateResults: { passed: true, checks: [] } });
    // The store read of the first image is where the batch is when an admin promotes another model.
    let promoted = false;
    const promotingStore = Object.assign(Object.create(store) as LocalImageStore, {
      get: async (key: string) => {
        if (!promoted) {
          promoted = true;
          await promoteModelVersion({ db, actorId: null, modelVersionId: next.id });
        }
        return store.get(key);
      },
    });
    const summary = await scoreImages({ db, store: promotingStore, imageIds });
    expect(summary).toMatchObject({ model: before.version, scored: 0, stoppedBecauseModelChanged: true, failed: [] });
    expect(await db.prediction.count({ where: { imageId: { in: imageIds }, modelVersionId: before.id } })).toBe(0);
    // The new model scores them.
    expect(await scoreImages({ db, store, imageIds })).toMatchObject({ model: "tiny-2", scored: 2 });
  });

  it("scores a batch with reading and decoding overlapped: an unreadable image is reported, the others get exactly predictBytes' result", async () => {
    const { db } = database;
    const patient = await db.patient.create({ data: { mrn: "S-3", name: "Pipeline Patient", fitzpatrickType: 3 } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "leg", label: "L3" } });
    const names = readdirSync(hamImages).filter((f) => f.endsWith(".jpg")).sort().slice(10, 16);
    const ids: string[] = [];
    const bytesById = new Map<string, Uint8Array>();
    for (const name of names) {
      const bytes = readFileSync(path.join(hamImages, name));
      const ingested = await ingestImage({ db, store, actorId: userId, lesionId: lesion.id, bytes });
      if (ingested.status !== "created") throw new Error("expected a new image");
      ids.push(ingested.image.id);
      bytesById.set(ingested.image.id, bytes);
    }
    const unreadable = await db.lesionImage.findUniqueOrThrow({ where: { id: ids[2]! }, select: { storageKey: true } });
    const failingStore = Object.assign(Object.create(store) as LocalImageStore, {
      get: async (key: string) => {
        if (key === unreadable.storageKey) throw new Error("store unavailable");
        return store.get(key);
      },
    });
    const summary = await scoreImages({ db, store: failingStore, imageIds: ids });
    expect(summary).toMatchObject({ scored: ids.length - 1, failed: [{ imageId: ids[2], reason: "store unavailable" }] });
    const model = await activeModel(db);
    const predictor = await predictorFor(model!);
    for (const id of ids.filter((_, i) => i !== 2)) {
      const stored = await db.prediction.findFirstOrThrow({ where: { imageId: id, modelVersionId: model!.id } });
      const alone = await predictor.predictBytes(bytesById.get(id)!);
      expect(stored.pMalignant).toBe(alone.pMalignant);
      expect(stored.probabilities).toEqual(alone.probabilities);
    }
  });
});
