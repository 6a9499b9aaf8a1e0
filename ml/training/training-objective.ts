/**
 * What trainClassifier fits, as a swappable part of its loop: the labels it accepts, the batch targets, the loss on
 * the logits and the validation metrics that drive early stopping. Everything else (batches, AdamW, schedule, early
 * stopping, best-weight restore, progress, cancellation) is the same loop whichever objective is chosen.
 */
import type * as tf from "@tensorflow/tfjs";
import type { ClassWeighting } from "./class-weights";
import type { LabeledImages } from "./training-types";

/**
 * "diagnosis": labels are class indices, 7-class (or classCount) softmax cross-entropy.
 * "malignancy": labels are 1 (malignant) / 0 (benign), binary cross-entropy on P(malignant) of the 7-class network.
 * Names, not functions, so that options can be posted to a worker thread.
 */
export type TrainingObjectiveName = "diagnosis" | "malignancy";

export interface ObjectiveValidation {
  loss: number;
  /** The AUC early stopping on "valMacroAuc" maximises (reported as valAuc). */
  auc: number | null;
  accuracy: number | null;
  malignantAuc: number | null;
}

export interface TrainingObjective {
  /** Class weighting when the caller gives none. */
  defaultClassWeighting: ClassWeighting;
  /** Throws a RangeError for labels this objective cannot train on; runs before any work. */
  checkLabels(train: LabeledImages, val: LabeledImages): void;
  /** Columns of each batch's smoothed one-hot targets for a network with classCount outputs; throws a RangeError when the objective cannot train such a network. */
  targetCount(classCount: number): number;
  /** Mean class-weighted loss of one batch. Runs inside tf.variableGrads, so every op must be differentiable. */
  loss(logits: tf.Tensor2D, targets: tf.Tensor2D, weights: tf.Tensor1D): tf.Scalar;
  validate(model: tf.LayersModel, val: LabeledImages): Promise<ObjectiveValidation>;
}
