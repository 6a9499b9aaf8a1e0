"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { amendReviewSchema, DECISION_LABELS, REVIEW_DECISIONS, retractReviewSchema } from "@/server/services/review/schemas";
import { useTRPC } from "../../../_trpc/provider";
import { CorrectionForm, sendIfValid, useCorrectionState } from "../../_clinical/correction-form";
import { inputClass } from "../../_clinical/field";
import { text, textOrNull } from "../../_clinical/use-form-errors";
import { earliestFollowUpDate } from "./decision-draft";

type Choice = (typeof REVIEW_DECISIONS)[number] | "RETRACT";

const CHOICES: readonly { value: Choice; label: string }[] = [
  { value: "RETRACT", label: "Retract it: the case goes back to the queue" },
  ...REVIEW_DECISIONS.map((decision) => ({ value: decision, label: `Amend to: ${DECISION_LABELS[decision]}` })),
];

/**
 * Correcting a recorded decision (its author or an admin, while the biopsy result is not in): amend it (a new
 * decision replaces it; this one stays, marked) or retract it (the case goes back to the queue). Always with a reason.
 */
export function CorrectDecision({ reviewId, flagId }: { reviewId: string; flagId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const state = useCorrectionState("decision", CHOICES);
  const { choice } = state;
  const amend = useMutation(trpc.review.amend.mutationOptions({ onSuccess: (result) => router.push(`/review/${result.flagId}`), onError: state.onError }));
  const retract = useMutation(
    trpc.review.retract.mutationOptions({ onSuccess: (result) => router.push(`/review/${result.reopenedFlagId ?? result.flagId}`), onError: state.onError }),
  );

  function onSubmit(form: FormData): string[] {
    const reason = text(form, "correctionReason").trim();
    if (choice === "RETRACT") return sendIfValid(retractReviewSchema.safeParse({ reviewId, reason }), retract);
    const decision = {
      flagId,
      decision: choice,
      reason: textOrNull(form, "decisionReason"),
      note: textOrNull(form, "note"),
      followUpDate: textOrNull(form, "followUpDate"),
    };
    return sendIfValid(amendReviewSchema.safeParse({ reviewId, reason, decision }), amend);
  }

  return (
    <CorrectionForm
      state={state}
      pending={amend.isPending || retract.isPending}
      onSubmit={onSubmit}
      intro={<p className="text-slate-700">The decision is never edited: an amendment records a new one, and this one stays on the lesion&apos;s record, marked.</p>}
    >
      {choice !== "RETRACT" ? (
        <>
          <label className="block font-medium text-slate-700">
            Reason for the new decision <span className="font-normal text-slate-500">(required to defer or ask a second read)</span>
            <input name="decisionReason" type="text" maxLength={1000} className={inputClass} />
          </label>
          {choice === "DEFER_MONITOR" ? (
            <label className="block font-medium text-slate-700">
              Follow-up date
              <input name="followUpDate" type="date" min={earliestFollowUpDate()} className={inputClass} />
            </label>
          ) : null}
          <label className="block font-medium text-slate-700">
            Note <span className="font-normal text-slate-500">(optional)</span>
            <input name="note" type="text" maxLength={2000} className={inputClass} />
          </label>
        </>
      ) : null}
    </CorrectionForm>
  );
}
