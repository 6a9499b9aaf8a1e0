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
}

/** A decided flag, read-only: what was decided, by whom and when. */
export function DecisionSummary({ review }: { review: RecordedReview }) {
  return (
    <div className="rounded-lg border border-sky-200 bg-sky-50 p-4 text-sm" data-testid="decision-summary">
      <p className="text-base font-semibold">{DECISION_LABELS[review.decision]}</p>
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
