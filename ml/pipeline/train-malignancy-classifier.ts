/**
 * Training the 7-class network from benign/malignant labels only (the seed project's folder layout). Such data
 * says nothing about which diagnosis a lesion is, so the network keeps its 7-way softmax (one architecture, one
 * inference path, one P(malignant) definition everywhere) but is trained with a binary cross-entropy on
 *   log P(malignant) = logsumexp(logits[akiec, bcc, mel]) - logsumexp(all logits),
 *   log P(benign)    = logsumexp(logits[bkl, df, nv, vasc]) - logsumexp(all logits),
 * so only the summed probabilities are fitted; how the mass splits inside each group is unconstrained and must not
 * be shown as a diagnosis (the model's labelMode is "malignancy"). Images from an `unknown` folder carry no label and
 * never reach this function.
 *
 * Mirrors ml/training's trainClassifier (same batches, augmentation, AdamW, warm-up + cosine schedule, early stopping
 * with best-weight restore, progress events and cancellation) with the loss and validation metric swapped. Integration
 * point: if ml/training grows a pluggable objective, this file should become a call to it.
 */
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../data";
import { MALIGNANT_INDICES, DIAGNOSES } from "../diagnoses";
import { rocAuc } from "../evaluation";
import { buildClassifier, LOGITS_LAYER } from "../model/build-classifier";
import { resolveClassifierOptions } from "../model/classifier-options";
import { AdamW } from "../training/adamw";
import { BatchSource } from "../training/batch-source";
import { classWeights } from "../training/class-weights";
import { cosineLearningRate } from "../training/learning-rate";
import { predictProbabilities } from "../training/predict-probabilities";
// Renamed on import: a `use...` name makes the React hooks lint rule treat this plain function as a hook.
import { useFusedBatchNormForTraining as enableFusedBatchNorm } from "../training/fused-batch-norm";
import { DEFAULT_AUGMENTATION } from "../training/train-classifier";
import type { EpochSummary, StopReason, TrainClassifierOptions, TrainClassifierResult, TrainingProgress } from "../training/training-types";

const BENIGN_INDICES = DIAGNOSES.flatMap((_, i) => (MALIGNANT_INDICES.includes(i) ? [] : [i]));

/**
 * trainClassifier's options, `y` holding 1 (malignant) / 0 (benign) instead of diagnosis indices. Weight averaging
 * is not implemented here, so it is not accepted rather than silently ignored.
 */
export type TrainMalignancyOptions = Omit<TrainClassifierOptions, "weightAverageDecay">;

interface BinaryValidation {
  loss: number;
  auc: number | null;
  accuracy: number;
}

