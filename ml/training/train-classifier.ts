/**
 * Trains the lesion classifier: seeded shuffling, augmentation and initialisation; AdamW with warm-up + cosine
 * learning rate; a class-weighted, label-smoothed loss on the logits chosen by the `objective` option (7-class
 * softmax cross-entropy by default, or binary cross-entropy on P(malignant) for benign/malignant-only labels);
 * validation every epoch with early stopping that always restores the best validated weights; progress events;
 * cancellation between batches.
 *
 * Runs on whatever tfjs backend is active (call initBackend first; on wasm that also registers the gradient kernels
 * training needs). Holds no module-level state, so it can run inside a worker thread or child process. Tensor memory
 * stays flat: every step runs in tf.tidy, and the only long-lived tensors are the model, the optimiser's moments and
 * one copy of the best weights.
 */
import * as tf from "@tensorflow/tfjs";
// Direct imports: ml/data's index also loads the image decoder (sharp), which the training loop never needs.
import { createRng } from "../random";
import { buildClassifier, LOGITS_LAYER } from "../model/build-classifier";
import { resolveClassifierOptions } from "../model/classifier-options";
import { AdamW } from "./adamw";
import { BatchSource } from "./batch-source";
import { classWeights } from "./class-weights";
import { diagnosisObjective } from "./diagnosis-objective";
import { useFusedBatchNormForTraining } from "./fused-batch-norm";
import { cosineLearningRate } from "./learning-rate";
import { malignancyObjective } from "./malignancy-objective";
import type { TrainingObjective, TrainingObjectiveName } from "./training-objective";
import type { EpochSummary, StopReason, TrainClassifierOptions, TrainClassifierResult, TrainingProgress } from "./training-types";
import { WeightAverage } from "./weight-average";

const OBJECTIVES: Record<TrainingObjectiveName, TrainingObjective> = { diagnosis: diagnosisObjective, malignancy: malignancyObjective };

export const DEFAULT_AUGMENTATION = { flipHorizontal: true, flipVertical: true, rotate90: true, maxShift: 1, brightness: 0.1, contrast: 0.1 };

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException(typeof reason === "string" ? reason : "training was cancelled", "AbortError");
}

