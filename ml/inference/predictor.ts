/**
 * The model as the product uses it: an upload's bytes in, each diagnosis's probability, P(malignant) and whether it
 * reaches the model's operating threshold out, with the model version, the backend that computed it and the time it
 * took. loadPredictor verifies the model directory (every SHA-256) before anything runs.
 */
import { DIAGNOSES, malignantProbability, type Diagnosis } from "../diagnoses";
import type { LABEL_MODES, ModelMetadata, Preprocessing } from "../store/model-files";
import { readModelDirectory, type VerifiedModel } from "../store/read-model";
import type { EngineOptions } from "./engines/engine";
import { preprocessImageBytes, preprocessPixels, type PreprocessFilesOptions } from "./preprocess";
import { createScorer, type Scorer } from "./scorer";
import { mahalanobisScores, type OodDetector } from "../ood/mahalanobis";
import { ModelStoreError } from "../store/store-error";

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
  /** The out-of-distribution check (ml/ood), null for a model without a detector. */
  ood: OodResult | null;
}

export interface OodResult {
  /** Mahalanobis distance of the image's backbone features to the nearest training class (higher = less familiar). */
  score: number;
  threshold: number;
  /** score > threshold: the model's output should not be trusted for this image. */
  outOfDistribution: boolean;
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
  /** Per image, null for a model without a detector. */
  ood: OodResult[] | null;
}

/** What predictEach yields per item, in the items' order: its prediction, or why it has none. */
export type PipelinedPrediction<T, P> = { item: T; prepared: P; prediction: DiagnosisPrediction } | { item: T; error: unknown };

export interface PipelineOptions {
  /**
   * Items being prepared and decoded while the engine runs (default 8). ONNX Runtime's run blocks this thread, so
   * each in-flight image advances one asynchronous step (read, quality check, decode, resize) per run: several must
   * be in flight for the decoding to keep up with the engine.
   */
  prefetch?: number;
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
  /** The fitted out-of-distribution detector (ood.json), or null. */
  readonly ood: OodDetector | null;
  predictBytes(bytes: Uint8Array): Promise<DiagnosisPrediction>;
  predictBatch(input: BatchInput, options?: PreprocessFilesOptions): Promise<BatchPrediction>;
  /**
   * predictBytes for many images with decoding and inference overlapped: `prepare` (e.g. read from the store) and
   * the decode of the next images run while the engine runs the current one, and the engine runs the next image
   * while the caller handles a yielded result. Each image is one engine run of its test-time views, exactly as in
   * predictBytes, so the probabilities are the same. One failing item yields its error; the others go on.
   */
  predictEach<T, P extends { bytes: Uint8Array }>(
    items: readonly T[],
    prepare: (item: T) => Promise<P>,
    options?: PipelineOptions,
  ): AsyncGenerator<PipelinedPrediction<T, P>, void, undefined>;
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
  const detector = verified.ood;
  if (detector !== null && detector.dim !== scorer.featureSize) {
    await scorer.dispose();
    throw new ModelStoreError("CONTENT_INVALID", verified.dir, `ood.json expects ${detector.dim} features, the model outputs ${scorer.featureSize}; refusing to load`, "ood.json");
  }
  const { threshold, targetSensitivity } = verified.metadata.operatingPoint;
  const version = verified.version;
  const labelMode = verified.metadata.labelMode;
  const backend = scorer.backend;
  const oodOf = (features: Float32Array | null, count: number): OodResult[] | null => {
    if (detector === null || features === null) return null;
    return Array.from(mahalanobisScores(detector, features, count), (score) => ({ score, threshold: detector.threshold, outOfDistribution: score > detector.threshold }));
  };
  /** One image's normalised input -> its prediction; latencyMs adds the time its decoding took. */
  const predictNormalized = async (input: Float32Array, decodeMs: number): Promise<DiagnosisPrediction> => {
    const started = performance.now();
    const { probabilities: row, features } = await scorer.scoreNormalizedWithFeatures(input, 1);
    const pMalignant = malignantProbability(row);
    const probabilities = Object.fromEntries(DIAGNOSES.map((dx, i) => [dx, row[i]!])) as Record<Diagnosis, number>;
    const ood = oodOf(features, 1)?.[0] ?? null;
    const latencyMs = decodeMs + performance.now() - started;
    return { modelVersion: version, probabilities, pMalignant, threshold, aboveThreshold: pMalignant >= threshold, labelMode, backend, latencyMs, ood };
  };
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
    ood: detector,
    async predictBytes(bytes) {
      const started = performance.now();
      const input = await preprocessImageBytes(bytes, verified.preprocessing);
      return predictNormalized(input, performance.now() - started);
    },
    predictEach(items, prepare, pipelineOptions) {
      return predictPipelined(items, prepare, pipelineOptions ?? {}, verified.preprocessing, predictNormalized);
    },
    async predictBatch(input, fileOptions) {
      const started = performance.now();
      const count = isPixelBatch(input) ? input.count : input.length;
      const { probabilities, features } = isPixelBatch(input)
        ? await scorer.scoreNormalizedWithFeatures(preprocessPixels(input.pixels, count, verified.preprocessing), count)
        : await scorer.scoreRecordsWithFeatures(input, fileOptions);
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
        ood: oodOf(features, count),
      };
    },
    scoreRecords: (records, fileOptions) => scorer.scoreRecords(records, fileOptions),
    dispose: () => scorer.dispose(),
  };
}

