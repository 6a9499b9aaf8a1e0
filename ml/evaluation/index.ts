/**
 * DermFlag's evaluation metrics: pure functions over numbers and arrays, shared by model evaluation, model cards,
 * promotion gates and the outcomes dashboard, so each rule (threshold direction, tie handling, interval method,
 * calibration bins) is defined once. Convention everywhere: score >= threshold means "called malignant".
 */
export type { BinaryLabels, Scores } from "./binary-input";
export { type RocPoint, downsampleRoc, rocAuc, rocCurve } from "./roc";
export { type AucIntervalOptions, bootstrapAucInterval } from "./auc-interval";
export {
  type BinaryCounts,
  type BinaryMetrics,
  binaryCounts,
  binaryCountsFromCalls,
  binaryMetrics,
  negativePredictiveValue,
  positivePredictiveValue,
  sensitivity,
  specificity,
} from "./binary";
export { type ProportionEstimate, wilsonInterval, Z_95 } from "./wilson";
export {
  type BootstrapInterval,
  type BootstrapOptions,
  type BootstrapResample,
  bootstrapInterval,
  DEFAULT_BOOTSTRAP_SEED,
  quantileOfSorted,
} from "./bootstrap";
export { createRng as mulberry32 } from "../random";
export { type OperatingPoint, selectOperatingThreshold } from "./threshold";
export {
  type ReliabilityBin,
  calibrationErrorOf,
  DEFAULT_CALIBRATION_BINS,
  expectedCalibrationError,
  reliabilityCurve,
} from "./calibration";
export {
  type ClassLabels,
  type MulticlassAuc,
  type ProbabilityRows,
  accuracy,
  argmaxRows,
  confusionMatrix,
  macroOneVsRestAuc,
} from "./multiclass";
export { type AvoidableBiopsyStats, type BiopsyCase, avoidableBiopsyStats, numberNeededToBiopsy } from "./biopsy";
export { type SubgroupCase, type SubgroupMetrics, type SubgroupOptions, subgroupMetrics } from "./subgroups";
export { AGE_BANDS, type AgeBand, ageBand } from "./age-band";
export { type BinaryReport, type BinaryReportOptions, binaryReport } from "./report";