/** Lets timers and messages (e.g. a worker's cancel message that aborts the signal) run between batches. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainClassifierResult> {
  // Looked up by name: options may come untyped from a worker message.
  const objective = OBJECTIVES[options.objective ?? "diagnosis"] as TrainingObjective | undefined;
  if (objective === undefined) throw new RangeError(`unknown objective ${String(options.objective)}`);
  const {
    train,
    val,
    epochs,
    timeBudgetSeconds,
    batchSize = 64,
    learningRate = 0.003,
    weightDecay = 1e-4,
    classWeighting = objective.defaultClassWeighting,
    labelSmoothing = 0.05,
    weightAverageDecay = 0,
    augmentation = DEFAULT_AUGMENTATION,
    seed = 0,
    earlyStopping,
    validateEvery = 1,
    onProgress,
    signal,
  } = options;
  if (epochs === undefined && timeBudgetSeconds === undefined) throw new RangeError("give epochs, timeBudgetSeconds or both");
  if (epochs !== undefined && (!Number.isInteger(epochs) || epochs < 1)) throw new RangeError(`epochs must be >= 1, got ${epochs}`);
  if (timeBudgetSeconds !== undefined && !(timeBudgetSeconds > 0)) throw new RangeError("timeBudgetSeconds must be > 0");
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new RangeError("labelSmoothing must be in [0, 1)");
  objective.checkLabels(train, val);
  if (signal?.aborted) throw abortError(signal);

  const modelOptions = resolveClassifierOptions({ seed, ...options.model });
  const { inputSize, channels } = modelOptions;
  const targetCount = objective.targetCount(modelOptions.classCount);
  const rng = createRng(seed ^ 0x5eed);
  const source = new BatchSource(
    train,
    batchSize,
    inputSize,
    channels,
    targetCount,
    classWeights(train.y, targetCount, classWeighting),
    labelSmoothing,
    augmentation,
    rng,
  );
  const plannedEpochs = epochs ?? null;
  const totalSteps = plannedEpochs === null ? null : plannedEpochs * source.batchesPerEpoch;

  const model = buildClassifier(modelOptions);
  const restoreBatchNorm = options.fusedBatchNorm === false ? () => {} : useFusedBatchNormForTraining(model);
  const logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output as tf.SymbolicTensor });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new AdamW(variables, { weightDecay });
  const average = weightAverageDecay > 0 ? new WeightAverage(model, weightAverageDecay) : null;
  let bestWeights: tf.Tensor[] | null = null;

  const lossOf = (images: tf.Tensor4D, targets: tf.Tensor2D, weights: tf.Tensor1D): tf.Scalar =>
    objective.loss(logitsModel.apply(images, { training: true }) as tf.Tensor2D, targets, weights);

  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let trainSeconds = 0;
  let trainImages = 0;
  let step = 0;
  const history: EpochSummary[] = [];
  let best: EpochSummary | null = null;
  let sinceBest = 0;
  let stopEarly = false;
  let stoppedBy: StopReason = "epochs";
  let latest: Pick<EpochSummary, "valLoss" | "valAuc" | "valAccuracy"> = { valLoss: null, valAuc: null, valAccuracy: null };

  const progressFraction = (): number => {
    const byEpochs = totalSteps === null ? 0 : step / totalSteps;
    const byTime = timeBudgetSeconds === undefined ? 0 : elapsed() / timeBudgetSeconds;
    return Math.max(byEpochs, byTime);
  };
  const etaSeconds = (): number | null => {
    const p = progressFraction();
    return p > 0.001 ? (elapsed() * (1 - p)) / p : null;
  };
  const isBetter = (candidate: EpochSummary, incumbent: EpochSummary | null): boolean => {
    if (incumbent === null) return true;
    const metric = earlyStopping?.metric ?? "valMacroAuc";
    if (metric === "valLoss") return (candidate.valLoss ?? Infinity) < (incumbent.valLoss ?? Infinity);
    return (candidate.valAuc ?? -Infinity) > (incumbent.valAuc ?? -Infinity);
  };

  let epochLossSum = 0;
  let epochBatches = 0;
  const progressEvent = (kind: TrainingProgress["kind"], epoch: number, batch: number): TrainingProgress => ({
    kind,
    epoch,
    epochs: plannedEpochs,
    batch,
    batches: source.batchesPerEpoch,
    loss: epochBatches > 0 ? epochLossSum / epochBatches : Number.NaN,
    learningRate: cosineLearningRate(progressFraction(), { peak: learningRate }),
    valLoss: latest.valLoss,
    valAuc: latest.valAuc,
    valAccuracy: latest.valAccuracy,
    imagesPerSecond: trainSeconds > 0 ? trainImages / trainSeconds : 0,
    elapsedSeconds: elapsed(),
    etaSeconds: etaSeconds(),
  });

  try {
    for (let epoch = 1; plannedEpochs === null || epoch <= plannedEpochs; epoch++) {
      source.startEpoch();
      epochLossSum = 0;
      epochBatches = 0;
      let lr = 0;
      for (let b = 0; b < source.batchesPerEpoch; b++) {
        await yieldToEventLoop();
        if (signal?.aborted) throw abortError(signal);
        const t0 = performance.now();
        lr = cosineLearningRate(progressFraction(), { peak: learningRate });
        const batch = source.batch(b);
        const lossTensor = tf.tidy(() => {
          const images = tf.tensor4d(batch.images, [batch.size, inputSize, inputSize, channels]);
          const targets = tf.tensor2d(batch.targets, [batch.size, targetCount]);
          const weights = tf.tensor1d(batch.weights);
          const { value, grads } = tf.variableGrads(() => lossOf(images, targets, weights), variables);
          optimizer.applyGradients(grads, lr);
          return value;
        });
        // Asynchronous read: tfjs-backend-webgpu has no synchronous one in Node.
        const loss = (await lossTensor.data())[0]!;
        lossTensor.dispose();
        average?.update();
        step++;
        trainSeconds += (performance.now() - t0) / 1000;
        trainImages += batch.size;
        epochLossSum += loss;
        epochBatches++;
        if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at epoch ${epoch}, batch ${b + 1}`);
        onProgress?.(progressEvent("batch", epoch, b + 1));
        if (timeBudgetSeconds !== undefined && elapsed() >= timeBudgetSeconds) break;
      }
      const loss = epochLossSum / Math.max(1, epochBatches);
      const outOfTime = timeBudgetSeconds !== undefined && elapsed() >= timeBudgetSeconds;
      const lastEpoch = plannedEpochs !== null && epoch === plannedEpochs;
      let summary: EpochSummary = { epoch, loss, learningRate: lr, valLoss: null, valAuc: null, valAccuracy: null, valMalignantAuc: null, elapsedSeconds: 0 };
      if (epoch % validateEvery === 0 || outOfTime || lastEpoch) {
        const metrics = average === null ? await objective.validate(model, val) : await average.withAveragedWeights(() => objective.validate(model, val));
        summary = { ...summary, valLoss: metrics.loss, valAuc: metrics.auc, valAccuracy: metrics.accuracy, valMalignantAuc: metrics.malignantAuc };
        latest = summary;
        if (isBetter(summary, best)) {
          best = summary;
          sinceBest = 0;
          bestWeights?.forEach((t) => t.dispose());
          bestWeights = average === null ? model.getWeights().map((w) => tf.clone(w)) : average.snapshot();
        } else {
          sinceBest++;
          if (earlyStopping !== undefined && sinceBest > earlyStopping.patience - 1) stopEarly = true;
        }
      }
      summary.elapsedSeconds = elapsed();
      history.push(summary);
      onProgress?.(progressEvent("epoch", epoch, epochBatches));
      if (outOfTime) {
        stoppedBy = "time-budget";
        break;
      }
      if (stopEarly && !lastEpoch) {
        stoppedBy = "early-stopping";
        break;
      }
    }

    if (best === null || bestWeights === null) throw new Error("training ended before any validation");
    model.setWeights(bestWeights);
    return {
      model,
      history,
      bestEpoch: best.epoch,
      best,
      stoppedBy,
      imagesPerSecond: trainSeconds > 0 ? trainImages / trainSeconds : 0,
      elapsedSeconds: elapsed(),
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    restoreBatchNorm();
    optimizer.dispose();
    average?.dispose();
    bestWeights?.forEach((t) => t.dispose());
  }
}
