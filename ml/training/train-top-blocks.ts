/**
 * Fine-tunes the top blocks of a pretrained backbone on cached feature maps, which is what makes a 128-px
 * ImageNet network trainable on a 2-core CPU in minutes:
 *
 *   1. The frozen trunk (ml/model/mobilenet-v2 buildTrunk) runs ONCE per training view through the inference
 *      engine (ONNX Runtime: several times faster than tfjs-wasm here): view 0 is the image as served, views 1..n-1
 *      are seeded random augmentations (ml/data/augment-view: any rotation, mirror, zoom, illuminant and contrast),
 *      each through the one shared preprocessing (colour constancy + normalisation). Validation images once, plain.
 *   2. The top (blocks after the cut, global pooling, dropout, dense) trains in tfjs with Adam, warm-up + cosine
 *      learning rate and a label-smoothed, class-weighted loss. Each step draws, per image, one of its cached views
 *      and a random mirror/transpose of the map (the trunk is convolutional, so this approximates flipping the
 *      input at no cost).
 *   3. After each epoch the top is scored on validation; the weights of the best epoch by `selectionAuc` are kept.
 *
 * The caller composes trunk + top into the served model (composeClassifier).
 */
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import { augmentView, type ViewAugmentation } from "../data/augment-view";
import { DIAGNOSES, MALIGNANT_INDICES } from "../diagnoses";
import { accuracy, argmaxRows, macroOneVsRestAuc, rocAuc } from "../evaluation";
import { createEngine } from "../inference/engines/create-engine";
import type { EngineKind } from "../inference/engines/engine";
import { buildTop, buildTrunk, cutShape, poolTrunkMaps } from "../model/mobilenet-v2";
import { createRng, shuffleInPlace } from "../random";
import { artifactsOfLayersModel } from "../store/model-artifacts";
import { classWeights, type ClassWeighting } from "./class-weights";
import { diagnosisObjective } from "./diagnosis-objective";
import { cosineLearningRate } from "./learning-rate";
import { malignancyObjective } from "./malignancy-objective";
import type { TrainingObjectiveName } from "./training-objective";
import type { EpochSummary, StopReason, TrainingProgress } from "./training-types";

export interface TopBlocksData {
  /** Decoded RGB bytes, count x size x size x 3, BEFORE colour constancy and normalisation. */
  pixels: Uint8Array;
  /** Class indices ("diagnosis") or 0/1 ("malignancy"). */
  labels: Int32Array;
}

export interface TrainTopBlocksOptions {
  backbone: tf.LayersModel;
  cut: string;
  inputSize: number;
  /** The shared preprocessing after decoding: bytes -> model input floats (colour constancy + normalisation). */
  toModelInput: (pixels: Uint8Array, count: number) => Float32Array;
  train: TopBlocksData;
  val: TopBlocksData;
  /** Validation cases the selection AUC is computed on (e.g. the histopathology-confirmed ones); default all. */
  selectionMask?: Uint8Array;
  objective: TrainingObjectiveName;
  views: number;
  augmentation: ViewAugmentation;
  epochs: number;
  timeBudgetSeconds?: number;
  batchSize: number;
  learningRate: number;
  labelSmoothing: number;
  dropout: number;
  classWeighting: ClassWeighting;
  seed: number;
  engine?: EngineKind;
  onCacheProgress?: (done: number, total: number) => void;
  onProgress?: (event: TrainingProgress) => void;
  signal?: AbortSignal;
}

