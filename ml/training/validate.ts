/** Validation metrics used for early stopping and progress: loss, macro one-vs-rest AUC, accuracy, malignant AUC. */
import type * as tf from "@tensorflow/tfjs";
import { DIAGNOSES, MALIGNANT_INDICES } from "../diagnoses";
import { accuracy, argmaxRows, macroOneVsRestAuc, rocAuc } from "../evaluation";
import { predictProbabilities, type TestTimeAugmentation } from "./predict-probabilities";
import type { LabeledImages } from "./training-types";

export interface ValidationMetrics {
  /** Mean categorical cross-entropy (no smoothing, no class weights). */
  loss: number;
  macroAuc: number | null;
  accuracy: number | null;
  /** AUC of P(malignant) = P(akiec) + P(bcc) + P(mel); null unless the model outputs the 7 DIAGNOSES classes. */
  malignantAuc: number | null;
}

export function evaluateProbabilities(probabilities: Float32Array, labels: ArrayLike<number>, classCount: number): ValidationMetrics {
  const n = labels.length;
  let loss = 0;
  for (let i = 0; i < n; i++) loss -= Math.log(Math.max(probabilities[i * classCount + labels[i]!]!, 1e-7));
  let malignantAuc: number | null = null;
  if (classCount === DIAGNOSES.length) {
    const scores = new Float64Array(n);
    const positive = new Uint8Array(n);
    const malignant = new Set(MALIGNANT_INDICES);
    for (let i = 0; i < n; i++) {
      let p = 0;
      for (const c of MALIGNANT_INDICES) p += probabilities[i * classCount + c]!;
      scores[i] = p;
      positive[i] = malignant.has(labels[i]!) ? 1 : 0;
    }
    malignantAuc = rocAuc(scores, positive);
  }
  return {
    loss: n > 0 ? loss / n : Number.NaN,
    macroAuc: macroOneVsRestAuc(probabilities, labels, classCount).macroAuc,
    accuracy: accuracy(argmaxRows(probabilities, classCount), labels),
    malignantAuc,
  };
}

export async function validate(model: tf.LayersModel, data: LabeledImages, tta: TestTimeAugmentation = "none"): Promise<ValidationMetrics> {
  const outShape = model.outputs[0]!.shape;
  const classCount = outShape[outShape.length - 1] as number;
  const probabilities = await predictProbabilities(model, data.x, data.y.length, { tta });
  return evaluateProbabilities(probabilities, data.y, classCount);
}
