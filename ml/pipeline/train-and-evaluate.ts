/**
 * The whole path from a data folder to a saved, evaluated model version:
 *   load records -> decode train/val at the model's size -> channel stats from TRAIN only -> train (early stopping
 *   on val) -> export -> score val/test through the inference engine -> threshold on VAL for the target sensitivity
 *   -> report on test (+ lesion-disjoint, + biopsied) -> metadata + model card -> atomic save -> reload the saved
 *   directory and check it reproduces the evaluated probabilities.
 * Progress events and an AbortSignal make it usable from the CLI and from background jobs.
 */
import { computeTrainingChannelStats, DEFAULT_DECODE_OPTIONS, loadImages, normalizeToFloat32, type DecodeOptions, type ImageRecord } from "../data";
import { DIAGNOSES, MALIGNANT_DIAGNOSES } from "../diagnoses";
import { initBackend } from "../backend";
import { loadPredictor } from "../inference/predictor";
import { createScorer } from "../inference/scorer";
import type { EngineKind } from "../inference/engines/engine";
import type { TestTimeAugmentationMode } from "../inference/test-time-augmentation";
import type { ClassifierOptions } from "../model/classifier-options";
import { resolveClassifierOptions } from "../model/classifier-options";
import { codeVersion } from "../store/code-version";
import { artifactsOfLayersModel } from "../store/model-artifacts";
import type { ModelMetadata, Preprocessing } from "../store/model-files";
import { saveModel, type SavedModel } from "../store/save-model";
import { labelledRecordsHash } from "../store/training-data-hash";
import { trainClassifier } from "../training/train-classifier";
import type { EpochSummary, StopReason } from "../training/training-types";
import { evaluateModel } from "./evaluate-model";
import type { EvaluationReport } from "./evaluation-report";
import { DEFAULT_TARGET_SENSITIVITY } from "./evaluate-probabilities";
import { loadDataset, type DatasetSource } from "./load-dataset";
import { chooseTestTimeAugmentation, type TtaChoice } from "./choose-test-time-augmentation";
import { buildModelCard, renderModelCardMarkdown } from "./model-card";
import type { PipelineProgress } from "./progress";

