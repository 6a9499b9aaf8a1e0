/**
 * The clinician's binary call, for comparing clinician and model on biopsy-confirmed lesions.
 *
 * Rule: the clinician "calls malignant" when the impression is MALIGNANT or UNCERTAIN, or the plan is BIOPSY. An
 * uncertain lesion or a planned biopsy is treated as a positive call because that is how the clinic acts on it (the
 * lesion goes to biopsy); it is the same "called suspicious" condition the flag policy uses for LIKELY_BENIGN
 * (server/services/flags/flag-policy.ts). The lesion's latest assessment is the one compared, as in the flag policy.
 */
export { clinicianCallsMalignant } from "../flags/flag-policy";

export const CLINICIAN_CALL_RULE =
  "The clinician calls a lesion malignant when the impression is malignant or uncertain, or a biopsy is planned (latest assessment).";