export interface TrainTopBlocksResult {
  /** The top with the best epoch's weights; the caller owns (and disposes) it. */
  top: tf.LayersModel;
  history: EpochSummary[];
  bestEpoch: number;
  stoppedBy: StopReason;
  /** Top training throughput (forward + backward + update), per cached view drawn. */
  imagesPerSecond: number;
  /** Seconds spent computing the frozen trunk's feature maps (all views + validation). */
  cacheSeconds: number;
  /** Seconds spent training the top, validation included. */
  elapsedSeconds: number;
  /** Trunk backend (for example "onnxruntime-node (cpu)"). */
  trunkBackend: string;
  /** The training images' trunk maps averaged over space (view 0, as served): count x channels, for ml/ood. */
  trainPooledFeatures: Float32Array;
  featureChannels: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const CACHE_CHUNK = 64;

/** Trunk feature maps for every image (and augmented views): Float32Array per view, count x featureLength. */
async function cacheTrunkMaps(
  options: TrainTopBlocksOptions,
  jobs: { data: TopBlocksData; views: number }[],
): Promise<{ maps: Float32Array[][]; backend: string }> {
  const trunk = buildTrunk(options.backbone, options.cut);
  const artifacts = await artifactsOfLayersModel(trunk);
  trunk.dispose();
  const engine = await createEngine(artifacts, { engine: options.engine, threads: Math.max(1, os.availableParallelism()) });
  const size = options.inputSize;
  const imageBytes = size * size * 3;
  const featureLength = engine.classCount;
  const rng = createRng(options.seed * 7919 + 17);
  const total = jobs.reduce((s, j) => s + j.views * (j.data.pixels.length / imageBytes), 0);
  let done = 0;
  try {
    const maps: Float32Array[][] = [];
    for (const job of jobs) {
      const count = job.data.pixels.length / imageBytes;
      const perView: Float32Array[] = [];
      for (let view = 0; view < job.views; view++) {
        const out = new Float32Array(count * featureLength);
        for (let start = 0; start < count; start += CACHE_CHUNK) {
          options.signal?.throwIfAborted();
          const n = Math.min(CACHE_CHUNK, count - start);
          let chunk = job.data.pixels.subarray(start * imageBytes, (start + n) * imageBytes);
          if (view > 0) {
            const augmented = new Uint8Array(chunk.length);
            for (let i = 0; i < n; i++) augmented.set(augmentView(chunk.subarray(i * imageBytes, (i + 1) * imageBytes), size, options.augmentation, rng), i * imageBytes);
            chunk = augmented;
          }
          out.set(await engine.run(options.toModelInput(chunk, n), n), start * featureLength);
          done += n;
          options.onCacheProgress?.(done, total);
        }
        perView.push(out);
      }
      maps.push(perView);
    }
    return { maps, backend: engine.backend };
  } finally {
    await engine.dispose();
  }
}

async function probabilitiesOf(top: tf.LayersModel, maps: Float32Array, count: number, shape: [number, number, number]): Promise<Float32Array> {
  const k = DIAGNOSES.length;
  const featureLength = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(count * k);
  for (let start = 0; start < count; start += 256) {
    const n = Math.min(256, count - start);
    const p = tf.tidy(() => tf.softmax(top.predict(tf.tensor4d(maps.subarray(start * featureLength, (start + n) * featureLength), [n, ...shape])) as tf.Tensor2D));
    out.set((await p.data()) as Float32Array, start * k);
    p.dispose();
  }
  return out;
}

function validationSummary(probabilities: Float32Array, options: TrainTopBlocksOptions): Omit<EpochSummary, "epoch" | "loss" | "learningRate" | "elapsedSeconds"> & { selectionAuc: number | null } {
  const k = DIAGNOSES.length;
  const labels = options.val.labels;
  const n = labels.length;
  const malignant = new Set(MALIGNANT_INDICES);
  const isMalignant = (label: number) => (options.objective === "malignancy" ? label === 1 : malignant.has(label));
  const scores = new Float64Array(n);
  const positive = new Uint8Array(n);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (const c of MALIGNANT_INDICES) p += probabilities[i * k + c]!;
    scores[i] = p;
    positive[i] = isMalignant(labels[i]!) ? 1 : 0;
    if (options.objective === "diagnosis") loss -= Math.log(Math.max(probabilities[i * k + labels[i]!]!, 1e-7));
    else loss -= Math.log(Math.min(Math.max(positive[i] ? p : 1 - p, 1e-7), 1));
  }
  const malignantAuc = rocAuc(scores, positive);
  const mask = options.selectionMask;
  const selected = mask === undefined ? null : Array.from({ length: n }, (_, i) => i).filter((i) => mask[i] === 1);
  const selectionAuc =
    selected === null ? malignantAuc : (rocAuc(Float64Array.from(selected, (i) => scores[i]!), Uint8Array.from(selected, (i) => positive[i]!)) ?? malignantAuc);
  const diagnosis = options.objective === "diagnosis";
  return {
    valLoss: n > 0 ? loss / n : null,
    valAuc: diagnosis ? macroOneVsRestAuc(probabilities, labels, k).macroAuc : malignantAuc,
    valAccuracy: diagnosis ? accuracy(argmaxRows(probabilities, k), labels) : null,
    valMalignantAuc: malignantAuc,
    selectionAuc,
  };
}

