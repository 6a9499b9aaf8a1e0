import { type BinaryLabels, readBinaryInput, type Scores } from "./binary-input";
import { aucFromAscendingOrder, ascendingOrder } from "./ranking";

/**
 * One point of the ROC curve: the false- and true-positive rates when cases with score >= threshold are called
 * positive. `threshold: null` is the origin (0, 0): a threshold above every score, which no observed score can
 * express; null rather than Infinity so the point survives JSON storage unchanged.
 */
export interface RocPoint {
  readonly threshold: number | null;
  readonly fpr: number;
  readonly tpr: number;
}

/**
 * ROC curve with one point per distinct score (tied scores move together, giving a diagonal step), ordered by
 * descending threshold from the origin (0, 0) to (1, 1). Null when one class is absent: a rate over zero cases is
 * undefined, and a fake curve would look like a result.
 */
export function rocCurve(scores: Scores, labels: BinaryLabels): RocPoint[] | null {
  const input = readBinaryInput(scores, labels);
  if (input.positives === 0 || input.negatives === 0) return null;
  const order = ascendingOrder(input.scores);
  const points: RocPoint[] = [{ threshold: null, fpr: 0, tpr: 0 }];
  let truePositives = 0;
  let falsePositives = 0;
  let i = order.length - 1;
  while (i >= 0) {
    const threshold = input.scores[order[i]!]!;
    while (i >= 0 && input.scores[order[i]!] === threshold) {
      if (input.positive[order[i]!] === 1) truePositives++;
      else falsePositives++;
      i--;
    }
    points.push({ threshold, fpr: falsePositives / input.negatives, tpr: truePositives / input.positives });
  }
  return points;
}

/**
 * ROC AUC as the Mann-Whitney statistic: the probability that a random positive scores above a random negative,
 * ties counting 1/2 (equal to the trapezoidal area under rocCurve). Null when either class is absent, because the
 * AUC is then undefined; callers must decide what an absent AUC means rather than receive a misleading 0.5 or NaN.
 */
export function rocAuc(scores: Scores, labels: BinaryLabels): number | null {
  const input = readBinaryInput(scores, labels);
  if (input.positives === 0 || input.negatives === 0) return null;
  return aucFromAscendingOrder(ascendingOrder(input.scores), input.scores, input.positive);
}

/**
 * Thins a ROC curve for storage and plotting to at most `maxPoints`, spaced evenly along the curve's length so
 * that long straight jumps and dense curved stretches are both kept. The first and last points are always kept.
 */
export function downsampleRoc(points: readonly RocPoint[], maxPoints = 200): RocPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError("maxPoints must be an integer >= 2");
  if (points.length <= maxPoints) return points.slice();
  const cumulative = new Float64Array(points.length);
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    cumulative[i] = cumulative[i - 1]! + Math.hypot(b.fpr - a.fpr, b.tpr - a.tpr);
  }
  const total = cumulative[points.length - 1]!;
  const kept: RocPoint[] = [points[0]!];
  let lastIndex = 0;
  let cursor = 1;
  for (let step = 1; step < maxPoints - 1; step++) {
    const target = (total * step) / (maxPoints - 1);
    while (cursor < points.length - 1 && cumulative[cursor]! < target) cursor++;
    if (cursor > lastIndex && cursor < points.length - 1) {
      kept.push(points[cursor]!);
      lastIndex = cursor;
    }
  }
  kept.push(points[points.length - 1]!);
  return kept;
}
