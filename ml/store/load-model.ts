/** Loads a verified model directory as a tf.LayersModel on the active tfjs backend (for fine-tuning or tfjs inference). */
import type * as tf from "@tensorflow/tfjs";
import { layersModelFromArtifacts } from "./model-artifacts";
import { readModelDirectory, type VerifiedModel } from "./read-model";
import { ModelStoreError } from "./store-error";

export interface LoadedModel extends VerifiedModel {
  model: tf.LayersModel;
}

/** Verifies every file's SHA-256 first (readModelDirectory), and only then builds the model. */
export async function loadModel(modelDir: string): Promise<LoadedModel> {
  const verified = readModelDirectory(modelDir);
  try {
    return { ...verified, model: await layersModelFromArtifacts(verified.artifacts) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ModelStoreError("CONTENT_INVALID", verified.dir, `files are intact but tfjs cannot build the model: ${detail}`, "model.json", { cause: error });
  }
}
