/**
 * DermFlag's evaluation metrics: pure functions over numbers and arrays, shared by model evaluation, model cards,
 * promotion gates and the outcomes dashboard, so each rule (threshold direction, tie handling, interval method,
 * calibration bins) is defined once. Convention everywhere: score >= threshold means "called malignant".
 */
export { downsampleRoc, rocAuc, rocCurve } from "./roc";
export { bootstrapAucInterval } from "./auc-interval";
export { binaryCounts, binaryCountsFromCalls, binaryMetrics } from "./binary";
export { type ProportionEstimate, wilsonInterval } from "./wilson";
export { type BootstrapInterval } from "./bootstrap";
export { createRng as mulberry32 } from "../random";
export { selectOperatingThreshold } from "./threshold";
export { calibrationErrorOf, reliabilityCurve } from "./calibration";
export { accuracy, argmaxRows, confusionMatrix, macroOneVsRestAuc } from "./multiclass";
export { type AvoidableBiopsyStats, type BiopsyCase, avoidableBiopsyStats, numberNeededToBiopsy } from "./biopsy";
export { type SubgroupMetrics, subgroupMetrics } from "./subgroups";
export { AGE_BANDS, ageBand } from "./age-band";
export { type BinaryReport, type BinaryReportOptions, binaryReport } from "./report";
