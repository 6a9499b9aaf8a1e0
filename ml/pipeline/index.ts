/**
 * Public API of ml/pipeline: evaluateModel (the clinical evaluation report), trainAndEvaluate (data folder ->
 * trained, evaluated, saved model version with its model card), and the pieces they are built from.
 */
export {
  REPORT_SCHEMA_VERSION,
  type BiopsyReport,
  type EvaluationReport,
  type MulticlassReport,
  type SubgroupReport,
  type SubsetName,
  type SubsetReport,
  type ThresholdChoice,
} from "./evaluation-report";
export { DEFAULT_TARGET_SENSITIVITY, evaluateProbabilities, subsetReport, type EvaluateProbabilitiesOptions } from "./evaluate-probabilities";
export { evaluateModel, type EvaluateModelOptions, type UnsavedModel } from "./evaluate-model";
export { buildModelCard, MODEL_CARD_SCHEMA_VERSION, renderModelCardMarkdown, type CardSubset, type ModelCard } from "./model-card";
export { detectDatasetFormat, loadDataset, type DatasetFormat, type DatasetSource, type LoadedDataset } from "./load-dataset";
export { PIPELINE_PHASES, type PipelinePhase, type PipelineProgress } from "./progress";
export { trainMalignancyClassifier, type TrainMalignancyOptions } from "./train-malignancy-classifier";
export { trainAndEvaluate, type TrainAndEvaluateOptions, type TrainAndEvaluateResult, type TrainingSummary } from "./train-and-evaluate";
export { chooseTestTimeAugmentation, type TtaChoice } from "./choose-test-time-augmentation";
