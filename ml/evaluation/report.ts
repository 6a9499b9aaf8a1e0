import { bootstrapAucInterval } from "./auc-interval";
import { type BinaryLabels, readBinaryInput, type Scores } from "./binary-input";
import { type BinaryCounts, binaryCounts, type BinaryMetrics, binaryMetrics } from "./binary";
import { type BootstrapInterval, bootstrapInterval, DEFAULT_BOOTSTRAP_SEED } from "./bootstrap";
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
  /**
   * Lesion (or patient) per case: the AUC, sensitivity and specificity intervals then resample whole lesions,
   * because several images of one lesion are not independent evidence. Default: every image its own cluster.
   */
  readonly clusters?: ArrayLike<number | string>;
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
  /** Class-stratified percentile bootstrap (over clusters when given); null when AUC is null or the bootstrap was skipped. */
  readonly aucInterval: BootstrapInterval | null;
  /**
   * Percentile bootstrap intervals of sensitivity and specificity at the threshold, resampling clusters (lesions)
   * when given; null when the class is absent or the bootstrap was skipped. The Wilson intervals in `metrics` treat
   * images as independent.
   */
  readonly sensitivityInterval: BootstrapInterval | null;
  readonly specificityInterval: BootstrapInterval | null;
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
          clusters: options.clusters,
        });
  const proportion = (wanted: boolean) => {
    const relevant = wanted ? input.positives : input.negatives;
    if (resamples === 0 || relevant === 0) return null;
    // Sensitivity: share of positives called positive; specificity: share of negatives called negative.
    return bootstrapInterval(
      input.scores.length,
      ({ counts }) => {
        let hit = 0;
        let all = 0;
        for (let i = 0; i < counts.length; i++) {
          const c = counts[i]!;
          if (c === 0 || (input.positive[i] === 1) !== wanted) continue;
          all += c;
          if (input.scores[i]! >= threshold === wanted) hit += c;
        }
        return all === 0 ? null : hit / all;
      },
      { resamples, seed: options.bootstrapSeed ?? DEFAULT_BOOTSTRAP_SEED, confidence: options.confidence, clusters: options.clusters, strata: input.positive },
    );
  };
  const reliability = reliabilityCurve(input.scores, input.positive, options.calibrationBins ?? DEFAULT_CALIBRATION_BINS);
  const roc = rocCurve(input.scores, input.positive);
  return {
    n: input.scores.length,
    positives: input.positives,
    negatives: input.negatives,
    threshold,
    auc,
    aucInterval,
    sensitivityInterval: proportion(true),
    specificityInterval: proportion(false),
    counts,
    metrics: binaryMetrics(counts, options.z ?? Z_95),
    ece: calibrationErrorOf(reliability),
    reliability,
    roc: roc === null ? null : downsampleRoc(roc, options.maxRocPoints ?? 200),
  };
}
