/** Tiny models and valid metadata for store, inference and CLI tests (shared test helper, not production code). */
import type * as tf from "@tensorflow/tfjs";
import { DIAGNOSES } from "../diagnoses";
import { buildClassifier } from "../model/build-classifier";
import type { ModelMetadata, Preprocessing } from "./model-files";
import { saveModel, type SavedModel } from "./save-model";

export const FIXTURE_PREPROCESSING: Preprocessing = {
  inputSize: 28,
  channels: 3,
  layout: "NHWC",
  decode: { fit: "cover", kernel: "linear" },
  channelStats: { mean: [0.76, 0.55, 0.57], std: [0.13, 0.15, 0.17] },
};

export function tinyClassifier(seed = 1): tf.LayersModel {
  return buildClassifier({ seed, stageWidths: [4, 8], convsPerStage: [1, 1] });
}

export function fixtureMetadata(version: string, threshold = 0.3): ModelMetadata {
  return {
    version,
    createdAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)).toISOString(),
    classes: [...DIAGNOSES],
    malignantClasses: ["akiec", "bcc", "mel"],
    labelMode: "diagnosis",
    operatingPoint: {
      threshold,
      targetSensitivity: 0.95,
      chosenOn: "validation",
      validationSensitivity: 0.95,
      validationSpecificity: 0.5,
      validationPositives: 20,
      validationNegatives: 80,
    },
    data: { trainingHash: "a".repeat(64), validationHash: "b".repeat(64), source: "test fixture", counts: { train: 1, val: 1, test: 1 } },
    code: { gitCommit: null, gitDirty: null, packageVersion: "0.0.0-test" },
    backend: { name: "cpu", isGpu: false },
    architecture: { stageWidths: [4, 8] },
    training: { epochs: 0 },
  };
}

export async function saveTinyModel(modelsDir: string, version: string, model: tf.LayersModel = tinyClassifier(), threshold = 0.3): Promise<SavedModel> {
  return saveModel({
    modelsDir,
    model,
    metadata: fixtureMetadata(version, threshold),
    preprocessing: FIXTURE_PREPROCESSING,
    metrics: { note: "fixture" },
    modelCard: { markdown: "# fixture\n", json: { title: "fixture" } },
  });
}
