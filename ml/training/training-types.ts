/** Inputs, options, progress events and results of trainClassifier. */
import type * as tf from "@tensorflow/tfjs";
import type { AugmentOptions } from "../data/augment";
import type { ClassifierOptions } from "../model/classifier-options";
import type { ClassWeighting } from "./class-weights";
import type { TrainingObjectiveName } from "./training-objective";

/** Images as one flat Float32Array (N x size x size x channels, NHWC, already normalised) and labels: class indices, or 0/1 for the "malignancy" objective. */
export interface LabeledImages {
  x: Float32Array;
  y: ArrayLike<number>;
}

export type EarlyStoppingMetric = "valMacroAuc" | "valLoss";

export interface TrainClassifierOptions {
  /** Architecture options for buildClassifier (input size, seed, widths...). The seed defaults to `seed` below. */
  model?: ClassifierOptions;
  train: LabeledImages;
  val: LabeledImages;
  /**
   * What is fitted (default "diagnosis": softmax cross-entropy on class-index labels). "malignancy": labels are
   * 1 malignant / 0 benign and the 7-class network is fitted by binary cross-entropy on P(malignant) = summed softmax
   * of akiec, bcc, mel; valAuc is then the malignancy AUC, and classWeighting defaults to "sqrt".
   */
  objective?: TrainingObjectiveName;
  /** Epoch count; with timeBudgetSeconds too, whichever ends first. At least one of the two is required. */
  epochs?: number;
  /** Wall-clock budget for the whole call, validation included; the LR schedule anneals over it. */
  timeBudgetSeconds?: number;
  /** Default 64. The last incomplete batch of each epoch is dropped (it would be a noisy batch-norm batch). */
  batchSize?: number;
  /** Peak learning rate of the warm-up + cosine schedule (default 0.003). */
  learningRate?: number;
  /** Decoupled weight decay on conv/dense kernels (default 1e-4). */
  weightDecay?: number;
  /** Validate (and keep) an exponential moving average of the weights with this decay per step; 0 = off (default). */
  weightAverageDecay?: number;
  /** Default "none" ("sqrt" for the "malignancy" objective): on validation, inverse-frequency weights (balanced or sqrt) lowered both macro AUC and accuracy. */
  classWeighting?: ClassWeighting;
  /** Default 0.05. */
  labelSmoothing?: number;
  /** Training-time augmentation options for ml/data's augmentBatch, or false for none (default: flips, 90-degree turns, 1 px shift, brightness/contrast). */
  augmentation?: AugmentOptions | false;
  /** Seeds model initialisation, shuffling and augmentation (default 0). */
  seed?: number;
  /** Stop after `patience` validations without improvement; the best weights are restored in every case. */
  earlyStopping?: { patience: number; metric?: EarlyStoppingMetric };
  /** Validate every this many epochs (default 1). */
  validateEvery?: number;
  /** Train batch norm with the closed-form fused gradient (same maths, about 15% faster on wasm; default true). */
  fusedBatchNorm?: boolean;
  onProgress?: (event: TrainingProgress) => void;
  /** Checked between batches; an aborted run rejects with an AbortError and frees its tensors. */
  signal?: AbortSignal;
}

export interface TrainingProgress {
  kind: "batch" | "epoch";
  /** 1-based. */
  epoch: number;
  /** Planned epochs, or null when only a time budget bounds the run. */
  epochs: number | null;
  /** 1-based batch within the epoch. */
  batch: number;
  batches: number;
  /** Mean training loss over the epoch so far. */
  loss: number;
  learningRate: number;
  /** Latest validation metrics (null before the first validation). */
  valLoss: number | null;
  valAuc: number | null;
  valAccuracy: number | null;
  /** Training throughput (forward + backward + update), excluding validation. */
  imagesPerSecond: number;
  elapsedSeconds: number;
  /** Estimated seconds left, or null when not yet measurable. */
  etaSeconds: number | null;
}

export interface EpochSummary {
  epoch: number;
  loss: number;
  learningRate: number;
  valLoss: number | null;
  valAuc: number | null;
  valAccuracy: number | null;
  valMalignantAuc: number | null;
  elapsedSeconds: number;
}

export type StopReason = "epochs" | "time-budget" | "early-stopping";

export interface TrainClassifierResult {
  /** The trained model, holding the best validated weights. The caller owns (and disposes) it. */
  model: tf.LayersModel;
  history: EpochSummary[];
  /** The epoch whose weights were restored. */
  bestEpoch: number;
  best: EpochSummary;
  stoppedBy: StopReason;
  imagesPerSecond: number;
  elapsedSeconds: number;
}
