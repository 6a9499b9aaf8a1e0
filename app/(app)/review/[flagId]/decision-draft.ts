/**
 * The decision form's rules, from the same zod schema the server enforces (server/services/review/schemas.ts): which
 * field the reviewer must fill next for a chosen decision, and the payload once complete.
 */
import { z } from "zod";
import { REVIEW_DECISIONS, reviewDecisionSchema, type ReviewDecisionInput } from "@/server/services/review/schemas";

export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export type DraftField = "reason" | "followUpDate" | "note";

export interface DecisionDraft {
  reason: string;
  note: string;
  /** yyyy-mm-dd as <input type="date"> gives it; "" when empty. */
  followUpDate: string;
}

export const EMPTY_DRAFT: DecisionDraft = { reason: "", note: "", followUpDate: "" };

/** The order the form shows its fields in, so focus goes to the first one that needs attention. */
const FIELD_ORDER: readonly DraftField[] = ["reason", "followUpDate", "note"];

export type DraftCheck =
  | { ok: true; input: ReviewDecisionInput }
  | { ok: false; firstField: DraftField | null; fieldErrors: Partial<Record<DraftField, string[]>>; message: string };

export function checkDraft(flagId: string, decision: ReviewDecision, draft: DecisionDraft): DraftCheck {
  const blankToNull = (value: string) => (value.trim() === "" ? null : value.trim());
  const parsed = reviewDecisionSchema.safeParse({
    flagId,
    decision,
    reason: blankToNull(draft.reason),
    note: blankToNull(draft.note),
    followUpDate: blankToNull(draft.followUpDate),
  });
  if (parsed.success) return { ok: true, input: parsed.data };
  const fieldErrors = z.flattenError(parsed.error).fieldErrors as Partial<Record<string, string[]>>;
  const ours: Partial<Record<DraftField, string[]>> = {};
  for (const field of FIELD_ORDER) if (fieldErrors[field]?.length) ours[field] = fieldErrors[field];
  const firstField = FIELD_ORDER.find((field) => ours[field]) ?? null;
  return { ok: false, firstField, fieldErrors: ours, message: parsed.error.issues[0]?.message ?? "Check the form." };
}

/** Whether the reviewer typed anything worth keeping. */
export function hasDraft(draft: DecisionDraft): boolean {
  return draft.reason.trim() !== "" || draft.note.trim() !== "" || draft.followUpDate !== "";
}

/** Tomorrow as yyyy-mm-dd in UTC: the earliest follow-up date the server accepts (it compares UTC calendar dates). */
export function earliestFollowUpDate(now: Date = new Date()): string {
  return new Date(now.getTime() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}
