/** How each flag kind reads everywhere: the words a reviewer acts on, and a colour that matches the urgency. */
export const FLAG_KINDS = ["LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

export const FLAG_KIND_LABELS: Record<FlagKind, string> = {
  // The deferral suggestion is per flag (FlagKindBadge): only a model validated on local biopsy results makes it.
  LIKELY_BENIGN: "Likely benign",
  POSSIBLE_MISSED_MALIGNANCY: "Possible missed malignancy",
  REVIEW_REQUIRED: "Second read required",
};

const BADGE_CLASSES: Record<FlagKind, string> = {
  LIKELY_BENIGN: "border-emerald-300 bg-emerald-50 text-emerald-900",
  POSSIBLE_MISSED_MALIGNANCY: "border-red-300 bg-red-50 text-red-900",
  REVIEW_REQUIRED: "border-amber-300 bg-amber-50 text-amber-900",
};

/**
 * The flag's kind; a LIKELY_BENIGN flag whose model has not passed local validation (shadow mode, or suspended by the
 * safety monitor) says so beside it, because it suggests no deferral.
 */
export function FlagKindBadge({ kind, deferralSuggested = true }: { kind: FlagKind; deferralSuggested?: boolean }) {
  return (
    <>
      <span className={`inline-block rounded-full border px-2 py-0.5 text-xs font-semibold ${BADGE_CLASSES[kind]}`} data-testid="flag-kind">
        {kind === "LIKELY_BENIGN" && deferralSuggested ? "Likely benign: consider deferring biopsy" : FLAG_KIND_LABELS[kind]}
      </span>
      {kind === "LIKELY_BENIGN" && !deferralSuggested ? (
        <span className="ml-1 inline-block rounded-full border border-slate-300 bg-slate-50 px-2 py-0.5 text-xs font-medium text-slate-700" data-testid="local-validation-badge">
          Model in local validation: no deferral suggested
        </span>
      ) : null}
    </>
  );
}