type Prepared<P> = { ok: true; prepared: P; input: Float32Array; decodeMs: number } | { ok: false; error: unknown };

async function* predictPipelined<T, P extends { bytes: Uint8Array }>(
  items: readonly T[],
  prepare: (item: T) => Promise<P>,
  options: PipelineOptions,
  preprocessing: Preprocessing,
  predictNormalized: (input: Float32Array, decodeMs: number) => Promise<DiagnosisPrediction>,
): AsyncGenerator<PipelinedPrediction<T, P>, void, undefined> {
  const prefetch = options.prefetch ?? 8;
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new RangeError(`prefetch must be a positive integer, got ${prefetch}`);
  // Never rejects: a failure is a value, so nothing is left unhandled when the caller stops early.
  const prepareOne = async (item: T): Promise<Prepared<P>> => {
    try {
      const prepared = await prepare(item);
      const started = performance.now();
      const input = await preprocessImageBytes(prepared.bytes, preprocessing);
      return { ok: true, prepared, input, decodeMs: performance.now() - started };
    } catch (error) {
      return { ok: false, error };
    }
  };
  const inFlight: Promise<Prepared<P>>[] = [];
  let started = 0;
  const topUp = () => {
    while (started < items.length && inFlight.length < prefetch) inFlight.push(prepareOne(items[started++]!));
  };
  const predictNext = async (index: number): Promise<PipelinedPrediction<T, P>> => {
    const item = items[index]!;
    const next = inFlight.shift()!;
    topUp();
    const ready = await next;
    if (!ready.ok) return { item, error: ready.error };
    try {
      return { item, prepared: ready.prepared, prediction: await predictNormalized(ready.input, ready.decodeMs) };
    } catch (error) {
      return { item, error };
    }
  };
  topUp();
  let current = items.length > 0 ? predictNext(0) : null;
  for (let index = 0; current !== null; index++) {
    const result = await current;
    // The engine starts on the next image before the caller handles this one (a database write, say).
    current = index + 1 < items.length ? predictNext(index + 1) : null;
    yield result;
  }
}

/** Verifies `modelDir` (refusing a corrupt or partial model with ModelStoreError) and readies it for prediction. */
export async function loadPredictor(modelDir: string, options: EngineOptions = {}): Promise<Predictor> {
  return createPredictor(readModelDirectory(modelDir), options);
}
