/**
 * Probabilities for many images through one engine with the model's stored preprocessing. The evaluation pipeline
 * scores with this (so reported metrics come from the same code path that serves predictions); the Predictor adds
 * the operating threshold and single-upload convenience on top.
 */
import { DIAGNOSES } from "../diagnoses";
import type { ModelArtifactsBundle } from "../store/model-artifacts";
import type { Preprocessing } from "../store/model-files";
import { createEngine } from "./engines/create-engine";
import type { EngineOptions, EngineOutput, InferenceEngine } from "./engines/engine";
import { preprocessFiles, preprocessPixels, type PreprocessFilesOptions } from "./preprocess";
import { augmentedViews, averageViews, viewCount } from "./test-time-augmentation";

export interface Scorer {
  readonly backend: string;
  readonly engine: InferenceEngine;
  readonly preprocessing: Preprocessing;
  /** Per-image length of the pooled backbone features (0: the model has no feature output, so no OOD score). */
  readonly featureSize: number;
  /** Normalised NHWC floats -> count x DIAGNOSES.length probabilities (averaged over the stored TTA views). */
  scoreNormalized(input: Float32Array, count: number): Promise<Float32Array>;
  /** The same, with the features averaged over the same views (null without a feature output). */
  scoreNormalizedWithFeatures(input: Float32Array, count: number): Promise<EngineOutput>;
  /** Raw RGB bytes at the model's size (as ml/data loadImages returns) -> probabilities. */
  scorePixels(pixels: Uint8Array, count: number): Promise<Float32Array>;
  /** Image files, decoded exactly as in training -> probabilities in record order. */
  scoreRecords(records: readonly { file: string }[], options?: PreprocessFilesOptions): Promise<Float32Array>;
  scoreRecordsWithFeatures(records: readonly { file: string }[], options?: PreprocessFilesOptions): Promise<EngineOutput>;
  dispose(): Promise<void>;
}

export async function createScorer(artifacts: ModelArtifactsBundle, preprocessing: Preprocessing, options: EngineOptions = {}): Promise<Scorer> {
  const engine = await createEngine(artifacts, options);
  if (engine.classCount !== DIAGNOSES.length) {
    await engine.dispose();
    throw new RangeError(`the model outputs ${engine.classCount} classes; DermFlag models output the ${DIAGNOSES.length} DIAGNOSES`);
  }
  const mode = preprocessing.testTimeAugmentation ?? "none";
  const views = viewCount(mode);
  const { inputSize: size, channels } = preprocessing;
  const imageLength = size * size * channels;
  const k = engine.classCount;
  const d = engine.featureSize;
  // Chunked so that 8 views of a large batch never sit in memory at once.
  const chunk = 256;
  const scoreNormalizedWithFeatures = async (input: Float32Array, count: number): Promise<EngineOutput> => {
    if (views === 1) return engine.runWithFeatures(input, count);
    const probabilities = new Float32Array(count * k);
    const features = d > 0 ? new Float32Array(count * d) : null;
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const viewsInput = augmentedViews(input.subarray(start * imageLength, (start + n) * imageLength), n, size, channels, mode);
      const out = await engine.runWithFeatures(viewsInput, n * views);
      probabilities.set(averageViews(out.probabilities, views, n, k), start * k);
      if (features && out.features) features.set(averageViews(out.features, views, n, d), start * d);
    }
    return { probabilities, features };
  };
  const scoreNormalized = async (input: Float32Array, count: number) => (await scoreNormalizedWithFeatures(input, count)).probabilities;
  return {
    backend: engine.backend,
    engine,
    preprocessing,
    featureSize: d,
    scoreNormalized,
    scoreNormalizedWithFeatures,
    scorePixels: (pixels, count) => scoreNormalized(preprocessPixels(pixels, count, preprocessing), count),
    scoreRecords: async (records, fileOptions) => scoreNormalized(await preprocessFiles(records, preprocessing, fileOptions), records.length),
    scoreRecordsWithFeatures: async (records, fileOptions) => scoreNormalizedWithFeatures(await preprocessFiles(records, preprocessing, fileOptions), records.length),
    dispose: () => engine.dispose(),
  };
}
