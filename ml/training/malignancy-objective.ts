/**
 * Training the 7-class network from benign/malignant labels only (the seed project's folder layout). Such data
 * says nothing about which diagnosis a lesion is, so the network keeps its 7-way softmax (one architecture, one
 * inference path, one P(malignant) definition everywhere) but is trained with a binary cross-entropy on
 *   log P(malignant) = logsumexp(logits[akiec, bcc, mel]) - logsumexp(all logits),
 *   log P(benign)    = logsumexp(logits[bkl, df, nv, vasc]) - logsumexp(all logits),
 * so only the summed probabilities are fitted; how the mass splits inside each group is unconstrained and must not
 * be shown as a diagnosis (such a model's labelMode is "malignancy").
 */
import * as tf from "@tensorflow/tfjs";
import { DIAGNOSES, MALIGNANT_INDICES } from "../diagnoses";
import { rocAuc } from "../evaluation";
import { predictProbabilities } from "./predict-probabilities";
import type { ObjectiveValidation, TrainingObjective } from "./training-objective";

const BENIGN_INDICES = DIAGNOSES.flatMap((_, i) => (MALIGNANT_INDICES.includes(i) ? [] : [i]));

/** Log-loss, AUC and accuracy at 0.5 of P(malignant) against 0/1 labels; the AUC is also the malignant AUC. */
async function validateMalignancy(model: tf.LayersModel, x: Float32Array, y: ArrayLike<number>): Promise<ObjectiveValidation> {
  const probabilities = await predictProbabilities(model, x, y.length);
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
  const auc = rocAuc(scores, Array.from(y));
  return { loss: loss / Math.max(1, y.length), auc, accuracy: correct / Math.max(1, y.length), malignantAuc: auc };
}

export const malignancyObjective: TrainingObjective = {
  // Folder-layout data is typically imbalanced towards benign; the milder inverse-frequency weighting.
  defaultClassWeighting: "sqrt",
  checkLabels(train, val) {
    for (const [name, labels] of [["train", train.y], ["val", val.y]] as const) {
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`${name} label ${labels[i]} at ${i}: malignancy labels must be 0 or 1`);
      }
    }
  },
  targetCount(classCount) {
    if (classCount !== DIAGNOSES.length) throw new RangeError(`the classifier must output the ${DIAGNOSES.length} DIAGNOSES`);
    // Two "classes" for the batch source: column 0 benign, column 1 malignant (smoothed targets, class weights).
    return 2;
  },
  loss(logits, targets, weights) {
    const all = tf.logSumExp(logits, 1);
    const logBenign = tf.sub(tf.logSumExp(tf.gather(logits, tf.tensor1d(BENIGN_INDICES, "int32"), 1), 1), all);
    const logMalignant = tf.sub(tf.logSumExp(tf.gather(logits, tf.tensor1d(MALIGNANT_INDICES as number[], "int32"), 1), 1), all);
    const [tBenign, tMalignant] = tf.split(targets, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const perCase = tf.neg(tf.add(tf.mul(tBenign.squeeze([1]), logBenign), tf.mul(tMalignant.squeeze([1]), logMalignant)));
    return tf.mean(tf.mul(perCase, weights));
  },
  validate: (model, val) => validateMalignancy(model, val.x, val.y),
};
