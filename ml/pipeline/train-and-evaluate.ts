/**
 * The whole path from a data folder to a saved, evaluated model version:
 *   load records -> decode train/val at the model's size -> channel stats from TRAIN only -> train (early stopping
 *   on val) -> export -> score val/test through the inference engine -> threshold on VAL for the target sensitivity
 *   -> report on test (+ lesion-disjoint, + biopsied) -> metadata + model card -> atomic save -> reload the saved
 *   directory and check it reproduces the evaluated probabilities.
 * Progress events and an AbortSignal make it usable from the CLI and from background jobs.
 */
import { computeTrainingChannelStats, DEFAULT_DECODE_OPTIONS, lesionKey, loadImages, type ChannelStats, type DecodeOptions, type ImageRecord } from "../data";
import { applyColourConstancy } from "../data/colour-constancy";
import { DIAGNOSES, MALIGNANT_DIAGNOSES } from "../diagnoses";
import { initBackend } from "../backend";
import { loadPredictor } from "../inference/predictor";
import { modelInputOfPixels } from "../inference/preprocess";
import { createScorer } from "../inference/scorer";
import type { EngineKind } from "../inference/engines/engine";
import type { TestTimeAugmentationMode } from "../inference/test-time-augmentation";
import type { ClassifierOptions } from "../model/classifier-options";
import { resolveClassifierOptions } from "../model/classifier-options";
import { codeVersion } from "../store/code-version";
import { composeClassifier, loadMobileNetV2, OOD_FEATURES_LAYER } from "../model/mobilenet-v2";
import { artifactsOfLayersModel, type ModelArtifactsBundle } from "../store/model-artifacts";
import type { ModelMetadata, Preprocessing } from "../store/model-files";
import { saveModel, type SavedModel } from "../store/save-model";
import { labelledRecordsHash } from "../store/training-data-hash";
import { trainClassifier } from "../training/train-classifier";
import { trainTopBlocks } from "../training/train-top-blocks";
import type { EpochSummary, StopReason } from "../training/training-types";
import { crossSourceReport, evaluateModel } from "./evaluate-model";
import { chooseOodThreshold, fitMahalanobis, mahalanobisScores, type OodDetector, type OodFit } from "../ood/mahalanobis";
import { buildOodReport, oodSubsetRate, recordingFeatures } from "../ood/ood-report";
import type { EvaluationReport, SubsetReport } from "./evaluation-report";
import { DEFAULT_TARGET_SENSITIVITY } from "./evaluate-probabilities";
import { loadDataset, type DatasetSource } from "./load-dataset";
import { chooseTestTimeAugmentation, type TtaChoice } from "./choose-test-time-augmentation";
import { buildModelCard, renderModelCardMarkdown } from "./model-card";
import type { PipelineProgress } from "./progress";
import { resolveTrainingConfig, type TrainingConfig, type TrainingConfigOverrides } from "./training-config";

export interface TrainAndEvaluateOptions {
  /** A data folder (format detected) or records already read (with a one-line description). */
  data: DatasetSource | { records: readonly ImageRecord[]; description: string };
  /** Parent folder of model versions; the model is saved to `<modelsDir>/<version>`. */
  modelsDir: string;
  /** Default `v<UTC yyyymmdd-hhmmss>-s<seed>`. */
  version?: string;
  /** Seeds initialisation, shuffling and augmentation (default 0). */
  seed?: number;
  /**
   * Recipe and hyper-parameters (ml/pipeline/training-config.ts): anything not given takes the recipe's default.
   * The fields below (epochs, batchSize...) are shorthands for the same settings and win over this object.
   */
  training?: TrainingConfigOverrides;
  /** Epoch cap (recipe default when absent); with timeBudgetSeconds, whichever ends first. */
  epochs?: number;
  timeBudgetSeconds?: number;
  /** Validations without improvement before stopping (default: no early stopping; best weights are restored anyway). */
  earlyStoppingPatience?: number;
  batchSize?: number;
  learningRate?: number;
  /** CNN recipe only: architecture (input size, widths...); the seed option above wins. */
  model?: ClassifierOptions;
  /**
   * Images from other sources, scored at the validation-chosen threshold and reported as the "cross-source" subset
   * of the report and card. Never used for any choice (epochs, threshold, test-time augmentation).
   */
  crossSource?: { records: readonly ImageRecord[]; description: string };
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
  config: TrainingConfig;
  objective: string;
  testTimeAugmentation: TtaChoice | { mode: TestTimeAugmentationMode; chosenBy: "caller" };
  epochsRun: number;
  bestEpoch: number;
  stoppedBy: StopReason;
  elapsedSeconds: number;
  imagesPerSecond: number;
  /** Pretrained recipe: seconds spent caching the frozen trunk's feature maps (inside elapsedSeconds' wall time). */
  cacheSeconds: number | null;
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
  const config = resolveTrainingConfig(
    {
      ...options.training,
      seed,
      epochs: options.epochs,
      timeBudgetSeconds: options.timeBudgetSeconds,
      earlyStoppingPatience: options.earlyStoppingPatience,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      inputSize: options.model?.inputSize ?? options.training?.inputSize,
    },
    labelMode,
  );
  const size = config.inputSize;
  const decode = { ...DEFAULT_DECODE_OPTIONS, ...options.decode };