function validateBinary(model: tf.LayersModel, x: Float32Array, y: ArrayLike<number>): BinaryValidation {
  const probabilities = predictProbabilities(model, x, y.length);
  const k = DIAGNOSES.length;
  const scores = new Float64Array(y.length);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    let p = 0;
    for (const c of MALIGNANT_INDICES) p += probabilities[i * k + c]!;
    scores[i] = p;
    const clipped = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
    loss -= y[i] === 1 ? Math.log(clipped) : Math.log(1 - clipped);
    if ((p >= 0.5 ? 1 : 0) === y[i]) correct++;
  }
  return { loss: loss / Math.max(1, y.length), auc: rocAuc(scores, Array.from(y)), accuracy: correct / Math.max(1, y.length) };
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException(typeof reason === "string" ? reason : "training was cancelled", "AbortError");
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function trainMalignancyClassifier(options: TrainMalignancyOptions): Promise<TrainClassifierResult> {
  const {
    train,
    val,
    epochs,
    timeBudgetSeconds,
    batchSize = 64,
    learningRate = 0.003,
    weightDecay = 1e-4,
    classWeighting = "sqrt",
    labelSmoothing = 0.05,
    augmentation = DEFAULT_AUGMENTATION,
    seed = 0,
    earlyStopping,
    validateEvery = 1,
    onProgress,
    signal,
  } = options;
  if (epochs === undefined && timeBudgetSeconds === undefined) throw new RangeError("give epochs, timeBudgetSeconds or both");
  for (const [name, labels] of [["train", train.y], ["val", val.y]] as const) {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`${name} label ${labels[i]} at ${i}: malignancy labels must be 0 or 1`);
    }
  }
  if (signal?.aborted) throw abortError(signal);

  const modelOptions = resolveClassifierOptions({ seed, ...options.model });
  if (modelOptions.classCount !== DIAGNOSES.length) throw new RangeError(`the classifier must output the ${DIAGNOSES.length} DIAGNOSES`);
  const { inputSize, channels } = modelOptions;
  const rng = createRng(seed ^ 0x5eed);
  // Two "classes" for the batch source: column 0 benign, column 1 malignant (smoothed targets, class weights).
  const source = new BatchSource(train, batchSize, inputSize, channels, 2, classWeights(train.y, 2, classWeighting), labelSmoothing, augmentation, rng);
  const plannedEpochs = epochs ?? null;
  const totalSteps = plannedEpochs === null ? null : plannedEpochs * source.batchesPerEpoch;

  const model = buildClassifier(modelOptions);
  const restoreBatchNorm = options.fusedBatchNorm === false ? () => {} : enableFusedBatchNorm(model);
  const logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output as tf.SymbolicTensor });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new AdamW(variables, { weightDecay });
  const malignantIdx = tf.tensor1d(MALIGNANT_INDICES as number[], "int32");
  const benignIdx = tf.tensor1d(BENIGN_INDICES, "int32");
  let bestWeights: tf.Tensor[] | null = null;

  const lossOf = (images: tf.Tensor4D, targets: tf.Tensor2D, weights: tf.Tensor1D): tf.Scalar => {
    const logits = logitsModel.apply(images, { training: true }) as tf.Tensor2D;
    const all = tf.logSumExp(logits, 1);
    const logBenign = tf.sub(tf.logSumExp(tf.gather(logits, benignIdx, 1), 1), all);
    const logMalignant = tf.sub(tf.logSumExp(tf.gather(logits, malignantIdx, 1), 1), all);
    const [tBenign, tMalignant] = tf.split(targets, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const perCase = tf.neg(tf.add(tf.mul(tBenign.squeeze([1]), logBenign), tf.mul(tMalignant.squeeze([1]), logMalignant)));
    return tf.mean(tf.mul(perCase, weights));
  };

  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let trainSeconds = 0;
  let trainImages = 0;
  let step = 0;
  const history: EpochSummary[] = [];
  let best: EpochSummary | null = null;
  let sinceBest = 0;
  let stoppedBy: StopReason = "epochs";
  let latest: Pick<EpochSummary, "valLoss" | "valAuc" | "valAccuracy"> = { valLoss: null, valAuc: null, valAccuracy: null };
  const progressFraction = () =>
    Math.max(totalSteps === null ? 0 : step / totalSteps, timeBudgetSeconds === undefined ? 0 : elapsed() / timeBudgetSeconds);
  let epochLossSum = 0;
  let epochBatches = 0;
  const progressEvent = (kind: TrainingProgress["kind"], epoch: number, batch: number): TrainingProgress => {
    const p = progressFraction();
    return {
      kind,
      epoch,
      epochs: plannedEpochs,
      batch,
      batches: source.batchesPerEpoch,
      loss: epochBatches > 0 ? epochLossSum / epochBatches : Number.NaN,
      learningRate: cosineLearningRate(p, { peak: learningRate }),
      ...latest,
      imagesPerSecond: trainSeconds > 0 ? trainImages / trainSeconds : 0,
      elapsedSeconds: elapsed(),
      etaSeconds: p > 0.001 ? (elapsed() * (1 - p)) / p : null,
    };
  };

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
        const loss = tf.tidy(() => {
          const images = tf.tensor4d(batch.images, [batch.size, inputSize, inputSize, channels]);
          const targets = tf.tensor2d(batch.targets, [batch.size, 2]);
          const weights = tf.tensor1d(batch.weights);
          const { value, grads } = tf.variableGrads(() => lossOf(images, targets, weights), variables);
          optimizer.applyGradients(grads, lr);
          return value.dataSync()[0]!;
        });
        step++;
        trainSeconds += (performance.now() - t0) / 1000;
        trainImages += batch.size;
        epochLossSum += loss;
        epochBatches++;
        if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at epoch ${epoch}, batch ${b + 1}`);
        onProgress?.(progressEvent("batch", epoch, b + 1));
        if (timeBudgetSeconds !== undefined && elapsed() >= timeBudgetSeconds) break;
      }
      const outOfTime = timeBudgetSeconds !== undefined && elapsed() >= timeBudgetSeconds;
      const lastEpoch = plannedEpochs !== null && epoch === plannedEpochs;
      let summary: EpochSummary = {
        epoch,
        loss: epochLossSum / Math.max(1, epochBatches),
        learningRate: lr,
        valLoss: null,
        valAuc: null,
        valAccuracy: null,
        valMalignantAuc: null,
        elapsedSeconds: 0,
      };
      if (epoch % validateEvery === 0 || outOfTime || lastEpoch) {
        const v = validateBinary(model, val.x, val.y);
        // valAuc is the malignancy AUC here: the only AUC binary labels define, and the early-stopping metric.
        summary = { ...summary, valLoss: v.loss, valAuc: v.auc, valAccuracy: v.accuracy, valMalignantAuc: v.auc };
        latest = summary;
        const metric = earlyStopping?.metric ?? "valMacroAuc";
        const better =
          best === null ||
          (metric === "valLoss" ? (summary.valLoss ?? Infinity) < (best.valLoss ?? Infinity) : (summary.valAuc ?? -Infinity) > (best.valAuc ?? -Infinity));
        if (better) {
          best = summary;
          sinceBest = 0;
          bestWeights?.forEach((t) => t.dispose());
          bestWeights = model.getWeights().map((w) => tf.clone(w));
        } else {
          sinceBest++;
        }
      }
      summary.elapsedSeconds = elapsed();
      history.push(summary);
      onProgress?.(progressEvent("epoch", epoch, epochBatches));
      if (outOfTime) {
        stoppedBy = "time-budget";
        break;
      }
      if (earlyStopping !== undefined && sinceBest >= earlyStopping.patience) {
        stoppedBy = "early-stopping";
        break;
      }
    }
    if (best === null || bestWeights === null) throw new Error("training ended before any validation");
    model.setWeights(bestWeights);
    return { model, history, bestEpoch: best.epoch, best, stoppedBy, imagesPerSecond: trainSeconds > 0 ? trainImages / trainSeconds : 0, elapsedSeconds: elapsed() };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    restoreBatchNorm();
    optimizer.dispose();
    malignantIdx.dispose();
    benignIdx.dispose();
    bestWeights?.forEach((t) => t.dispose());
  }
}
