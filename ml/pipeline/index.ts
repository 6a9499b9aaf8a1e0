/**
 * Public API of ml/pipeline: evaluateModel (the clinical evaluation report), trainAndEvaluate (data folder ->
 * trained, evaluated, saved model version with its model card), and the pieces they are built from.
 */
export { type EvaluationReport } from "./evaluation-report";
export { evaluateProbabilities } from "./evaluate-probabilities";
export { evaluateModel } from "./evaluate-model";
export { detectDatasetFormat, loadDataset, type DatasetFormat } from "./load-dataset";
export { type PipelineProgress } from "./progress";
export { trainAndEvaluate, type TrainAndEvaluateResult } from "./train-and-evaluate";
