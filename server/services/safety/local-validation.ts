/**
 * Local validation: how the model has done on this clinic's own biopsy-confirmed lesions, counting only scores made
 * BEFORE the result was known (a score computed after the pathology report is not evidence: the model might have
 * been retrained on it, or the image re-scored). One case per lesion, scored by its most suspicious image, so the
 * Wilson intervals are lesion-level. The criteria decide whether deferral suggestions may be switched on.
 */
import { selectOperatingThreshold, wilsonInterval, type ProportionEstimate } from "@/ml/evaluation";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { operatingPointInForce } from "../models/operating-point-in-force";
import { seenInTrainingSql } from "../models/training-lesions";
import { DEFAULT_LOCAL_VALIDATION_CRITERIA, storedCriteriaSchema, type LocalValidationCriteria, type StoredLocalValidationCriteria } from "./local-validation-criteria";
import { CURRENT_OUTCOMES_SQL } from "../clinical/current-records";

type Reader = Db | Prisma.TransactionClient;

export const LOCAL_VALIDATION_CRITERIA_KEY = "localValidationCriteria";

export async function readLocalValidationCriteria(db: Reader): Promise<StoredLocalValidationCriteria> {
  const row = await db.setting.findUnique({ where: { key: LOCAL_VALIDATION_CRITERIA_KEY }, select: { value: true } });
  if (!row) return DEFAULT_LOCAL_VALIDATION_CRITERIA;
  const parsed = storedCriteriaSchema.safeParse(row.value);
  // Never a silent fallback: an admin's criteria that cannot be read must be noticed, not replaced.
  if (!parsed.success) {
    throw new Error(`the stored local validation criteria are invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

export interface LocalCase {
  lesionId: string;
  pMalignant: number;
  malignant: boolean;
}

export interface LocalValidation {
  modelVersionId: string;
  threshold: number;
  criteria: StoredLocalValidationCriteria;
  malignantLesions: number;
  benignLesions: number;
  /** Biopsied lesions left out because every score of theirs was made after the result was recorded. */
  scoredAfterOutcome: number;
  /** Biopsied lesions left out because the model was trained or validated on them. */
  seenInTraining: number;
  sensitivity: ProportionEstimate;
  specificity: ProportionEstimate;
  /** The threshold that reaches the target sensitivity on the local lesions, with what it achieves; null without malignant cases. */
  proposedThreshold: { value: number; sensitivity: ProportionEstimate; specificity: ProportionEstimate } | null;
  unacknowledgedSafetyEvents: number;
  criteriaMet: boolean;
  /** Each criterion in words, with whether it holds. */
  checks: { name: string; passed: boolean; detail: string }[];
}

/**
 * One case per biopsy-confirmed lesion: the highest P(malignant) among this model's predictions made before its first
 * outcome. Lesions the model was trained or validated on (ModelTrainingLesion: e.g. an imported HAM10000 lesion under
 * a model trained on HAM10000) are not local evidence either: the model has seen their answer.
 */
export async function localCases(db: Reader, modelVersionId: string): Promise<{ cases: LocalCase[]; scoredAfterOutcome: number; seenInTraining: number }> {
  const rows = await db.$queryRaw<{ lesionId: string; malignant: boolean; pMalignant: number | null; seen: boolean }[]>`
    WITH first_outcome AS (
      SELECT DISTINCT ON (o."lesionId") o."lesionId", o.malignant, o."createdAt"
      FROM ${CURRENT_OUTCOMES_SQL} o
      WHERE o.confirmation = 'histo'
      ORDER BY o."lesionId", o."createdAt"
    )
    SELECT f."lesionId", f.malignant,
           MAX(p."pMalignant") FILTER (WHERE p."createdAt" < f."createdAt") AS "pMalignant",
           ${seenInTrainingSql(modelVersionId, "l")} AS seen
    FROM first_outcome f
    JOIN "Lesion" l ON l.id = f."lesionId"
    JOIN "LesionImage" i ON i."lesionId" = f."lesionId"
    JOIN "Prediction" p ON p."imageId" = i.id AND p."modelVersionId" = ${modelVersionId}
    GROUP BY f."lesionId", f.malignant, l.id`;
  const unseen = rows.filter((r) => !r.seen);
  const cases = unseen.filter((r): r is typeof r & LocalCase => r.pMalignant !== null).map((r) => ({ lesionId: r.lesionId, pMalignant: Number(r.pMalignant), malignant: r.malignant }));
  return { cases, scoredAfterOutcome: unseen.length - cases.length, seenInTraining: rows.length - unseen.length };
}

export function evaluateLocalCases(
  cases: readonly LocalCase[],
  threshold: number,
  criteria: LocalValidationCriteria,
  unacknowledgedSafetyEvents: number,
): Omit<LocalValidation, "modelVersionId" | "threshold" | "criteria" | "scoredAfterOutcome" | "seenInTraining"> {
  const malignant = cases.filter((c) => c.malignant);
  const benign = cases.filter((c) => !c.malignant);
  const at = (t: number) => ({
    sensitivity: wilsonInterval(malignant.filter((c) => c.pMalignant >= t).length, malignant.length),
    specificity: wilsonInterval(benign.filter((c) => c.pMalignant < t).length, benign.length),
  });
  const current = at(threshold);
  let proposedThreshold: LocalValidation["proposedThreshold"] = null;
  if (malignant.length > 0) {
    const point = selectOperatingThreshold(cases.map((c) => c.pMalignant), cases.map((c) => c.malignant), criteria.targetSensitivity);
    proposedThreshold = { value: point.threshold, ...at(point.threshold) };
  }
  const lower = current.sensitivity.lower;
  const checks = [
    { name: "Malignant lesions", passed: malignant.length >= criteria.minMalignantLesions, detail: `${malignant.length} of at least ${criteria.minMalignantLesions}` },
    { name: "Benign lesions", passed: benign.length >= criteria.minBenignLesions, detail: `${benign.length} of at least ${criteria.minBenignLesions}` },
    {
      name: "Sensitivity lower 95% bound",
      passed: lower !== null && lower >= criteria.sensitivityLowerBoundFloor,
      detail: `${lower === null ? "n/a" : (100 * lower).toFixed(1) + "%"} (floor ${(100 * criteria.sensitivityLowerBoundFloor).toFixed(1)}%)`,
    },
    {
      name: "Unacknowledged safety events",
      passed: unacknowledgedSafetyEvents <= criteria.maxUnacknowledgedSafetyEvents,
      detail: `${unacknowledgedSafetyEvents} (at most ${criteria.maxUnacknowledgedSafetyEvents})`,
    },
  ];
  return {
    malignantLesions: malignant.length,
    benignLesions: benign.length,
    sensitivity: current.sensitivity,
    specificity: current.specificity,
    proposedThreshold,
    unacknowledgedSafetyEvents,
    criteriaMet: checks.every((c) => c.passed),
    checks,
  };
}

export async function computeLocalValidation(db: Reader, modelVersionId: string): Promise<LocalValidation> {
  // Evaluated at the operating point in force (a local threshold once adopted), where deferral decisions are made.
  const { threshold } = await operatingPointInForce(db, modelVersionId);
  const criteria = await readLocalValidationCriteria(db);
  const { cases, scoredAfterOutcome, seenInTraining } = await localCases(db, modelVersionId);
  const unacknowledged = await db.safetyEvent.count({ where: { modelVersionId, acknowledgedAt: null } });
  return { modelVersionId, threshold, criteria, scoredAfterOutcome, seenInTraining, ...evaluateLocalCases(cases, threshold, criteria, unacknowledged) };
}
