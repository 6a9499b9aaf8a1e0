import Link from "next/link";
import { DECISION_LABELS } from "@/server/services/review/schemas";
import { formatDate, formatDateTime } from "../../_clinical/format";
import type { ReviewDecision } from "./decision-draft";

export interface RecordedReview {
  decision: ReviewDecision;
  reason: string | null;
  note: string | null;
  followUpDate: string | null;
  decidedAt: string;
  reviewerName: string;
  /** Amended (amendedFlagId: where the new decision is) or retracted later: the decision stays, marked. */
  correction: { at: string; by: string; reason: string; amendedFlagId: string | null } | null;
}

/** A decided flag, read-only: what was decided, by whom and when, and whether it was amended or retracted since. */
export function DecisionSummary({ review }: { review: RecordedReview }) {
  const { correction } = review;
  return (
    <div className={`rounded-lg border p-4 text-sm ${correction ? "border-slate-300 bg-slate-50" : "border-sky-200 bg-sky-50"}`} data-testid="decision-summary">
      {correction ? (
        <p className="mb-2 rounded border border-amber-300 bg-amber-50 p-2 text-amber-900" data-testid="decision-correction">
          {correction.amendedFlagId ? "Amended" : "Retracted"} by {correction.by} on {formatDateTime(correction.at)}: {correction.reason}.{" "}
          {correction.amendedFlagId ? (
            <Link href={`/review/${correction.amendedFlagId}`} className="text-sky-700 underline">
              See the amended decision
            </Link>
          ) : (
            "The case went back to the queue."
          )}
        </p>
      ) : null}
      <p className={`text-base font-semibold ${correction ? "line-through decoration-slate-400" : ""}`}>{DECISION_LABELS[review.decision]}</p>
      <p className="mt-1 text-slate-700">
        Decided by {review.reviewerName} on {formatDateTime(review.decidedAt)}.
      </p>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        {review.followUpDate ? (
          <>
            <dt className="font-medium">Follow-up</dt>
            <dd>{formatDate(review.followUpDate)}</dd>
          </>
        ) : null}
        <dt className="font-medium">Reason</dt>
        <dd className="whitespace-pre-line">{review.reason ?? "—"}</dd>
        <dt className="font-medium">Note</dt>
        <dd className="whitespace-pre-line">{review.note ?? "—"}</dd>
      </dl>
    </div>
  );
}
