"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { z } from "zod";
import { amendReviewSchema, DECISION_LABELS, REVIEW_DECISIONS, retractReviewSchema } from "@/server/services/review/schemas";
import { useTRPC } from "../../../_trpc/provider";
import { buttonClass, inputClass } from "../../_clinical/field";
import { earliestFollowUpDate } from "./decision-draft";

type Choice = (typeof REVIEW_DECISIONS)[number] | "RETRACT";

/**
 * Correcting a recorded decision (its author or an admin, while the biopsy result is not in): amend it (a new
 * decision replaces it; this one stays, marked) or retract it (the case goes back to the queue). Always with a reason.
 */
export function CorrectDecision({ reviewId, flagId }: { reviewId: string; flagId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<Choice>("RETRACT");
  const [errors, setErrors] = useState<string[]>([]);
  const onError = (error: { message: string }) => setErrors([error.message]);
  const amend = useMutation(trpc.review.amend.mutationOptions({ onSuccess: (result) => router.push(`/review/${result.flagId}`), onError }));
  const retract = useMutation(
    trpc.review.retract.mutationOptions({ onSuccess: (result) => router.push(`/review/${result.reopenedFlagId ?? result.flagId}`), onError }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => {
      const value = String(form.get(name) ?? "").trim();
      return value === "" ? null : value;
    };
    const parsed =
      choice === "RETRACT"
        ? retractReviewSchema.safeParse({ reviewId, reason: text("correctionReason") ?? "" })
        : amendReviewSchema.safeParse({
            reviewId,
            reason: text("correctionReason") ?? "",
            decision: { flagId, decision: choice, reason: text("decisionReason"), note: text("note"), followUpDate: text("followUpDate") },
          });
    if (!parsed.success) {
      setErrors(parsed.error.issues.map((issue) => issue.message));
      return;
    }
    setErrors([]);
    if (choice === "RETRACT") retract.mutate(parsed.data as z.infer<typeof retractReviewSchema>);
    else amend.mutate(parsed.data as z.infer<typeof amendReviewSchema>);
  }

  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} className="mt-3 text-sm text-sky-700 underline">
        Amend or retract this decision
      </button>
    );
  }
  const pending = amend.isPending || retract.isPending;
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Correct this decision" className="mt-3 space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="text-slate-700">The decision is never edited: an amendment records a new one, and this one stays on the lesion&apos;s record, marked.</p>
      <label className="block font-medium text-slate-700">
        Correction
        <select name="choice" value={choice} onChange={(event) => setChoice(event.target.value as Choice)} className={inputClass}>
          <option value="RETRACT">Retract it: the case goes back to the queue</option>
          {REVIEW_DECISIONS.map((decision) => (
            <option key={decision} value={decision}>
              Amend to: {DECISION_LABELS[decision]}
            </option>
          ))}
        </select>
      </label>
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
      <label className="block font-medium text-slate-700">
        Why correct it
        <input name="correctionReason" type="text" maxLength={500} className={inputClass} />
      </label>
      {errors.length ? (
        <p className="text-red-700" data-testid="form-error">
          {errors.join(" ")}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" disabled={pending} className={buttonClass}>
          {choice === "RETRACT" ? "Retract decision" : "Amend decision"}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="rounded-md border border-slate-300 bg-white px-3 py-2">
          Cancel
        </button>
      </div>
    </form>
  );
}
