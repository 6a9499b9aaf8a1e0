/**
 * Trends by calendar month (UTC): outcome figures by the month of the outcome's report, workflow counts by the
 * month the flag was raised or the decision recorded. Each month's figures use the same functions as the totals
 * (summariseBiopsies, avoidableBiopsyStats), so a month and the whole range can never disagree on a rule.
 */
import { avoidableBiopsyStats, wilsonInterval } from "@/ml/evaluation";
import { summariseBiopsies } from "./biopsy-summary";
import type { LesionOutcomeRow } from "./lesion-outcome-rows";
import { FLAG_KINDS, type FlagKind, REVIEW_DECISIONS, type ReviewActivity, type ReviewDecision } from "./review-activity";
import type { MonthTrend } from "./schemas";

const zeroCounts = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

export function monthlyTrends(
  rows: readonly LesionOutcomeRow[],
  activity: ReviewActivity | null,
  threshold: number | null,
): MonthTrend[] {
  const rowsByMonth = new Map<string, LesionOutcomeRow[]>();
  for (const row of rows) {
    const members = rowsByMonth.get(row.month);
    if (members) members.push(row);
    else rowsByMonth.set(row.month, [row]);
  }
  const flagsByMonth = new Map<string, Record<FlagKind, number>>();
  const decisionsByMonth = new Map<string, Record<ReviewDecision, number>>();
  for (const flag of activity?.flags ?? []) {
    const counts = flagsByMonth.get(flag.month) ?? zeroCounts(FLAG_KINDS);
    counts[flag.kind] += flag.count;
    flagsByMonth.set(flag.month, counts);
  }
  for (const decision of activity?.decisions ?? []) {
    const counts = decisionsByMonth.get(decision.month) ?? zeroCounts(REVIEW_DECISIONS);
    counts[decision.decision] += decision.count;
    decisionsByMonth.set(decision.month, counts);
  }

  const months = [...new Set([...rowsByMonth.keys(), ...flagsByMonth.keys(), ...decisionsByMonth.keys()])].sort();
  return months.map((month) => {
    const monthRows = rowsByMonth.get(month) ?? [];
    const biopsies = summariseBiopsies(monthRows);
    const scored =
      threshold === null
        ? []
        : monthRows.flatMap((row) =>
            // The model's figures leave out the lesions it was trained on (as the totals do).
            row.biopsied && row.score !== null && !row.seenInTraining ? [{ score: row.score, malignant: row.malignant, biopsied: true }] : [],
          );
    const stats = threshold === null ? null : avoidableBiopsyStats(scored, threshold);
    return {
      month,
      biopsies: biopsies.biopsied,
      benignBiopsies: biopsies.benignBiopsied,
      malignantBiopsies: biopsies.malignantBiopsied,
      numberNeededToBiopsy: biopsies.numberNeededToBiopsy,
      scoredBiopsies: scored.length,
      benignAvoidable: stats?.benignCalledLikelyBenign ?? 0,
      avoidableRate: stats?.avoidableRate ?? wilsonInterval(0, 0),
      malignantMissed: stats?.malignantMissed ?? 0,
      flags: flagsByMonth.get(month) ?? zeroCounts(FLAG_KINDS),
      decisions: decisionsByMonth.get(month) ?? zeroCounts(REVIEW_DECISIONS),
    };
  });
}
