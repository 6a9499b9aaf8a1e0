/**
 * The pre-specified acceptance criteria a model must meet on THIS clinic's own biopsy results before its
 * LIKELY_BENIGN flags may suggest deferring a biopsy (in the spirit of a predetermined change control plan: written
 * down before the evidence is looked at, versioned, changed only by an admin, audited). Browser-safe: the admin form
 * and the server validate with the same schema.
 */
import { z } from "zod";

export const localValidationCriteriaSchema = z.object({
  /** Biopsy-confirmed malignant lesions scored before their result was known. */
  minMalignantLesions: z.number().int().min(1).max(100_000),
  minBenignLesions: z.number().int().min(1).max(100_000),
  /** Lower 95% bound (Wilson, one case per lesion) of sensitivity at the model's threshold must reach this. */
  sensitivityLowerBoundFloor: z.number().min(0.5).max(0.999),
  /** Sensitivity a proposed local threshold must reach on the local lesions. */
  targetSensitivity: z.number().min(0.5).max(0.999),
  /**
   * The safety monitor suspends deferral suggestions when more than this many safety events (a malignant result on a
   * lesion called likely benign or deferred) are unacknowledged. 0: the first one suspends.
   */
  maxUnacknowledgedSafetyEvents: z.number().int().min(0).max(1000),
});
export type LocalValidationCriteria = z.infer<typeof localValidationCriteriaSchema>;

/** Stored criteria carry the version they were saved as (1, 2, ...) and who saved them. */
export const storedCriteriaSchema = localValidationCriteriaSchema.extend({
  version: z.number().int().min(1),
  savedAt: z.string().nullable(),
});
export type StoredLocalValidationCriteria = z.infer<typeof storedCriteriaSchema>;

export const DEFAULT_LOCAL_VALIDATION_CRITERIA: StoredLocalValidationCriteria = {
  version: 1,
  savedAt: null,
  minMalignantLesions: 30,
  minBenignLesions: 30,
  sensitivityLowerBoundFloor: 0.85,
  targetSensitivity: 0.95,
  maxUnacknowledgedSafetyEvents: 0,
};
