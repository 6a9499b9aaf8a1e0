/**
 * The predictor on real images: an upload's bytes go through exactly the preprocessing training used, the single
 * and batch paths agree, the ONNX and tfjs engines agree, and a damaged model is refused before anything runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError, DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR, loadImages, normalizeToFloat32, readDermamnist, readHam10000, type ImageRecord } from "../data";
import { DIAGNOSES, malignantProbability } from "../diagnoses";
import { ModelStoreError } from "../store/store-error";
import { FIXTURE_PREPROCESSING, saveTinyModel, tinyClassifier } from "../store/model-fixture.test-helper";
import { preprocessImageBytes } from "./preprocess";
import { loadPredictor, type Predictor } from "./predictor";

let root: string;
let modelDir: string;
let predictor: Predictor;
let records: ImageRecord[];

beforeAll(async () => {
  await tf.setBackend("cpu");
  root = mkdtempSync(path.join(tmpdir(), "dermflag-predictor-"));
  const model = tinyClassifier(11);
  modelDir = (await saveTinyModel(root, "v1", model, 0.28)).dir;
  model.dispose();
  predictor = await loadPredictor(modelDir);
  records = readDermamnist(DERMAMNIST_28_DIR).filter((r) => r.split === "test").slice(0, 16);
});

afterAll(async () => {
  await predictor.dispose();
  rmSync(root, { recursive: true, force: true });
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

describe("preprocessing parity", () => {
  it("turns an upload's bytes into exactly the floats training computed for the same file", async () => {
    for (const record of records.slice(0, 4)) {
      const upload = await preprocessImageBytes(readFileSync(record.file), FIXTURE_PREPROCESSING);
      const training = normalizeToFloat32(await loadImages([record], 28, { fit: "cover", kernel: "linear" }), FIXTURE_PREPROCESSING.channelStats);
      expect(Array.from(upload)).toEqual(Array.from(training));
    }
  });
});

describe("loadPredictor", () => {
  it("runs on ONNX Runtime by default and reports it, the version and the threshold", () => {
    expect(predictor.backend).toMatch(/^onnxruntime-node@1\.30\.0\/cpu$/);
    expect(predictor.version).toBe("v1");
    expect(predictor.threshold).toBe(0.28);
    expect(predictor.labelMode).toBe("diagnosis");
  });

  it("predictBytes on a JPEG equals the batch path on the same record (files and raw pixels)", async () => {
    const batch = await predictor.predictBatch(records);
    const pixels = await loadImages(records, 28);
    const fromPixels = await predictor.predictBatch({ pixels, count: records.length });
    expect(maxDiff(fromPixels.probabilities, batch.probabilities)).toBeLessThan(1e-6);
    const k = DIAGNOSES.length;
    for (const [i, record] of records.entries()) {
      const single = await predictor.predictBytes(readFileSync(record.file));
      const row = batch.probabilities.subarray(i * k, (i + 1) * k);
      expect(maxDiff(DIAGNOSES.map((dx) => single.probabilities[dx]), row)).toBeLessThan(1e-6);
      expect(single.pMalignant).toBeCloseTo(batch.pMalignant[i]!, 6);
      expect(single.aboveThreshold).toBe(batch.aboveThreshold[i]);
    }
    expect(batch.count).toBe(records.length);
    expect(batch.backend).toBe(predictor.backend);
  });

  it("returns a complete, consistent prediction for a full-size HAM10000 upload", async () => {
    const [record] = readHam10000(HAM10000_SAMPLE_DIR);
    const result = await predictor.predictBytes(readFileSync(record!.file));
    const probabilities = DIAGNOSES.map((dx) => result.probabilities[dx]);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(result.pMalignant).toBeCloseTo(malignantProbability(probabilities), 10);
    expect(result.aboveThreshold).toBe(result.pMalignant >= 0.28);
    expect(result).toMatchObject({ modelVersion: "v1", threshold: 0.28, backend: predictor.backend, labelMode: "diagnosis" });
    expect(result.latencyMs).toBeGreaterThan(0);
    const batch = await predictor.predictBatch([record!]);
    expect(maxDiff(batch.probabilities, probabilities)).toBeLessThan(1e-6);
  });

  it("gives the same probabilities on the tfjs engine as on ONNX Runtime", async () => {
    const tfjs = await loadPredictor(modelDir, { engine: "tfjs" });
    try {
      expect(tfjs.backend).toMatch(/^tfjs\//);
      const [a, b] = await Promise.all([tfjs.predictBatch(records), predictor.predictBatch(records)]);
      expect(maxDiff(a.probabilities, b.probabilities)).toBeLessThan(1e-4);
    } finally {
      await tfjs.dispose();
    }
  });

  it("refuses bytes that are not an image, and pixel batches of the wrong size", async () => {
    await expect(predictor.predictBytes(new TextEncoder().encode("not an image"))).rejects.toBeInstanceOf(DatasetError);
    await expect(predictor.predictBatch({ pixels: new Uint8Array(28 * 28 * 3), count: 2 })).rejects.toThrow(/expected 2 images/);
  });

  it("refuses a corrupt model before running anything", async () => {
    const dir = (await saveTinyModel(path.join(root, "corrupt"), "v1")).dir;
    const file = path.join(dir, "weights.bin");
    const bytes = readFileSync(file);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(file, bytes);
    await expect(loadPredictor(dir)).rejects.toBeInstanceOf(ModelStoreError);
    await expect(loadPredictor(dir)).rejects.toMatchObject({ code: "CHECKSUM_MISMATCH", file: "weights.bin" });
  });
});