export interface TrainAndEvaluateOptions {
  /** A data folder (format detected) or records already read (with a one-line description). */
  data: DatasetSource | { records: readonly ImageRecord[]; description: string };
  /** Parent folder of model versions; the model is saved to `<modelsDir>/<version>`. */
  modelsDir: string;
  /** Default `v<UTC yyyymmdd-hhmmss>-s<seed>`. */
  version?: string;
  /** Seeds initialisation, shuffling and augmentation (default 0). */
  seed?: number;
  /** At least one of epochs / timeBudgetSeconds (default: 30 epochs). */
  epochs?: number;
  timeBudgetSeconds?: number;
  /** Validations without improvement before stopping (default: no early stopping; best weights are restored anyway). */
  earlyStoppingPatience?: number;
  batchSize?: number;
  learningRate?: number;
  /** Architecture (input size, widths...); the seed option above wins. */
  model?: ClassifierOptions;
  /** How images are framed and resized (default cover + linear, how DermaMNIST was made). */
  decode?: DecodeOptions;
  targetSensitivity?: number;
  /** Bootstrap resamples for AUC intervals (default 1,000). */
  bootstrapResamples?: number;
  /** Test-time augmentation: a fixed mode, or "choose" (default) to pick it on validation. */
  testTimeAugmentation?: TestTimeAugmentationMode | "choose";
  /** Inference engine used for evaluation and verification (default "auto": ONNX Runtime, else tfjs). */
  engine?: EngineKind;
  /** The tfjs backend already started by the caller; default: initBackend(). */
  backend?: { name: string; isGpu: boolean };
  onProgress?: (progress: PipelineProgress) => void;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface TrainingSummary {
  objective: string;
  testTimeAugmentation: TtaChoice | { mode: TestTimeAugmentationMode; chosenBy: "caller" };
  epochsRun: number;
  bestEpoch: number;
  stoppedBy: StopReason;
  elapsedSeconds: number;
  imagesPerSecond: number;
  history: EpochSummary[];
}

export interface TrainAndEvaluateResult {
  saved: SavedModel;
  report: EvaluationReport;
  metadata: ModelMetadata;
  training: TrainingSummary;
  timings: { decodeSeconds: number; trainSeconds: number; evaluateSeconds: number; saveSeconds: number; totalSeconds: number };
}

type Labelled = ImageRecord & { malignant: boolean };

function defaultVersion(now: Date, seed: number): string {
  const iso = now.toISOString(); // 2025-11-26T07:50:12.345Z
  return `v${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}-s${seed}`;
}

export async function trainAndEvaluate(options: TrainAndEvaluateOptions): Promise<TrainAndEvaluateResult> {
  const { signal, onProgress } = options;
  const now = options.now ?? (() => new Date());
  const seed = options.seed ?? 0;
  const clock = performance.now();
  const since = (t: number) => (performance.now() - t) / 1000;
  const report = (p: PipelineProgress) => onProgress?.(p);
  signal?.throwIfAborted();

  report({ phase: "load-data", message: "Reading records", fraction: null });
  const dataset = "records" in options.data ? { records: [...options.data.records], description: options.data.description } : loadDataset(options.data);
  const records = dataset.records;
  const isLabelled = (r: ImageRecord): r is Labelled => r.malignant !== null;
  const train = records.filter((r): r is Labelled => r.split === "train" && isLabelled(r));
  const val = records.filter((r): r is Labelled => r.split === "val" && isLabelled(r));
  const test = records.filter((r) => r.split === "test");
  if (train.length === 0 || val.length === 0 || test.length === 0) {
    throw new RangeError(`need labelled train, val and test images; got ${train.length} train, ${val.length} val, ${test.length} test`);
  }
  const labelMode = [...train, ...val].every((r) => r.diagnosis !== null) ? "diagnosis" : "malignancy";
  const architecture = resolveClassifierOptions({ ...options.model, seed });
  const size = architecture.inputSize;
  const decode = { ...DEFAULT_DECODE_OPTIONS, ...options.decode };

  const decodeStart = performance.now();
  const total = train.length + val.length;
  const onDecoded = (offset: number) => (done: number) =>
    report({ phase: "decode", message: `Decoding images at ${size}x${size}`, fraction: (offset + done) / total });
  const trainPixels = await loadImages(train, size, { ...decode, onProgress: onDecoded(0) });
  signal?.throwIfAborted();
  const valPixels = await loadImages(val, size, { ...decode, onProgress: onDecoded(train.length) });
  signal?.throwIfAborted();
  const channelStats = computeTrainingChannelStats(trainPixels, train.length, size);
  const preprocessing: Preprocessing = { inputSize: size, channels: 3, layout: "NHWC", decode, channelStats };
  const decodeSeconds = since(decodeStart);

  const backend = options.backend ?? (await initBackend());
  const trainStart = performance.now();
  const label = labelMode === "diagnosis" ? (r: Labelled) => DIAGNOSES.indexOf(r.diagnosis!) : (r: Labelled) => (r.malignant ? 1 : 0);
  const valData = { x: normalizeToFloat32(valPixels, channelStats), y: Int32Array.from(val, label) };
  const trainOptions = {
    model: architecture,
    train: { x: normalizeToFloat32(trainPixels, channelStats), y: Int32Array.from(train, label) },
    val: valData,
    epochs: options.epochs ?? (options.timeBudgetSeconds === undefined ? 30 : undefined),
    timeBudgetSeconds: options.timeBudgetSeconds,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed,
    earlyStopping: options.earlyStoppingPatience === undefined ? undefined : { patience: options.earlyStoppingPatience },
    signal,
    onProgress: (training: NonNullable<PipelineProgress["training"]>) => {
      const fraction = training.etaSeconds === null ? null : training.elapsedSeconds / (training.elapsedSeconds + training.etaSeconds);
      report({ phase: "train", message: `Epoch ${training.epoch}${training.epochs === null ? "" : `/${training.epochs}`}`, fraction, training });
    },
  };
  // Binary-only labels train the same 7-class network through P(malignant) (the "malignancy" objective).
  const trained = await trainClassifier({ ...trainOptions, objective: labelMode });
  const trainSeconds = since(trainStart);
  let artifacts;
  try {
    artifacts = await artifactsOfLayersModel(trained.model);
  } finally {
    trained.model.dispose();
  }
  signal?.throwIfAborted();

  const evaluateStart = performance.now();
  const requestedTta = options.testTimeAugmentation ?? "choose";
  report({ phase: "evaluate", message: "Choosing test-time augmentation on validation", fraction: null });
  const tta =
    requestedTta === "choose"
      ? await chooseTestTimeAugmentation({ artifacts, preprocessing, valInput: valData.x, valLabels: valData.y, labelMode, engine: options.engine })
      : { mode: requestedTta, chosenBy: "caller" as const };
  preprocessing.testTimeAugmentation = tta.mode;
  const version = options.version ?? defaultVersion(now(), seed);
  const scorer = await createScorer(artifacts, preprocessing, { engine: options.engine });
  let evaluation: EvaluationReport;
  let reference: Float32Array;
  const sample = test.filter(isLabelled).slice(0, 32);
  try {
    evaluation = await evaluateModel({
      scorer,
      records,
      targetSensitivity: options.targetSensitivity ?? DEFAULT_TARGET_SENSITIVITY,
      modelVersion: version,
      labelMode,
      binary: { bootstrapResamples: options.bootstrapResamples },
      signal,
      onProgress: (done, count) => report({ phase: "evaluate", message: "Scoring validation and test images", fraction: done / count }),
    });
    reference = await scorer.scoreRecords(sample);
  } finally {
    await scorer.dispose();
  }
  const evaluateSeconds = since(evaluateStart);
  signal?.throwIfAborted();

  const saveStart = performance.now();
  const op = evaluation.threshold;
  const training: TrainingSummary = {
    objective: labelMode === "diagnosis" ? "7-class weighted cross-entropy" : "binary cross-entropy on P(malignant) = summed softmax of akiec, bcc, mel",
    testTimeAugmentation: tta,
    epochsRun: trained.history.length,
    bestEpoch: trained.bestEpoch,
    stoppedBy: trained.stoppedBy,
    elapsedSeconds: trained.elapsedSeconds,
    imagesPerSecond: trained.imagesPerSecond,
    history: trained.history,
  };
  const metadata: ModelMetadata = {
    version,
    createdAt: now().toISOString(),
    classes: [...DIAGNOSES],
    malignantClasses: DIAGNOSES.filter((dx) => MALIGNANT_DIAGNOSES.has(dx)),
    labelMode,
    operatingPoint: {
      threshold: op.value,
      targetSensitivity: op.targetSensitivity,
      chosenOn: "validation",
      validationSensitivity: op.validation?.sensitivity ?? 0,
      validationSpecificity: op.validation?.specificity ?? null,
      validationPositives: op.validation?.positives ?? 0,
      validationNegatives: op.validation?.negatives ?? 0,
    },
    data: {
      trainingHash: labelledRecordsHash(train),
      validationHash: labelledRecordsHash(val),
      source: dataset.description,
      counts: { train: train.length, val: val.length, test: test.length },
    },
    code: codeVersion(),
    backend: { name: backend.name, isGpu: backend.isGpu },
    architecture: { ...architecture },
    training: {
      ...training,
      seed,
      epochsRequested: trainOptions.epochs ?? null,
      timeBudgetSeconds: options.timeBudgetSeconds ?? null,
      batchSize: options.batchSize ?? 64,
      learningRate: options.learningRate ?? null,
      earlyStoppingPatience: options.earlyStoppingPatience ?? null,
    },
  };
  const card = buildModelCard(metadata, preprocessing, evaluation);
  report({ phase: "save", message: `Saving ${version}`, fraction: null });
  const saved = await saveModel({
    modelsDir: options.modelsDir,
    model: artifacts,
    metadata,
    preprocessing,
    metrics: evaluation,
    modelCard: { markdown: renderModelCardMarkdown(card), json: card },
  });
  const saveSeconds = since(saveStart);

  // The saved directory, loaded the way production loads it, must give the probabilities that were evaluated.
  report({ phase: "verify", message: "Reloading the saved model", fraction: null });
  const reloaded = await loadPredictor(saved.dir, { engine: options.engine });
  try {
    const again = await reloaded.scoreRecords(sample);
    const worst = again.reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i]!)), 0);
    if (again.length !== reference.length || worst > 1e-5) {
      throw new Error(`saved model ${saved.dir} does not reproduce the evaluated probabilities (max difference ${worst})`);
    }
  } finally {
    await reloaded.dispose();
  }
  report({ phase: "done", message: `Saved ${saved.dir}`, fraction: 1 });
  return { saved, report: evaluation, metadata, training, timings: { decodeSeconds, trainSeconds, evaluateSeconds, saveSeconds, totalSeconds: since(clock) } };
}
