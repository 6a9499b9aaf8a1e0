/** How each flag kind reads everywhere: the words a reviewer acts on, and a colour that matches the urgency. */
export const FLAG_KINDS = ["LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

export const FLAG_KIND_LABELS: Record<FlagKind, string> = {
  LIKELY_BENIGN: "Likely benign: consider deferring biopsy",
  POSSIBLE_MISSED_MALIGNANCY: "Possible missed malignancy",
  REVIEW_REQUIRED: "Second read required",
};

const BADGE_CLASSES: Record<FlagKind, string> = {
  LIKELY_BENIGN: "border-emerald-300 bg-emerald-50 text-emerald-900",
  POSSIBLE_MISSED_MALIGNANCY: "border-red-300 bg-red-50 text-red-900",
  REVIEW_REQUIRED: "border-amber-300 bg-amber-50 text-amber-900",
};

export function FlagKindBadge({ kind }: { kind: FlagKind }) {
  return (
    <span className={`inline-block rounded-full border px-2 py-0.5 text-xs font-semibold ${BADGE_CLASSES[kind]}`} data-testid="flag-kind">
      {FLAG_KIND_LABELS[kind]}
    </span>
  );
}
