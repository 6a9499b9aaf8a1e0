/**
 * Every model figure of the dashboard from the per-lesion rows, with ml/evaluation's functions (one place for each
 * metric rule). Pure: the database work is done before (lesion-outcome-rows.ts).
 *
 * Cases: biopsied (histopathology) lesions scored by the model version, one case per lesion scored by its maximum
 * P(malignant), leaving out every lesion the version was trained or validated on (counted in `trainingLeftOut`: a
 * model scored on its own training cases looks far better than it is). The model calls a lesion malignant when
 * score >= threshold (likely benign below it).
 * - Avoidable benign biopsies / missed malignancies / NNB: avoidableBiopsyStats at the threshold.
 * - Estimated saving: avoidable benign biopsies x cost per biopsy (had every one of them been deferred).
 * - Model vs clinician: the scored biopsied lesions that also have a clinical assessment, so both are measured on
 *   the same lesions (clinician rule: clinician-call.ts).
 * - ROC, calibration (10 bins, ECE) and subgroups: all scored biopsied lesions.
 */
import {
  avoidableBiopsyStats,
  binaryCounts,
  binaryCountsFromCalls,
  binaryMetrics,
  calibrationErrorOf,
  downsampleRoc,
  reliabilityCurve,
  rocAuc,
  rocCurve,
  subgroupMetrics,
} from "@/ml/evaluation";
import { CLINICIAN_CALL_RULE, clinicianCallsMalignant } from "./clinician-call";
import type { LesionOutcomeRow } from "./lesion-outcome-rows";
import type { ModelOutcomes } from "./schemas";
import { AGE_GROUPS, ageGroup, FITZPATRICK_GROUPS, fitzpatrickGroup, SEX_GROUPS, sexGroup } from "./subgroup-keys";
import { whatIfCurve } from "./what-if-curve";

/** Most ROC points sent to the browser (ml/evaluation's downsampleRoc keeps the curve's shape). */
export const MAX_ROC_POINTS = 200;

type ScoredRow = LesionOutcomeRow & { readonly score: number };

export interface ModelOutcomeFigures extends Omit<ModelOutcomes, "missedMalignancies" | "trainingCases"> {
  /** Missed malignant lesions (biopsied, score < threshold), lowest score first. */
  readonly missedLesions: { lesionId: string; score: number }[];
  /** Biopsied lesions left out of every figure because the model version was trained or validated on them. */
  readonly trainingLeftOut: number;
}

export function summariseModelOutcomes(
  rows: readonly LesionOutcomeRow[],
  options: { threshold: number; costPerBiopsy: number },
): ModelOutcomeFigures {
  const { threshold, costPerBiopsy } = options;
  const trainingLeftOut = rows.filter((row) => row.biopsied && row.seenInTraining).length;
  const unseen = rows.filter((row) => !row.seenInTraining);
  const scored = unseen.filter((row): row is ScoredRow => row.score !== null);
  const biopsied = scored.filter((row) => row.biopsied);
  const unscoredBiopsied = unseen.filter((row) => row.biopsied && row.score === null).length;
  const scores = biopsied.map((row) => row.score);
  const labels = biopsied.map((row) => row.malignant);

  const biopsy = avoidableBiopsyStats(
    biopsied.map((row) => ({ score: row.score, malignant: row.malignant, biopsied: true })),
    threshold,
  );

  const assessed = biopsied.filter((row) => row.impression !== null && row.plan !== null);
  const assessedLabels = assessed.map((row) => row.malignant);
  const modelCounts = binaryCounts(
    assessed.map((row) => row.score),
    assessedLabels,
    threshold,
  );
  const clinicianCounts = binaryCountsFromCalls(
    assessed.map((row) => clinicianCallsMalignant({ impression: row.impression!, plan: row.plan! })),
    assessedLabels,
  );

  const roc = rocCurve(scores, labels);
  const rocCounts = binaryCounts(scores, labels, threshold);
  const reliability = reliabilityCurve(scores, labels);
  const allScores = scored.map((row) => row.score);
  const allLabels = scored.map((row) => row.malignant);
  const allMalignant = allLabels.filter(Boolean).length;

  const subgroupsBy = (key: (row: ScoredRow) => string, order: readonly string[]) =>
    subgroupMetrics(
      biopsied.map((row) => ({ score: row.score, malignant: row.malignant, group: key(row) })),
      threshold,
      { order },
    );
  const sites = [...new Set(biopsied.map((row) => row.bodySite))].sort();

  return {
    scoredBiopsied: biopsied.length,
    unscoredBiopsied,
    trainingLeftOut,
    biopsy,
    estimatedSaving: biopsy.benignCalledLikelyBenign * costPerBiopsy,
    comparison: {
      n: assessed.length,
      rule: CLINICIAN_CALL_RULE,
      withoutAssessment: biopsied.length - assessed.length,
      model: { counts: modelCounts, metrics: binaryMetrics(modelCounts) },
      clinician: { counts: clinicianCounts, metrics: binaryMetrics(clinicianCounts) },
    },
    roc: {
      n: biopsied.length,
      positives: rocCounts.positives,
      negatives: rocCounts.negatives,
      auc: rocAuc(scores, labels),
      points: roc === null ? null : downsampleRoc(roc, MAX_ROC_POINTS),
      operatingPoint:
        roc === null ? null : { fpr: rocCounts.fp / rocCounts.negatives, tpr: rocCounts.tp / rocCounts.positives },
    },
    calibration: { n: biopsied.length, ece: calibrationErrorOf(reliability), bins: reliability },
    allConfirmed: {
      n: scored.length,
      positives: allMalignant,
      negatives: scored.length - allMalignant,
      auc: rocAuc(allScores, allLabels),
    },
    subgroups: {
      fitzpatrick: subgroupsBy((row) => fitzpatrickGroup(row.fitzpatrickType), FITZPATRICK_GROUPS),
      sex: subgroupsBy((row) => sexGroup(row.sex), SEX_GROUPS),
      ageBand: subgroupsBy((row) => ageGroup(row.ageYears), AGE_GROUPS),
      bodySite: subgroupsBy((row) => row.bodySite, sites),
    },
    whatIf: whatIfCurve(biopsied, threshold),
    missedLesions: biopsied
      .filter((row) => row.malignant && row.score < threshold)
      .sort((a, b) => a.score - b.score || a.lesionId.localeCompare(b.lesionId))
      .map((row) => ({ lesionId: row.lesionId, score: row.score })),
  };
}
