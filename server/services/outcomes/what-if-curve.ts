/**
 * The retrospective "what if" on biopsied lesions: had every lesion scoring below threshold t been deferred, how many
 * benign biopsies would have been avoided and how many malignancies missed? Precomputed here for every distinct
 * threshold so that the page's slider only looks points up.
 *
 * Each point applies avoidableBiopsyStats' rule (score < t = called likely benign; one case per lesion, scored by
 * its maximum P(malignant)) and its test checks that every point equals avoidableBiopsyStats at that threshold.
 * A single sorted sweep replaces one pass per threshold, which would be quadratic in the number of lesions.
 */
import { assertFiniteScore } from "@/ml/evaluation/binary-input";
import { numberNeededToBiopsy, type ProportionEstimate, wilsonInterval } from "@/ml/evaluation";

export interface WhatIfCase {
  readonly score: number;
  readonly malignant: boolean;
}

export interface WhatIfPoint {
  readonly threshold: number;
  /** Benign biopsied lesions scoring below the threshold: biopsies deferral would have avoided. */
  readonly benignAvoided: number;
  /** Malignant biopsied lesions scoring below the threshold: cancers deferral would have delayed. */
  readonly malignantMissed: number;
  readonly avoidableRate: ProportionEstimate;
  readonly missedRate: ProportionEstimate;
  /** Biopsies left (lesions at or above the threshold) per malignancy found among them; null when none. */
  readonly numberNeededToBiopsyIfDeferred: number | null;
}

export interface WhatIfCurve {
  readonly cases: number;
  readonly benign: number;
  readonly malignant: number;
  readonly currentThreshold: number;
  /** The point at the current operating threshold (always among `points`). */
  readonly current: WhatIfPoint;
  /** Ascending thresholds from 0 (nothing deferred) to 1 (everything below 1 deferred). */
  readonly points: WhatIfPoint[];
  /** Distinct thresholds before thinning (0, 1, the current threshold and every observed score). */
  readonly distinctThresholds: number;
}

/** Most points sent to the browser; beyond it, thresholds are thinned evenly by rank (each kept point stays exact). */
export const DEFAULT_WHAT_IF_POINTS = 400;

export function whatIfCurve(
  cases: readonly WhatIfCase[],
  currentThreshold: number,
  maxPoints: number = DEFAULT_WHAT_IF_POINTS,
): WhatIfCurve {
  if (!Number.isFinite(currentThreshold)) throw new RangeError(`threshold must be finite, got ${currentThreshold}`);
  if (!Number.isInteger(maxPoints) || maxPoints < 3) throw new RangeError("maxPoints must be an integer >= 3");
  const sorted = cases.map((lesion, index) => ({ score: assertFiniteScore(lesion.score, index), malignant: lesion.malignant }));
  sorted.sort((a, b) => a.score - b.score);
  const malignant = sorted.reduce((sum, lesion) => sum + (lesion.malignant ? 1 : 0), 0);
  const benign = sorted.length - malignant;

  const thresholds = [...new Set([0, 1, currentThreshold, ...sorted.map((lesion) => lesion.score)])].sort((a, b) => a - b);
  const kept = thinnedIndices(thresholds.length, maxPoints, thresholds.indexOf(currentThreshold));

  const points: WhatIfPoint[] = [];
  let below = 0;
  let benignBelow = 0;
  let malignantBelow = 0;
  let keptCursor = 0;
  for (let t = 0; t < thresholds.length && keptCursor < kept.length; t++) {
    const threshold = thresholds[t]!;
    while (below < sorted.length && sorted[below]!.score < threshold) {
      if (sorted[below]!.malignant) malignantBelow++;
      else benignBelow++;
      below++;
    }
    if (kept[keptCursor] !== t) continue;
    keptCursor++;
    points.push({
      threshold,
      benignAvoided: benignBelow,
      malignantMissed: malignantBelow,
      avoidableRate: wilsonInterval(benignBelow, benign),
      missedRate: wilsonInterval(malignantBelow, malignant),
      numberNeededToBiopsyIfDeferred: numberNeededToBiopsy(sorted.length - below, malignant - malignantBelow),
    });
  }
  const current = points.find((point) => point.threshold === currentThreshold)!;
  return { cases: sorted.length, benign, malignant, currentThreshold, current, points, distinctThresholds: thresholds.length };
}

/** Up to `maxPoints` indices of 0..length-1, evenly spaced by rank, always with the first, last and `mustKeep`. */
export function thinnedIndices(length: number, maxPoints: number, mustKeep: number): number[] {
  if (length <= maxPoints) return Array.from({ length }, (_, index) => index);
  const chosen = new Set<number>([mustKeep]);
  // One slot is reserved for `mustKeep`, so the result never exceeds maxPoints.
  const slots = maxPoints - 1;
  for (let k = 0; k < slots; k++) chosen.add(Math.round((k * (length - 1)) / (slots - 1)));
  return [...chosen].sort((a, b) => a - b);
}
