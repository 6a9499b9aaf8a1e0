import { bootstrapAucInterval } from "./auc-interval";
import { type BinaryLabels, readBinaryInput, type Scores } from "./binary-input";
import { type BinaryCounts, binaryCounts, type BinaryMetrics, binaryMetrics } from "./binary";
import { type BootstrapInterval, DEFAULT_BOOTSTRAP_SEED } from "./bootstrap";
import { calibrationErrorOf, DEFAULT_CALIBRATION_BINS, type ReliabilityBin, reliabilityCurve } from "./calibration";
import { downsampleRoc, rocAuc, rocCurve, type RocPoint } from "./roc";
import { Z_95 } from "./wilson";

export interface BinaryReportOptions {
  /** z for the Wilson intervals; default Z_95. */
  readonly z?: number;
  /** Bootstrap resamples for the AUC interval; default 1,000. 0 skips the bootstrap (aucInterval null). */
  readonly bootstrapResamples?: number;
  readonly bootstrapSeed?: number;
  /** Coverage of the AUC interval; default 0.95. */
  readonly confidence?: number;
  readonly calibrationBins?: number;
  /** Most ROC points stored; default 200. */
  readonly maxRocPoints?: number;
}

/**
 * Everything evaluation and the model card store about P(malignant) on one split, as one JSON-safe object (no
 * NaN or Infinity: undefined quantities are null).
 */
export interface BinaryReport {
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  readonly threshold: number;
  /** Null when one class is absent. */
  readonly auc: number | null;
  /** Class-stratified percentile bootstrap; null when AUC is null or the bootstrap was skipped. */
  readonly aucInterval: BootstrapInterval | null;
  readonly counts: BinaryCounts;
  readonly metrics: BinaryMetrics;
  /** Null for no cases. */
  readonly ece: number | null;
  readonly reliability: readonly ReliabilityBin[];
  /** Downsampled ROC curve; null when one class is absent. */
  readonly roc: readonly RocPoint[] | null;
}

/** The full binary evaluation of P(malignant) at the operating threshold. Scores must be probabilities in [0, 1]. */
export function binaryReport(
  scores: Scores,
  labels: BinaryLabels,
  threshold: number,
  options: BinaryReportOptions = {},
): BinaryReport {
  if (!Number.isFinite(threshold)) throw new RangeError(`threshold must be finite to be stored, got ${threshold}`);
  const input = readBinaryInput(scores, labels);
  const resamples = options.bootstrapResamples ?? 1000;
  const counts = binaryCounts(input.scores, input.positive, threshold);
  const auc = rocAuc(input.scores, input.positive);
  const aucInterval =
    auc === null || resamples === 0
      ? null
      : bootstrapAucInterval(input.scores, input.positive, {
          resamples,
          seed: options.bootstrapSeed ?? DEFAULT_BOOTSTRAP_SEED,
          confidence: options.confidence,
        });
  const reliability = reliabilityCurve(input.scores, input.positive, options.calibrationBins ?? DEFAULT_CALIBRATION_BINS);
  const roc = rocCurve(input.scores, input.positive);
  return {
    n: input.scores.length,
    positives: input.positives,
    negatives: input.negatives,
    threshold,
    auc,
    aucInterval,
    counts,
    metrics: binaryMetrics(counts, options.z ?? Z_95),
    ece: calibrationErrorOf(reliability),
    reliability,
    roc: roc === null ? null : downsampleRoc(roc, options.maxRocPoints ?? 200),
  };
}
