/**
 * Which decisions and biopsy results count: the current ones. A decision or a result is amended or retracted, never
 * edited in place (prisma/migrations/*_decision_amendments): the old record stays, with retractedAt, and an amended
 * one names the record that replaced it. Everything that counts, compares or acts on decisions and results (flags,
 * the safety rule and events, the outcomes dashboard, local validation, retraining, queues) reads them through these,
 * so that "current" is decided in one place; the lesion record and the audit log show every record.
 */
import { Prisma } from "../../db/generated/client";

/** Prisma filter: a biopsy result that was neither amended nor retracted. */
export const CURRENT_OUTCOME = { retractedAt: null } as const satisfies Prisma.BiopsyOutcomeWhereInput;

/** Prisma filter: a review decision that was neither amended nor retracted. */
export const CURRENT_REVIEW = { retractedAt: null } as const satisfies Prisma.ReviewWhereInput;

/** SQL: the current biopsy results, to read as a table (`FROM ${CURRENT_OUTCOMES_SQL} o`). */
export const CURRENT_OUTCOMES_SQL = Prisma.sql`(SELECT * FROM "BiopsyOutcome" WHERE "retractedAt" IS NULL)`;

/** SQL: the current review decisions, to read as a table (`FROM ${CURRENT_REVIEWS_SQL} r`). */
export const CURRENT_REVIEWS_SQL = Prisma.sql`(SELECT * FROM "Review" WHERE "retractedAt" IS NULL)`;

/** How a record stands, for the lesion's history. */
export type RecordStanding = "CURRENT" | "AMENDED" | "RETRACTED";

export function recordStanding(record: { retractedAt: Date | null; supersededById: string | null }): RecordStanding {
  if (record.retractedAt === null) return "CURRENT";
  return record.supersededById === null ? "RETRACTED" : "AMENDED";
}
