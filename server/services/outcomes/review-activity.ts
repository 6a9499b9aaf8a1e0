/**
 * Counts by month of what the review workflow did under one model version, aggregated in SQL (a dashboard over years
 * of flags must not pull every flag into Node).
 *
 * - Flags: raised for the model version in the month (createdAt), by kind. Flags SUPERSEDED before anyone decided
 *   them (a newer assessment, score or model replaced them) are left out: they stood for inputs that no longer held.
 * - Decisions: reviews (createdAt) of that model version's flags, by decision; DEFER_MONITOR is a deferral.
 */
import type { Db } from "../../db/client";
import type { DateBounds } from "./scope";
import { CURRENT_REVIEWS_SQL } from "../clinical/current-records";

export const FLAG_KINDS = ["LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];
export const REVIEW_DECISIONS = ["PROCEED_BIOPSY", "DEFER_MONITOR", "SECOND_READ"] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface FlagCountRow {
  readonly month: string;
  readonly kind: FlagKind;
  readonly count: number;
}

export interface DecisionCountRow {
  readonly month: string;
  readonly decision: ReviewDecision;
  readonly count: number;
}

export interface DecisionTotalRow {
  readonly decision: ReviewDecision;
  readonly count: number;
  /** Distinct lesions behind those decisions over the whole range. */
  readonly lesions: number;
}

export interface ReviewActivity {
  readonly flags: FlagCountRow[];
  readonly decisions: DecisionCountRow[];
  readonly decisionTotals: DecisionTotalRow[];
}

export async function loadReviewActivity(options: { db: Db; modelVersionId: string; bounds: DateBounds }): Promise<ReviewActivity> {
  const { db, modelVersionId, bounds } = options;
  const [flags, decisions, decisionTotals] = await Promise.all([
    db.$queryRaw<FlagCountRow[]>`
      SELECT to_char(f."createdAt", 'YYYY-MM') AS month, f.kind::text AS kind, count(*)::int AS count
      FROM "Flag" f
      WHERE f."modelVersionId" = ${modelVersionId}
        AND f.status <> 'SUPERSEDED'
        AND (${bounds.fromDate}::date IS NULL OR f."createdAt" >= ${bounds.fromDate}::date)
        AND (${bounds.toDateExclusive}::date IS NULL OR f."createdAt" < ${bounds.toDateExclusive}::date)
      GROUP BY 1, 2
      ORDER BY 1, 2`,
    db.$queryRaw<DecisionCountRow[]>`
      SELECT to_char(r."createdAt", 'YYYY-MM') AS month, r.decision::text AS decision, count(*)::int AS count
      FROM ${CURRENT_REVIEWS_SQL} r JOIN "Flag" f ON f.id = r."flagId"
      WHERE f."modelVersionId" = ${modelVersionId}
        AND (${bounds.fromDate}::date IS NULL OR r."createdAt" >= ${bounds.fromDate}::date)
        AND (${bounds.toDateExclusive}::date IS NULL OR r."createdAt" < ${bounds.toDateExclusive}::date)
      GROUP BY 1, 2
      ORDER BY 1, 2`,
    db.$queryRaw<DecisionTotalRow[]>`
      SELECT r.decision::text AS decision, count(*)::int AS count, count(DISTINCT f."lesionId")::int AS lesions
      FROM ${CURRENT_REVIEWS_SQL} r JOIN "Flag" f ON f.id = r."flagId"
      WHERE f."modelVersionId" = ${modelVersionId}
        AND (${bounds.fromDate}::date IS NULL OR r."createdAt" >= ${bounds.fromDate}::date)
        AND (${bounds.toDateExclusive}::date IS NULL OR r."createdAt" < ${bounds.toDateExclusive}::date)
      GROUP BY 1
      ORDER BY 1`,
  ]);
  return { flags, decisions, decisionTotals };
}
