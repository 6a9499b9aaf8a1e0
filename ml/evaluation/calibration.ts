import { type BinaryLabels, readBinaryInput, type Scores } from "./binary-input";

/** One equal-width bin of a reliability diagram: [lower, upper), the last bin closed at 1. */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean predicted probability in the bin; null for an empty bin. */
  readonly meanPredicted: number | null;
  /** Fraction of positive cases in the bin; null for an empty bin. */
  readonly observedFraction: number | null;
}

export const DEFAULT_CALIBRATION_BINS = 10;

/**
 * Reliability curve of a predicted probability (P(malignant)) against the observed positive fraction, in `bins`
 * equal-width bins over [0, 1]. Empty bins are kept (count 0) so every curve has the same x axis. Scores must be
 * probabilities: a score outside [0, 1] throws rather than being clipped into an edge bin.
 */
export function reliabilityCurve(
  scores: Scores,
  labels: BinaryLabels,
  bins: number = DEFAULT_CALIBRATION_BINS,
): ReliabilityBin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const input = readBinaryInput(scores, labels);
  const counts = new Float64Array(bins);
  const sums = new Float64Array(bins);
  const positives = new Float64Array(bins);
  for (let i = 0; i < input.scores.length; i++) {
    const score = input.scores[i]!;
    if (score < 0 || score > 1) throw new RangeError(`score at index ${i} is ${score}; calibration needs probabilities in [0, 1]`);
    const bin = Math.min(Math.floor(score * bins), bins - 1);
    counts[bin]!++;
    sums[bin]! += score;
    positives[bin]! += input.positive[i]!;
  }
  const curve: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const count = counts[b]!;
    curve.push({
      lower: b / bins,
      upper: (b + 1) / bins,
      count,
      meanPredicted: count === 0 ? null : sums[b]! / count,
      observedFraction: count === 0 ? null : positives[b]! / count,
    });
  }
  return curve;
}

/**
 * Expected calibration error of P(malignant): sum over bins of (bin count / n) * |observed fraction - mean
 * predicted|, with 10 equal-width bins by default. This is the binary-probability form (the quantity the flag
 * threshold acts on), not the top-label-confidence form used for multiclass accuracy. Null for no cases.
 */
export function expectedCalibrationError(
  scores: Scores,
  labels: BinaryLabels,
  bins: number = DEFAULT_CALIBRATION_BINS,
): number | null {
  return calibrationErrorOf(reliabilityCurve(scores, labels, bins));
}

/** ECE from an already computed reliability curve (lets a report compute the bins once). */
export function calibrationErrorOf(curve: readonly ReliabilityBin[]): number | null {
  let total = 0;
  let weighted = 0;
  for (const bin of curve) {
    if (bin.meanPredicted === null || bin.observedFraction === null) continue;
    total += bin.count;
    weighted += bin.count * Math.abs(bin.observedFraction - bin.meanPredicted);
  }
  return total === 0 ? null : weighted / total;
}