  const decodeStart = performance.now();
  const total = train.length + val.length;
  const onDecoded = (offset: number) => (done: number) =>
    report({ phase: "decode", message: `Decoding images at ${size}x${size}`, fraction: (offset + done) / total });
  const trainPixels = await loadImages(train, size, { ...decode, onProgress: onDecoded(0) });
  signal?.throwIfAborted();
  const valPixels = await loadImages(val, size, { ...decode, onProgress: onDecoded(train.length) });
  signal?.throwIfAborted();
  const preprocessing: Preprocessing = {
    inputSize: size,
    channels: 3,
    layout: "NHWC",
    decode,
    channelStats: config.recipe === "cnn" ? trainingChannelStats(trainPixels, train.length, size, config) : PRETRAINED_SCALING,
    colourConstancy: config.colourConstancy,
  };
  const decodeSeconds = since(decodeStart);

  const backend = options.backend ?? (await initBackend());
  const trainStart = performance.now();
  const label = labelMode === "diagnosis" ? (r: Labelled) => DIAGNOSES.indexOf(r.diagnosis!) : (r: Labelled) => (r.malignant ? 1 : 0);
  const valData = { x: modelInputOfPixels(valPixels, val.length, preprocessing), y: Int32Array.from(val, label) };
  const onTrainingProgress = (training: NonNullable<PipelineProgress["training"]>) => {
    const fraction = training.etaSeconds === null ? null : training.elapsedSeconds / (training.elapsedSeconds + training.etaSeconds);
    report({ phase: "train", message: `Epoch ${training.epoch}${training.epochs === null ? "" : `/${training.epochs}`}`, fraction, training });
  };
  const trained =
    config.recipe === "cnn"
      ? await trainCnn(config, options.model, { x: modelInputOfPixels(trainPixels, train.length, preprocessing), y: Int32Array.from(train, label) }, valData, labelMode, signal, onTrainingProgress)
      : await trainPretrained(config, preprocessing, { pixels: trainPixels, labels: Int32Array.from(train, label) }, { pixels: valPixels, labels: valData.y }, val, labelMode, options.engine, signal, report, onTrainingProgress);
  const artifacts = trained.artifacts;
  const trainSeconds = since(trainStart);
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
  const recorded = recordingFeatures(scorer);
  let evaluation: EvaluationReport;
  let reference: Float32Array;
  let ood: OodDetector | null = null;
  const sample = test.filter(isLabelled).slice(0, 32);
  try {
    evaluation = await evaluateModel({
      scorer: recorded.scorer,
      records,
      targetSensitivity: options.targetSensitivity ?? DEFAULT_TARGET_SENSITIVITY,
      modelVersion: version,
      labelMode,
      binary: { bootstrapResamples: options.bootstrapResamples },
      signal,
      onProgress: (done, count) => report({ phase: "evaluate", message: "Scoring validation and test images", fraction: done / count }),
    });
    const crossLabelled = options.crossSource?.records.filter(isLabelled) ?? [];
    if (options.crossSource) {
      report({ phase: "evaluate", message: "Scoring the cross-source check set", fraction: null });
      const cross = await crossSourceReport(recorded.scorer, crossLabelled, evaluation.threshold.value, { bootstrapResamples: options.bootstrapResamples });
      if (cross) evaluation = withCrossSource(evaluation, cross, options.crossSource.description);
    }
    if (trained.oodFit) {
      ({ ood, evaluation } = withOod(trained.oodFit, evaluation, recorded.featuresOf, { val, test: test.filter(isLabelled), cross: crossLabelled }));
    }
    reference = await scorer.scoreRecords(sample);
  } finally {
    await scorer.dispose();
  }
  const evaluateSeconds = since(evaluateStart);
  signal?.throwIfAborted();

