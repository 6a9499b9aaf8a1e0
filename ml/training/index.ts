/** Public API of ml/training: the training loop and the pieces it is made of. */
export { DEFAULT_AUGMENTATION, trainClassifier } from "./train-classifier";
export type {
  EarlyStoppingMetric,
  EpochSummary,
  LabeledImages,
  StopReason,
  TrainClassifierOptions,
  TrainClassifierResult,
  TrainingProgress,
} from "./training-types";
export type { ObjectiveValidation, TrainingObjective, TrainingObjectiveName } from "./training-objective";
export { diagnosisObjective } from "./diagnosis-objective";
export { malignancyObjective } from "./malignancy-objective";
export { AdamW, decayKernelsOnly, type AdamWOptions } from "./adamw";
export { BatchSource, type Batch } from "./batch-source";
export { classWeights, type ClassWeighting } from "./class-weights";
export { cosineLearningRate, type CosineSchedule } from "./learning-rate";
export { batchNormTraining, useFusedBatchNormForTraining } from "./fused-batch-norm";
export { augmentedViews, predictProbabilities, type PredictOptions, type TestTimeAugmentation } from "./predict-probabilities";
export { evaluateProbabilities, validate, type ValidationMetrics } from "./validate";
export { WeightAverage } from "./weight-average";
export { loadDermamnistSplits, type DermamnistSplit, type DermamnistSplits, type LoadDermamnistOptions } from "./load-dermamnist-splits";
