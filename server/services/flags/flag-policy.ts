/**
 * The flag policy: where the model and the clinician disagree, or where the model must not be trusted. One pure
 * function, table-tested over every combination (flag-policy.test.ts). Definitions follow the product brief:
 *
 * - REVIEW_REQUIRED: the model's output should not be trusted: the image-quality / out-of-distribution gate failed,
 *   or the patient's skin is Fitzpatrick V-VI (training data are mostly light skin; NICE requires clinician review).
 *   A human second read, whatever the score. It takes precedence: such a lesion is never flagged likely benign.
 * - POSSIBLE_MISSED_MALIGNANCY: the clinician called it benign or planned discharge, no biopsy is planned, and
 *   P(malignant) >= the operating threshold. A safety alert.
 * - LIKELY_BENIGN: the clinician called it malignant or uncertain, or planned a biopsy, and P(malignant) < the
 *   operating threshold: "likely benign: consider deferring the biopsy". Always a reviewer's decision. The deferral
 *   is suggested only when the model passed local validation here (deferral ENABLED); in SHADOW or SUSPENDED the
 *   flag still shows the disagreement but says the model is in local validation and suggests nothing.
 *
 * No flag without a clinical assessment (nothing to compare with) or a score, and none once a biopsy outcome has
 * closed the lesion's loop.
 */

export type Impression = "BENIGN" | "MALIGNANT" | "UNCERTAIN";
export type Plan = "BIOPSY" | "MONITOR" | "DISCHARGE";
export type FlagKind = "LIKELY_BENIGN" | "POSSIBLE_MISSED_MALIGNANCY" | "REVIEW_REQUIRED";

export interface FlagPolicyInput {
  assessment: { impression: Impression; plan: Plan } | null;
  /** 1-6 (I-VI); null when not recorded. */
  fitzpatrickType: number | null;
  /** The lesion's score under the active model: the highest P(malignant) of its scored images. */
  score: { pMalignant: number; threshold: number } | null;
  /** The image-quality gate over the lesion's scored images. */
  quality: { passed: boolean; reasons: string[] };
  /**
   * The out-of-distribution check over the lesion's scored images (ml/ood): how many of them lie further from the
   * model's training data than its threshold. 0 when none does or the model has no detector.
   */
  outOfDistributionImages: number;
  hasOutcome: boolean;
  /** The scoring model's deferral status at this deployment (server/services/safety/deferral.ts). */
  deferral: "SHADOW" | "ENABLED" | "SUSPENDED";
}

export interface FlagDecision {
  kind: FlagKind;
  reason: string;
  biopsyPlanned: boolean;
  /** LIKELY_BENIGN with the model's deferral suggestions on; false for every other flag. */
  deferralSuggested: boolean;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

/**
 * The clinician "calls it suspicious" (treats it as possibly malignant): impression malignant or uncertain, or a
 * biopsy planned. Used by LIKELY_BENIGN here and by the dashboard's clinician-vs-model comparison.
 */
export function clinicianCallsMalignant(assessment: { impression: Impression; plan: Plan }): boolean {
  return assessment.impression !== "BENIGN" || assessment.plan === "BIOPSY";
}

export function isDarkSkin(fitzpatrickType: number | null): boolean {
  return fitzpatrickType !== null && fitzpatrickType >= 5;
}

export function applyFlagPolicy(input: FlagPolicyInput): FlagDecision | null {
  const { assessment, score } = input;
  if (input.hasOutcome || !assessment || !score) return null;
  const biopsyPlanned = assessment.plan === "BIOPSY";
  const aboveThreshold = score.pMalignant >= score.threshold;
  const scoreText = `P(malignant) ${percent(score.pMalignant)} vs threshold ${percent(score.threshold)}`;

  const distrust: string[] = [];
  if (!input.quality.passed) distrust.push(`image quality check failed (${input.quality.reasons.join("; ")})`);
  if (input.outOfDistributionImages > 0) {
    const images = input.outOfDistributionImages === 1 ? "an image is" : `${input.outOfDistributionImages} images are`;
    distrust.push(`out of distribution: ${images} unlike anything the model was trained on, so its score cannot be trusted`);
  }
  if (isDarkSkin(input.fitzpatrickType)) {
    distrust.push("Fitzpatrick V-VI: the model was trained mostly on light skin, so a dermatologist must read it");
  }
  if (distrust.length > 0) {
    const note = aboveThreshold ? " The model scored it above the threshold." : "";
    return { kind: "REVIEW_REQUIRED", reason: `Second read required: ${distrust.join("; ")}. ${scoreText}.${note}`, biopsyPlanned, deferralSuggested: false };
  }

  const calledBenign = assessment.impression === "BENIGN" || assessment.plan === "DISCHARGE";
  if (aboveThreshold && calledBenign && !biopsyPlanned) {
    return {
      kind: "POSSIBLE_MISSED_MALIGNANCY",
      reason: `Possible missed malignancy: the clinician ${assessment.plan === "DISCHARGE" ? "planned discharge" : "called it benign"}, but ${scoreText}.`,
      biopsyPlanned,
      deferralSuggested: false,
    };
  }

  if (!aboveThreshold && clinicianCallsMalignant(assessment)) {
    if (input.deferral !== "ENABLED") {
      const why =
        input.deferral === "SUSPENDED"
          ? "deferral suggestions are suspended by the safety monitor"
          : "model in local validation: no deferral is suggested until it is validated on this clinic's biopsy results";
      return { kind: "LIKELY_BENIGN", reason: `Scored below the threshold, but ${why}. ${scoreText}.`, biopsyPlanned, deferralSuggested: false };
    }
    return {
      kind: "LIKELY_BENIGN",
      reason: biopsyPlanned
        ? `Likely benign: consider deferring the biopsy. ${scoreText}.`
        : `Likely benign: the model disagrees with the clinical impression. ${scoreText}.`,
      biopsyPlanned,
      deferralSuggested: true,
    };
  }
  return null;
}
