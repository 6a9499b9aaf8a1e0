/** The default objective: class-weighted, label-smoothed softmax cross-entropy over all classCount classes. */
import * as tf from "@tensorflow/tfjs";
import type { TrainingObjective } from "./training-objective";
import { validate } from "./validate";

export const diagnosisObjective: TrainingObjective = {
  defaultClassWeighting: "none",
  // classWeights rejects labels that are not class indices when the batch source is built.
  checkLabels: () => {},
  targetCount: (classCount) => classCount,
  loss(logits, targets, weights) {
    const perCase = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
    return tf.mean(tf.mul(perCase, weights));
  },
  async validate(model, val) {
    const metrics = await validate(model, val);
    return { loss: metrics.loss, auc: metrics.macroAuc, accuracy: metrics.accuracy, malignantAuc: metrics.malignantAuc };
  },
};
