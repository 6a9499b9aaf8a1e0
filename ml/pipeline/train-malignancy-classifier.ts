/**
 * Training the 7-class network from benign/malignant labels only (the seed project's folder layout): trainClassifier
 * with the "malignancy" objective (binary cross-entropy on P(malignant) = summed softmax of akiec, bcc, mel; see
 * ml/training/malignancy-objective.ts). Images from an `unknown` folder carry no label and never reach it. Kept as
 * ml/pipeline's named entry point for binary-only data.
 */
import { trainClassifier } from "../training/train-classifier";
import type { TrainClassifierOptions, TrainClassifierResult } from "../training/training-types";

/** trainClassifier's options, `y` holding 1 (malignant) / 0 (benign) instead of diagnosis indices. */
export type TrainMalignancyOptions = Omit<TrainClassifierOptions, "weightAverageDecay" | "objective">;

export function trainMalignancyClassifier(options: TrainMalignancyOptions): Promise<TrainClassifierResult> {
  return trainClassifier({ ...options, objective: "malignancy" });
}
