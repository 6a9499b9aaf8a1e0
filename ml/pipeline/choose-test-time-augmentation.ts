/**
 * Picks the test-time augmentation (none, flips, dihedral) on the VALIDATION split, as ml/training's experiment
 * script does: the mode with the best validation macro AUC (7-class models) or P(malignant) AUC (malignancy
 * models); on a tie the cheaper mode wins. Scored through the inference engine that will serve the model.
 */
import { DIAGNOSES, MALIGNANT_INDICES } from "../diagnoses";
import { macroOneVsRestAuc, rocAuc } from "../evaluation";
import type { EngineKind } from "../inference/engines/engine";
import { createScorer } from "../inference/scorer";
import { TTA_MODES, type TestTimeAugmentationMode } from "../inference/test-time-augmentation";
import type { ModelArtifactsBundle } from "../store/model-artifacts";
import type { Preprocessing } from "../store/model-files";

export interface TtaChoice {
  mode: TestTimeAugmentationMode;
  /** The validation metric each mode reached (macro AUC, or P(malignant) AUC for malignancy models). */
  validationMetric: Record<TestTimeAugmentationMode, number | null>;
  metric: "valMacroAuc" | "valMalignantAuc";
}

export async function chooseTestTimeAugmentation(options: {
  artifacts: ModelArtifactsBundle;
  preprocessing: Preprocessing;
  /** Normalised validation images and their labels (diagnosis indices, or 0/1 for malignancy models). */
  valInput: Float32Array;
  valLabels: ArrayLike<number>;
  labelMode: "diagnosis" | "malignancy";
  engine?: EngineKind;
}): Promise<TtaChoice> {
  const { valLabels, labelMode } = options;
  const k = DIAGNOSES.length;
  const validationMetric = {} as Record<TestTimeAugmentationMode, number | null>;
  let best: TestTimeAugmentationMode = "none";
  for (const mode of TTA_MODES) {
    const scorer = await createScorer(options.artifacts, { ...options.preprocessing, testTimeAugmentation: mode }, { engine: options.engine });
    try {
      const probabilities = await scorer.scoreNormalized(options.valInput, valLabels.length);
      if (labelMode === "diagnosis") {
        validationMetric[mode] = macroOneVsRestAuc(probabilities, valLabels, k).macroAuc;
      } else {
        const scores = Array.from({ length: valLabels.length }, (_, i) => MALIGNANT_INDICES.reduce((p, c) => p + probabilities[i * k + c]!, 0));
        validationMetric[mode] = rocAuc(scores, Array.from(valLabels));
      }
    } finally {
      await scorer.dispose();
    }
    if ((validationMetric[mode] ?? -Infinity) > (validationMetric[best] ?? -Infinity)) best = mode;
  }
  return { mode: best, validationMetric, metric: labelMode === "diagnosis" ? "valMacroAuc" : "valMalignantAuc" };
}