export async function trainTopBlocks(options: TrainTopBlocksOptions): Promise<TrainTopBlocksResult> {
  const { backbone, cut, signal } = options;
  const objective = options.objective === "diagnosis" ? diagnosisObjective : malignancyObjective;
  objective.checkLabels({ x: new Float32Array(0), y: options.train.labels }, { x: new Float32Array(0), y: options.val.labels });
  const targetCount = objective.targetCount(DIAGNOSES.length);
  const shape = cutShape(backbone, cut);
  const featureLength = shape[0] * shape[1] * shape[2];
  const trainCount = options.train.labels.length;
  const valCount = options.val.labels.length;
  const batchSize = Math.min(options.batchSize, trainCount);
  if (trainCount === 0 || valCount === 0) throw new RangeError("trainTopBlocks needs training and validation images");
  if (!(options.views >= 1)) throw new RangeError(`views must be >= 1, got ${options.views}`);

  const cacheStart = performance.now();
  const { maps, backend } = await cacheTrunkMaps(options, [
    { data: options.train, views: options.views },
    { data: options.val, views: 1 },
  ]);
  const cacheSeconds = (performance.now() - cacheStart) / 1000;
  const trainMaps = maps[0]!;
  const valMaps = maps[1]![0]!;

  const top = buildTop(backbone, cut, { dropout: options.dropout, seed: options.seed });
  const optimizer = tf.train.adam(options.learningRate);
  const weights = classWeights(options.train.labels, targetCount, options.classWeighting);
  const on = 1 - options.labelSmoothing + options.labelSmoothing / targetCount;
  const off = options.labelSmoothing / targetCount;
  const rng = createRng(options.seed);
  const batches = Math.floor(trainCount / batchSize);
  const history: EpochSummary[] = [];
  let best: { epoch: number; auc: number; weights: tf.Tensor[] } | null = null;
  let stoppedBy: StopReason = "epochs";
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  let trainSeconds = 0;
  let seen = 0;
  const batchMaps = new Float32Array(batchSize * featureLength);
  const batchTargets = new Float32Array(batchSize * targetCount);
  const batchWeights = new Float32Array(batchSize);
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const order = shuffleInPlace(Array.from({ length: trainCount }, (_, i) => i), rng);
      let lossSum = 0;
      let learningRate = options.learningRate;
      const epochStart = performance.now();
      for (let b = 0; b < batches; b++) {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException("training was cancelled", "AbortError");
        const progress = ((epoch - 1) * batches + b) / (options.epochs * batches);
        learningRate = cosineLearningRate(progress, { peak: options.learningRate });
        // tfjs reads the rate at every step but declares it protected; the schedule sets it from outside.
        (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
        batchTargets.fill(off);
        for (let i = 0; i < batchSize; i++) {
          const index = order[b * batchSize + i]!;
          const view = Math.floor(rng() * options.views);
          batchMaps.set(trainMaps[view]!.subarray(index * featureLength, (index + 1) * featureLength), i * featureLength);
          const label = options.train.labels[index]!;
          batchTargets[i * targetCount + label] = on;
          batchWeights[i] = weights[label]!;
        }
        const flipRows = rng() < 0.5;
        const flipColumns = rng() < 0.5;
        const transpose = rng() < 0.5;
        const loss = tf.tidy(() => {
          let x: tf.Tensor4D = tf.tensor4d(batchMaps, [batchSize, ...shape]);
          if (flipRows) x = tf.reverse(x, 1);
          if (flipColumns) x = tf.reverse(x, 2);
          if (transpose && shape[0] === shape[1]) x = tf.transpose(x, [0, 2, 1, 3]);
          const targets = tf.tensor2d(batchTargets, [batchSize, targetCount]);
          const caseWeights = tf.tensor1d(batchWeights);
          return optimizer.minimize(() => objective.loss(top.apply(x, { training: true }) as tf.Tensor2D, targets, caseWeights), true) as tf.Scalar;
        });
        lossSum += (await loss.data())[0]!;
        loss.dispose();
        seen += batchSize;
        if (b % 10 === 0 || b === batches - 1) {
          const spent = trainSeconds + (performance.now() - epochStart) / 1000;
          const rate = seen / Math.max(spent, 1e-9);
          const last = history.at(-1);
          options.onProgress?.({
            kind: "batch",
            epoch,
            epochs: options.epochs,
            batch: b + 1,
            batches,
            loss: lossSum / (b + 1),
            learningRate,
            valLoss: last?.valLoss ?? null,
            valAuc: last?.valAuc ?? null,
            valAccuracy: last?.valAccuracy ?? null,
            imagesPerSecond: rate,
            elapsedSeconds: elapsed() + cacheSeconds,
            etaSeconds: ((options.epochs * batches - ((epoch - 1) * batches + b + 1)) * batchSize) / rate,
          });
          await yieldToEventLoop();
        }
      }
      trainSeconds += (performance.now() - epochStart) / 1000;
      const summary = validationSummary(await probabilitiesOf(top, valMaps, valCount, shape), options);
      const { selectionAuc, ...validation } = summary;
      history.push({ epoch, loss: lossSum / Math.max(1, batches), learningRate, ...validation, elapsedSeconds: elapsed() });
      const auc = selectionAuc ?? -1;
      if (best === null || auc > best.auc) {
        best?.weights.forEach((w) => w.dispose());
        best = { epoch, auc, weights: top.getWeights().map((w) => w.clone()) };
      }
      const last = history.at(-1)!;
      options.onProgress?.({
        kind: "epoch",
        epoch,
        epochs: options.epochs,
        batch: batches,
        batches,
        loss: last.loss,
        learningRate,
        valLoss: last.valLoss,
        valAuc: last.valAuc,
        valAccuracy: last.valAccuracy,
        imagesPerSecond: seen / Math.max(trainSeconds, 1e-9),
        elapsedSeconds: elapsed() + cacheSeconds,
        etaSeconds: (elapsed() / epoch) * (options.epochs - epoch),
      });
      if (options.timeBudgetSeconds !== undefined && epoch < options.epochs && cacheSeconds + elapsed() * (1 + 1 / epoch) > options.timeBudgetSeconds) {
        stoppedBy = "time-budget";
        break;
      }
    }
    top.setWeights(best!.weights);
    return {
      top,
      history,
      bestEpoch: best!.epoch,
      stoppedBy,
      imagesPerSecond: seen / Math.max(trainSeconds, 1e-9),
      cacheSeconds,
      elapsedSeconds: elapsed(),
      trunkBackend: backend,
      trainPooledFeatures: poolTrunkMaps(trainMaps[0]!, trainCount, shape),
      featureChannels: shape[2],
    };
  } catch (error) {
    top.dispose();
    throw error;
  } finally {
    best?.weights.forEach((w) => w.dispose());
    optimizer.dispose();
  }
}
