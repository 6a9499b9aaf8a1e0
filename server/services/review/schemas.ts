/** The review decision form, shared by the review page and the server. */
import { z } from "zod";
import { correctionReasonSchema } from "../clinical/correction-schemas";

export const REVIEW_DECISIONS = ["PROCEED_BIOPSY", "DEFER_MONITOR", "SECOND_READ"] as const;

export const reviewDecisionSchema = z
  .object({
    flagId: z.string().min(1).max(64),
    decision: z.enum(REVIEW_DECISIONS),
    reason: z.string().trim().max(1000).nullable(),
    note: z.string().trim().max(2000).nullable(),
    followUpDate: z.iso.date("Use a date like 2026-03-31.").nullable(),
  })
  .superRefine((value, context) => {
    if (value.decision === "DEFER_MONITOR") {
      if (!value.reason) context.addIssue({ code: "custom", path: ["reason"], message: "Give the reason for deferring the biopsy." });
      if (!value.followUpDate) {
        context.addIssue({ code: "custom", path: ["followUpDate"], message: "Set the follow-up date for the deferred lesion." });
      } else if (value.followUpDate <= new Date().toISOString().slice(0, 10)) {
        context.addIssue({ code: "custom", path: ["followUpDate"], message: "The follow-up date must be in the future." });
      }
    }
    if (value.decision === "SECOND_READ" && !value.reason) {
      context.addIssue({ code: "custom", path: ["reason"], message: "Say what the second reader should look at." });
    }
  });
export type ReviewDecisionInput = z.infer<typeof reviewDecisionSchema>;

export const DECISION_LABELS: Record<(typeof REVIEW_DECISIONS)[number], string> = {
  PROCEED_BIOPSY: "Proceed with biopsy",
  DEFER_MONITOR: "Defer and monitor",
  SECOND_READ: "Ask for a second read",
};

/** Correcting a recorded decision (amend-review.ts): why, and for an amendment the new decision on the same flag. */
export const retractReviewSchema = z.object({ reviewId: z.string().min(1).max(64), reason: correctionReasonSchema });
export const amendReviewSchema = retractReviewSchema.extend({ decision: reviewDecisionSchema });
export type RetractReviewInput = z.infer<typeof retractReviewSchema>;
export type AmendReviewInput = z.infer<typeof amendReviewSchema>;
