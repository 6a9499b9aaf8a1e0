import {
  assertThreshold,
  type BinaryLabels,
  isPositiveLabel,
  readBinaryInput,
  type Scores,
} from "./binary-input";
import { type ProportionEstimate, wilsonInterval, Z_95 } from "./wilson";

/** The 2x2 table at one operating threshold (score >= threshold => called positive / malignant). */
export interface BinaryCounts {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  /** tp + fn */
  readonly positives: number;
  /** tn + fp */
  readonly negatives: number;
  readonly total: number;
}

export interface BinaryMetrics {
  /** TP / (TP + FN) */
  readonly sensitivity: ProportionEstimate;
  /** TN / (TN + FP) */
  readonly specificity: ProportionEstimate;
  /** TP / (TP + FP) */
  readonly ppv: ProportionEstimate;
  /** TN / (TN + FN) */
  readonly npv: ProportionEstimate;
}

/** Counts at `threshold`, where score >= threshold is a positive call: the one rule the flag policy applies too. */
export function binaryCounts(scores: Scores, labels: BinaryLabels, threshold: number): BinaryCounts {
  assertThreshold(threshold);
  const input = readBinaryInput(scores, labels);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < input.scores.length; i++) {
    if (input.scores[i]! >= threshold) {
      if (input.positive[i] === 1) tp++;
      else fp++;
    }
  }
  return tableFrom(tp, fp, input.positives, input.negatives);
}

/**
 * Counts from yes/no calls rather than scores, e.g. the clinician's "malignant" call, so the dashboard compares
 * model and clinician through the same table and intervals.
 */
export function binaryCountsFromCalls(calledPositive: BinaryLabels, labels: BinaryLabels): BinaryCounts {
  if (calledPositive.length !== labels.length) {
    throw new RangeError(`calls (${calledPositive.length}) and labels (${labels.length}) must have the same length`);
  }
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const positive = isPositiveLabel(labels[i], i);
    if (positive) positives++;
    if (isPositiveLabel(calledPositive[i], i)) {
      if (positive) tp++;
      else fp++;
    }
  }
  return tableFrom(tp, fp, positives, labels.length - positives);
}

export function sensitivity(counts: BinaryCounts, z: number = Z_95): ProportionEstimate {
  return wilsonInterval(counts.tp, counts.tp + counts.fn, z);
}

export function specificity(counts: BinaryCounts, z: number = Z_95): ProportionEstimate {
  return wilsonInterval(counts.tn, counts.tn + counts.fp, z);
}

export function positivePredictiveValue(counts: BinaryCounts, z: number = Z_95): ProportionEstimate {
  return wilsonInterval(counts.tp, counts.tp + counts.fp, z);
}

export function negativePredictiveValue(counts: BinaryCounts, z: number = Z_95): ProportionEstimate {
  return wilsonInterval(counts.tn, counts.tn + counts.fn, z);
}

/** Sensitivity, specificity, PPV and NPV, each with its Wilson interval (null estimate where undefined). */
export function binaryMetrics(counts: BinaryCounts, z: number = Z_95): BinaryMetrics {
  return {
    sensitivity: sensitivity(counts, z),
    specificity: specificity(counts, z),
    ppv: positivePredictiveValue(counts, z),
    npv: negativePredictiveValue(counts, z),
  };
}

function tableFrom(tp: number, fp: number, positives: number, negatives: number): BinaryCounts {
  return { tp, fp, tn: negatives - fp, fn: positives - tp, positives, negatives, total: positives + negatives };
}
