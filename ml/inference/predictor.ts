/**
 * The model as the product uses it: an upload's bytes in, each diagnosis's probability, P(malignant) and whether it
 * reaches the model's operating threshold out, with the model version, the backend that computed it and the time it
 * took. loadPredictor verifies the model directory (every SHA-256) before anything runs.
 */
import { DIAGNOSES, malignantProbability, type Diagnosis } from "../diagnoses";
import type { LABEL_MODES, ModelMetadata, Preprocessing } from "../store/model-files";
import { readModelDirectory, type VerifiedModel } from "../store/read-model";
import type { EngineOptions } from "./engines/engine";
import { preprocessImageBytes, type PreprocessFilesOptions } from "./preprocess";
import { createScorer, type Scorer } from "./scorer";

export interface DiagnosisPrediction {
  modelVersion: string;
  /** Per diagnosis, summing to 1. For a "malignancy" model only their malignant/benign sums are meaningful. */
  probabilities: Record<Diagnosis, number>;
  /** P(akiec) + P(bcc) + P(mel). */
  pMalignant: number;
  threshold: number;
  /** pMalignant >= threshold: the model's "flag for a closer look". */
  aboveThreshold: boolean;
  labelMode: (typeof LABEL_MODES)[number];
  backend: string;
  /** Wall time from bytes to result (decode, normalise, run). */
  latencyMs: number;
}

export interface BatchPrediction {
  modelVersion: string;
  count: number;
  /** count x DIAGNOSES.length, row-major, DIAGNOSES order. */
  probabilities: Float32Array;
  pMalignant: Float64Array;
  aboveThreshold: boolean[];
  threshold: number;
  backend: string;
  latencyMs: number;
}

/** Raw RGB pixels at the model's size (count x size x size x 3), or image files. */
export type BatchInput = { pixels: Uint8Array; count: number } | readonly { file: string }[];

export interface Predictor {
  readonly version: string;
  readonly threshold: number;
  readonly targetSensitivity: number;
  readonly labelMode: (typeof LABEL_MODES)[number];
  readonly preprocessing: Preprocessing;
  /** Everything metadata.json records (data hashes, code version, training summary...). */
  readonly metadata: ModelMetadata;
  readonly backend: string;
  /** SHA-256 of the model's manifest.json, pinning every file of this version. */
  readonly manifestSha256: string;
  readonly scorer: Scorer;
  predictBytes(bytes: Uint8Array): Promise<DiagnosisPrediction>;
  predictBatch(input: BatchInput, options?: PreprocessFilesOptions): Promise<BatchPrediction>;
  /** Scorer-compatible: probabilities for image files (used by ml/pipeline's evaluateModel). */
  scoreRecords(records: readonly { file: string }[], options?: PreprocessFilesOptions): Promise<Float32Array>;
  dispose(): Promise<void>;
}

function isPixelBatch(input: BatchInput): input is { pixels: Uint8Array; count: number } {
  return !Array.isArray(input) && "pixels" in input;
}

function malignantColumn(probabilities: Float32Array, count: number): Float64Array {
  const k = DIAGNOSES.length;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = malignantProbability(probabilities.subarray(i * k, (i + 1) * k));
  return out;
}

export async function createPredictor(verified: VerifiedModel, options: EngineOptions = {}): Promise<Predictor> {
  const scorer = await createScorer(verified.artifacts, verified.preprocessing, options);
  const { threshold, targetSensitivity } = verified.metadata.operatingPoint;
  const version = verified.version;
  const labelMode = verified.metadata.labelMode;
  const backend = scorer.backend;
  return {
    version,
    threshold,
    targetSensitivity,
    labelMode,
    preprocessing: verified.preprocessing,
    metadata: verified.metadata,
    backend,
    manifestSha256: verified.manifestSha256,
    scorer,
    async predictBytes(bytes) {
      const started = performance.now();
      const input = await preprocessImageBytes(bytes, verified.preprocessing);
      const row = await scorer.scoreNormalized(input, 1);
      const pMalignant = malignantProbability(row);
      const probabilities = Object.fromEntries(DIAGNOSES.map((dx, i) => [dx, row[i]!])) as Record<Diagnosis, number>;
      return { modelVersion: version, probabilities, pMalignant, threshold, aboveThreshold: pMalignant >= threshold, labelMode, backend, latencyMs: performance.now() - started };
    },
    async predictBatch(input, fileOptions) {
      const started = performance.now();
      const count = isPixelBatch(input) ? input.count : input.length;
      const probabilities = isPixelBatch(input) ? await scorer.scorePixels(input.pixels, count) : await scorer.scoreRecords(input, fileOptions);
      const pMalignant = malignantColumn(probabilities, count);
      return {
        modelVersion: version,
        count,
        probabilities,
        pMalignant,
        aboveThreshold: Array.from(pMalignant, (p) => p >= threshold),
        threshold,
        backend,
        latencyMs: performance.now() - started,
      };
    },
    scoreRecords: (records, fileOptions) => scorer.scoreRecords(records, fileOptions),
    dispose: () => scorer.dispose(),
  };
}

/** Verifies `modelDir` (refusing a corrupt or partial model with ModelStoreError) and readies it for prediction. */
export async function loadPredictor(modelDir: string, options: EngineOptions = {}): Promise<Predictor> {
  return createPredictor(readModelDirectory(modelDir), options);
}
