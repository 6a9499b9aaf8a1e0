/**
 * Validation shared by every binary metric: scores and labels arrive from tfjs (Float32Array), Prisma rows
 * (booleans) or plain arrays, and a silent NaN or a label of 2 would corrupt a promotion decision without an error.
 */

/** One score per case; higher means more likely positive (malignant). Plain arrays or typed arrays. */
export type Scores = ArrayLike<number>;

/** One label per case: 1 / true = positive (malignant), 0 / false = negative (benign). Anything else throws. */
export type BinaryLabels = ArrayLike<number | boolean>;

/** Scores copied to float64 (exact for float32 input) with labels decoded to a 0/1 mask. */
export interface BinaryInput {
  readonly scores: Float64Array;
  /** 1 where the case is positive. */
  readonly positive: Uint8Array;
  readonly positives: number;
  readonly negatives: number;
}

export function isPositiveLabel(label: number | boolean | undefined, index: number): boolean {
  if (label === true || label === 1) return true;
  if (label === false || label === 0) return false;
  throw new RangeError(`label at index ${index} is ${String(label)}; expected 0, 1, true or false`);
}

export function assertFiniteScore(score: number | undefined, index: number): number {
  if (score === undefined || !Number.isFinite(score)) {
    throw new RangeError(`score at index ${index} is ${String(score)}; scores must be finite numbers`);
  }
  return score;
}

export function readBinaryInput(scores: Scores, labels: BinaryLabels): BinaryInput {
  if (scores.length !== labels.length) {
    throw new RangeError(`scores (${scores.length}) and labels (${labels.length}) must have the same length`);
  }
  const n = scores.length;
  const copied = new Float64Array(n);
  const positive = new Uint8Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    copied[i] = assertFiniteScore(scores[i], i);
    if (isPositiveLabel(labels[i], i)) {
      positive[i] = 1;
      positives++;
    }
  }
  return { scores: copied, positive, positives, negatives: n - positives };
}

export function assertThreshold(threshold: number): void {
  if (Number.isNaN(threshold)) throw new RangeError("threshold must be a number, got NaN");
}
