import { type BinaryLabels, readBinaryInput, type Scores } from "./binary-input";
import { type BinaryCounts, binaryCounts } from "./binary";

/** The chosen operating threshold and what it achieves on the cases it was chosen on. */
export interface OperatingPoint {
  /** An observed score: calling score >= threshold positive reproduces `sensitivity` on these cases. */
  readonly threshold: number;
  readonly targetSensitivity: number;
  readonly counts: BinaryCounts;
  readonly sensitivity: number;
  /** Null when there are no negative cases. */
  readonly specificity: number | null;
}

/**
 * The highest threshold whose sensitivity on these (validation) cases is >= targetSensitivity, so specificity is
 * as high as the sensitivity floor allows. The threshold is always an observed score, so ">= threshold" reproduces
 * the reported sensitivity exactly; when positives tie at the threshold they are all called positive and the
 * sensitivity can exceed the target.
 *
 * Target 0 asks for nothing: the strictest observed score (the maximum) is returned, whose sensitivity may be
 * above 0. Target 1 returns the lowest positive score. Throws when there are no positive cases, because no
 * sensitivity can be measured and any threshold would be a guess.
 */
export function selectOperatingThreshold(
  scores: Scores,
  labels: BinaryLabels,
  targetSensitivity: number,
): OperatingPoint {
  if (!(targetSensitivity >= 0 && targetSensitivity <= 1)) {
    throw new RangeError(`targetSensitivity must be in [0, 1], got ${targetSensitivity}`);
  }
  const input = readBinaryInput(scores, labels);
  if (input.positives === 0) {
    throw new Error("cannot select an operating threshold: the cases contain no positive (malignant) case");
  }

  const positiveScores = new Float64Array(input.positives);
  let next = 0;
  let maxScore = -Infinity;
  for (let i = 0; i < input.scores.length; i++) {
    const score = input.scores[i]!;
    if (score > maxScore) maxScore = score;
    if (input.positive[i] === 1) positiveScores[next++] = score;
  }
  positiveScores.sort().reverse();

  const needed = positivesNeeded(targetSensitivity, input.positives);
  // The needed-th highest positive score: any higher threshold drops that positive and falls below the target.
  const threshold = needed === 0 ? maxScore : positiveScores[needed - 1]!;
  const counts = binaryCounts(input.scores, input.positive, threshold);
  return {
    threshold,
    targetSensitivity,
    counts,
    sensitivity: counts.tp / counts.positives,
    specificity: counts.negatives === 0 ? null : counts.tn / counts.negatives,
  };
}

/**
 * Smallest k with k / positives >= target, decided by the same division the reported sensitivity uses, so that
 * e.g. 0.55 * 100 = 55.00000000000001 does not demand 56 of 100 positives.
 */
function positivesNeeded(target: number, positives: number): number {
  let k = Math.max(0, Math.ceil(target * positives) - 1);
  while (k < positives && k / positives < target) k++;
  return k;
}
