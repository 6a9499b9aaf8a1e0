import { assertFiniteScore, assertThreshold } from "./binary-input";
import { type ProportionEstimate, wilsonInterval, Z_95 } from "./wilson";

/** One lesion with a histopathology-confirmed (or otherwise final) outcome. */
export interface BiopsyCase {
  /** Model P(malignant). */
  readonly score: number;
  readonly malignant: boolean;
  /** Whether the lesion was biopsied in practice; only biopsied lesions enter these statistics. */
  readonly biopsied: boolean;
}

export interface AvoidableBiopsyStats {
  readonly threshold: number;
  readonly benignBiopsied: number;
  /** Benign biopsied lesions with score < threshold: biopsies the model would have let the clinician defer. */
  readonly benignCalledLikelyBenign: number;
  /** benignCalledLikelyBenign / benignBiopsied, with a Wilson interval: the product's avoidable-biopsy rate. */
  readonly avoidableRate: ProportionEstimate;
  readonly malignantBiopsied: number;
  /** Malignant biopsied lesions with score < threshold: the cancers deferral would have delayed. */
  readonly malignantMissed: number;
  /** malignantMissed / malignantBiopsied, with a Wilson interval. */
  readonly missedRate: ProportionEstimate;
  /** Number needed to biopsy as practised: biopsies / malignancies found. Null when none was malignant. */
  readonly numberNeededToBiopsy: number | null;
  /**
   * Number needed to biopsy had every lesion below the threshold been deferred: biopsies at or above the
   * threshold / malignancies among them. Null when none of those was malignant.
   */
  readonly numberNeededToBiopsyIfDeferred: number | null;
}

/**
 * The retrospective "what if" on biopsied lesions at the operating threshold. Avoidable-biopsy rate = benign
 * biopsied lesions the model calls likely benign (score < threshold) / all benign biopsied lesions (product
 * definition); the malignancies that deferral would have missed are always reported beside it.
 */
export function avoidableBiopsyStats(
  cases: readonly BiopsyCase[],
  threshold: number,
  z: number = Z_95,
): AvoidableBiopsyStats {
  assertThreshold(threshold);
  let benignBiopsied = 0;
  let benignCalledLikelyBenign = 0;
  let malignantBiopsied = 0;
  let malignantMissed = 0;
  cases.forEach((lesion, index) => {
    const score = assertFiniteScore(lesion.score, index);
    if (!lesion.biopsied) return;
    const likelyBenign = score < threshold;
    if (lesion.malignant) {
      malignantBiopsied++;
      if (likelyBenign) malignantMissed++;
    } else {
      benignBiopsied++;
      if (likelyBenign) benignCalledLikelyBenign++;
    }
  });
  const biopsies = benignBiopsied + malignantBiopsied;
  const biopsiesKept = biopsies - benignCalledLikelyBenign - malignantMissed;
  return {
    threshold,
    benignBiopsied,
    benignCalledLikelyBenign,
    avoidableRate: wilsonInterval(benignCalledLikelyBenign, benignBiopsied, z),
    malignantBiopsied,
    malignantMissed,
    missedRate: wilsonInterval(malignantMissed, malignantBiopsied, z),
    numberNeededToBiopsy: numberNeededToBiopsy(biopsies, malignantBiopsied),
    numberNeededToBiopsyIfDeferred: numberNeededToBiopsy(biopsiesKept, malignantBiopsied - malignantMissed),
  };
}

/** NNB = biopsies / malignancies found (product definition); null when no malignancy was found. */
export function numberNeededToBiopsy(biopsies: number, malignanciesFound: number): number | null {
  if (!Number.isInteger(biopsies) || !Number.isInteger(malignanciesFound) || malignanciesFound < 0 || biopsies < malignanciesFound) {
    throw new RangeError(`need integers with 0 <= malignancies (${malignanciesFound}) <= biopsies (${biopsies})`);
  }
  return malignanciesFound === 0 ? null : biopsies / malignanciesFound;
}
