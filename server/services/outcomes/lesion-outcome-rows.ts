/**
 * One row per lesion with a confirmed outcome, built in SQL so that only one small row per lesion (not every image,
 * prediction and assessment) leaves the database. The metrics are then computed in Node by ml/evaluation.
 *
 * Per-lesion rules:
 * - Outcome: a lesion's histopathology result wins over other confirmations (it was biopsied); among several of the
 *   same kind, the latest report. `biopsied` = the lesion has a histopathology ("histo") outcome: imported follow-up,
 *   consensus, confocal or archive-label confirmations are outcomes but not biopsies.
 * - Score: the lesion's maximum P(malignant) over its images under the model version (null when none was scored),
 *   the rule of the ml evaluation report and of the flag policy: a lesion is called likely benign only if ALL its
 *   images score below the threshold.
 * - Assessment: the lesion's latest clinical assessment (null when none).
 * - Month and age: of the outcome's report date (UTC calendar month; age in whole years at that date).
 * - Seen in training: the lesion is among the lesions the model version was trained or validated on, by any of its
 *   keys (models/training-lesions.ts); the model's figures leave such lesions out.
 */
import type { Db } from "../../db/client";
import type { Impression, Plan } from "../flags/flag-policy";
import { seenInTrainingSql } from "../models/training-lesions";
import type { DateBounds } from "./scope";
import { CURRENT_OUTCOMES_SQL } from "../clinical/current-records";

export type Sex = "FEMALE" | "MALE" | "OTHER" | "UNKNOWN";

export interface LesionOutcomeRow {
  readonly lesionId: string;
  /** YYYY-MM of the outcome's report date. */
  readonly month: string;
  readonly malignant: boolean;
  readonly biopsied: boolean;
  /** Max P(malignant) over the lesion's images under the model version; null when not scored. */
  readonly score: number | null;
  readonly impression: Impression | null;
  readonly plan: Plan | null;
  readonly fitzpatrickType: number | null;
  readonly sex: Sex;
  readonly ageYears: number | null;
  readonly bodySite: string;
  /** The model version was trained or validated on this lesion (false when no model is asked for). */
  readonly seenInTraining: boolean;
}

export async function loadLesionOutcomeRows(options: {
  db: Db;
  modelVersionId: string | null;
  bounds: DateBounds;
}): Promise<LesionOutcomeRow[]> {
  const { db, modelVersionId, bounds } = options;
  return db.$queryRaw<LesionOutcomeRow[]>`
    WITH outcome AS (
      SELECT DISTINCT ON (o."lesionId") o."lesionId", o.malignant, o."reportDate", o.confirmation = 'histo' AS biopsied
      FROM ${CURRENT_OUTCOMES_SQL} o
      ORDER BY o."lesionId", (o.confirmation = 'histo') DESC, o."reportDate" DESC, o."createdAt" DESC, o.id DESC
    ),
    in_scope AS (
      SELECT * FROM outcome
      WHERE (${bounds.fromDate}::date IS NULL OR "reportDate" >= ${bounds.fromDate}::date)
        AND (${bounds.toDateExclusive}::date IS NULL OR "reportDate" < ${bounds.toDateExclusive}::date)
    ),
    lesion_score AS (
      SELECT i."lesionId", max(p."pMalignant") AS score
      FROM "Prediction" p JOIN "LesionImage" i ON i.id = p."imageId"
      WHERE p."modelVersionId" = ${modelVersionId}::text AND i."lesionId" IN (SELECT "lesionId" FROM in_scope)
      GROUP BY i."lesionId"
    ),
    latest_assessment AS (
      SELECT DISTINCT ON (a."lesionId") a."lesionId", a.impression, a.plan
      FROM "ClinicalAssessment" a
      WHERE a."lesionId" IN (SELECT "lesionId" FROM in_scope)
      ORDER BY a."lesionId", a."assessedAt" DESC, a."createdAt" DESC, a.id DESC
    )
    SELECT s."lesionId" AS "lesionId",
           to_char(s."reportDate", 'YYYY-MM') AS month,
           s.malignant AS malignant,
           s.biopsied AS biopsied,
           sc.score AS score,
           a.impression::text AS impression,
           a.plan::text AS plan,
           pt."fitzpatrickType"::int AS "fitzpatrickType",
           pt.sex::text AS sex,
           CASE WHEN pt."birthDate" IS NULL THEN NULL
                ELSE date_part('year', age(s."reportDate", pt."birthDate"))::int END AS "ageYears",
           l."bodySite" AS "bodySite",
           ${seenInTrainingSql(modelVersionId, "l")} AS "seenInTraining"
    FROM in_scope s
    JOIN "Lesion" l ON l.id = s."lesionId"
    JOIN "Patient" pt ON pt.id = l."patientId"
    LEFT JOIN lesion_score sc ON sc."lesionId" = s."lesionId"
    LEFT JOIN latest_assessment a ON a."lesionId" = s."lesionId"
    ORDER BY s."lesionId"`;
}