  const saveStart = performance.now();
  const op = evaluation.threshold;
  const training: TrainingSummary = {
    config,
    objective:
      labelMode === "diagnosis"
        ? `7-class cross-entropy (class weighting ${config.classWeighting}, label smoothing ${config.labelSmoothing})`
        : `binary cross-entropy on P(malignant) = summed softmax of akiec, bcc, mel (class weighting ${config.classWeighting})`,
    testTimeAugmentation: tta,
    epochsRun: trained.history.length,
    bestEpoch: trained.bestEpoch,
    stoppedBy: trained.stoppedBy,
    elapsedSeconds: trained.elapsedSeconds,
    imagesPerSecond: trained.imagesPerSecond,
    cacheSeconds: trained.cacheSeconds,
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
    architecture: trained.architecture,
    training: { ...training },
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
    ood,
    trainingLesions: { formatVersion: 1, train: uniqueLesionKeys(train), val: uniqueLesionKeys(val) },
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

const uniqueLesionKeys = (records: readonly ImageRecord[]) => [...new Set(records.map(lesionKey))].sort();

/** Inputs in [-1, 1] (x / 127.5 - 1): the scaling the ImageNet MobileNetV2 weights were trained with. */
const PRETRAINED_SCALING: ChannelStats = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

/** Training-split channel statistics of the CNN, measured after colour constancy (what the network will see). */
function trainingChannelStats(pixels: Uint8Array, count: number, size: number, config: TrainingConfig): ChannelStats {
  if (config.colourConstancy.method === "none") return computeTrainingChannelStats(pixels, count, size);
  const corrected = pixels.slice();
  applyColourConstancy(corrected, count, config.colourConstancy);
  return computeTrainingChannelStats(corrected, count, size);
}

interface TrainedModel {
  artifacts: ModelArtifactsBundle;
  architecture: Record<string, unknown>;
  history: EpochSummary[];
  bestEpoch: number;
  stoppedBy: StopReason;
  elapsedSeconds: number;
  imagesPerSecond: number;
  cacheSeconds: number | null;
  /** The out-of-distribution detector fitted on the training images' features (pretrained recipe), before its threshold. */
  oodFit: OodFit | null;
}

/**
 * Chooses the OOD threshold on validation (a stated false-alarm rate) and reports how often it fires on each part of
 * the data. The features come from the same scoring pass as the report.
 */
function withOod(
  fit: OodFit,
  evaluation: EvaluationReport,
  featuresOf: (records: readonly { file: string }[]) => Float32Array | null,
  parts: { val: readonly Labelled[]; test: readonly Labelled[]; cross: readonly Labelled[] },
): { ood: OodDetector; evaluation: EvaluationReport } {
  const valFeatures = featuresOf(parts.val);
  if (valFeatures === null) throw new Error("the model has no feature output for its OOD detector");
  const ood = chooseOodThreshold(fit, mahalanobisScores(fit, valFeatures, parts.val.length));
  const histo = parts.test.filter((r) => r.dxType === "histo");
  const subsets = [
    oodSubsetRate(ood, "validation", valFeatures, parts.val.length),
    oodSubsetRate(ood, "test", featuresOf(parts.test)!, parts.test.length),
    oodSubsetRate(ood, "test-histo", featuresOf(histo)!, histo.length),
    ...(parts.cross.length > 0 ? [oodSubsetRate(ood, "cross-source", featuresOf(parts.cross)!, parts.cross.length)] : []),
  ];
  return { ood, evaluation: { ...evaluation, ood: buildOodReport(ood, subsets) } };
}

async function trainCnn(
  config: Extract<TrainingConfig, { recipe: "cnn" }>,
  model: ClassifierOptions | undefined,
  trainData: { x: Float32Array; y: Int32Array },
  valData: { x: Float32Array; y: Int32Array },
  labelMode: "diagnosis" | "malignancy",
  signal: AbortSignal | undefined,
  onProgress: (event: NonNullable<PipelineProgress["training"]>) => void,
): Promise<TrainedModel> {
  const architecture = resolveClassifierOptions({ ...model, inputSize: config.inputSize, seed: config.seed });
  // Binary-only labels train the same 7-class network through P(malignant) (the "malignancy" objective).
  const trained = await trainClassifier({
    model: architecture,
    train: trainData,
    val: valData,
    objective: labelMode,
    epochs: config.epochs ?? undefined,
    timeBudgetSeconds: config.timeBudgetSeconds ?? undefined,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    classWeighting: config.classWeighting,
    labelSmoothing: config.labelSmoothing,
    augmentation: config.augmentation,
    seed: config.seed,
    earlyStopping: config.earlyStoppingPatience === null ? undefined : { patience: config.earlyStoppingPatience },
    signal,
    onProgress,
  });
  try {
    return {
      artifacts: await artifactsOfLayersModel(trained.model),
      architecture: { recipe: "cnn", ...architecture },
      history: trained.history,
      bestEpoch: trained.bestEpoch,
      stoppedBy: trained.stoppedBy,
      elapsedSeconds: trained.elapsedSeconds,
      imagesPerSecond: trained.imagesPerSecond,
      cacheSeconds: null,
      oodFit: null,
    };
  } finally {
    trained.model.dispose();
  }
}

async function trainPretrained(
  config: Extract<TrainingConfig, { recipe: "mobilenetv2-finetune" }>,
  preprocessing: Preprocessing,
  trainData: { pixels: Uint8Array; labels: Int32Array },
  valData: { pixels: Uint8Array; labels: Int32Array },
  val: readonly Labelled[],
  labelMode: "diagnosis" | "malignancy",
  engine: EngineKind | undefined,
  signal: AbortSignal | undefined,
  report: (p: PipelineProgress) => void,
  onProgress: (event: NonNullable<PipelineProgress["training"]>) => void,
): Promise<TrainedModel> {
  const backbone = await loadMobileNetV2(config.inputSize);
  try {
    // Epochs are kept on the biopsied validation cases' AUC when there are enough of them: the decision the
    // product supports is made on lesions a clinician already considers cutting out.
    const histo = Uint8Array.from(val, (r) => (r.dxType === "histo" ? 1 : 0));
    const histoPositives = val.filter((r, i) => histo[i] === 1 && r.malignant).length;
    const histoNegatives = val.filter((r, i) => histo[i] === 1 && !r.malignant).length;
    const selectionMask = histoPositives >= 20 && histoNegatives >= 20 ? histo : undefined;
    const trained = await trainTopBlocks({
      backbone,
      cut: config.backbone.cut,
      inputSize: config.inputSize,
      toModelInput: (pixels, count) => modelInputOfPixels(pixels, count, preprocessing),
      train: trainData,
      val: valData,
      selectionMask,
      objective: labelMode,
      views: config.views,
      augmentation: config.augmentation,
      epochs: config.epochs ?? 1,
      timeBudgetSeconds: config.timeBudgetSeconds ?? undefined,
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      labelSmoothing: config.labelSmoothing,
      dropout: config.dropout,
      classWeighting: config.classWeighting,
      seed: config.seed,
      engine,
      signal,
      onCacheProgress: (done, total) => report({ phase: "train", message: "Computing the frozen backbone's features", fraction: done / total / 10 }),
      onProgress,
    });
    try {
      const composed = composeClassifier(backbone, config.backbone.cut, trained.top);
      try {
        return {
          artifacts: await artifactsOfLayersModel(composed),
          architecture: {
            recipe: config.recipe,
            backbone: config.backbone.package,
            trainedFrom: config.backbone.cut,
            inputSize: config.inputSize,
            epochSelection: selectionMask === undefined ? "validation P(malignant) AUC" : "validation P(malignant) AUC on biopsied (histo) cases",
            trunkBackend: trained.trunkBackend,
            oodFeatures: `${OOD_FEATURES_LAYER}: ${config.backbone.cut} averaged over space (${trained.featureChannels} values)`,
          },
          history: trained.history,
          bestEpoch: trained.bestEpoch,
          stoppedBy: trained.stoppedBy,
          elapsedSeconds: trained.elapsedSeconds + trained.cacheSeconds,
          imagesPerSecond: trained.imagesPerSecond,
          cacheSeconds: trained.cacheSeconds,
          oodFit: fitMahalanobis({ features: trained.trainPooledFeatures, labels: trainData.labels, dim: trained.featureChannels, featureOutput: OOD_FEATURES_LAYER }),
        };
      } finally {
        composed.dispose();
      }
    } finally {
      trained.top.dispose();
    }
  } finally {
    backbone.dispose();
  }
}

function withCrossSource(report: EvaluationReport, cross: SubsetReport, description: string): EvaluationReport {
  return {
    ...report,
    crossSource: { ...cross, description: `${cross.description} ${description}` },
    notes: [...report.notes, "The cross-source subset was scored once, after every choice; nothing was trained or tuned on it."],
  };
}
