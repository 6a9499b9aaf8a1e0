/**
 * Malignancies among deferred lesions: the safety figure of the whole product, so it is computed over ALL model
 * versions and ALL time and never narrowed by the dashboard's filters.
 *
 * A lesion is deferred when any of its flags received a DEFER_MONITOR decision. It counts as a malignancy when any
 * of its recorded outcomes (histopathology or another confirmation) is malignant: for a safety count, one malignant
 * report is enough.
 */
import type { Db } from "../../db/client";
import { CURRENT_OUTCOMES_SQL, CURRENT_REVIEWS_SQL } from "../clinical/current-records";

/** Most deferred malignancies listed by name; the count is always complete. */
export const DEFERRED_MALIGNANCY_LIST_LIMIT = 200;

export interface DeferredMalignancy {
  readonly lesionId: string;
  readonly mrn: string;
  readonly bodySite: string;
  /** First deferral of the lesion. */
  readonly deferredAt: Date;
  readonly followUpDate: Date | null;
  readonly modelVersion: string | null;
  readonly histopathologyDiagnosis: string;
  readonly confirmation: string;
  readonly reportDate: Date;
}

export interface DeferredMalignancySummary {
  /** Lesions with at least one DEFER_MONITOR decision. */
  readonly deferredLesions: number;
  /** Of those, lesions with any recorded outcome. */
  readonly deferredWithOutcome: number;
  /** Of those, lesions with a malignant outcome. */
  readonly malignant: number;
  /** The malignant ones, most recent report first (at most DEFERRED_MALIGNANCY_LIST_LIMIT). */
  readonly lesions: DeferredMalignancy[];
}

export async function loadDeferredMalignancies(db: Db): Promise<DeferredMalignancySummary> {
  const [counts, lesions] = await Promise.all([
    db.$queryRaw<{ deferredLesions: number; deferredWithOutcome: number; malignant: number }[]>`
      WITH deferred AS (
        SELECT DISTINCT f."lesionId" FROM ${CURRENT_REVIEWS_SQL} r JOIN "Flag" f ON f.id = r."flagId" WHERE r.decision = 'DEFER_MONITOR'
      )
      SELECT count(*)::int AS "deferredLesions",
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ${CURRENT_OUTCOMES_SQL} o WHERE o."lesionId" = d."lesionId"))::int AS "deferredWithOutcome",
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ${CURRENT_OUTCOMES_SQL} o WHERE o."lesionId" = d."lesionId" AND o.malignant))::int AS malignant
      FROM deferred d`,
    db.$queryRaw<DeferredMalignancy[]>`
      WITH first_deferral AS (
        SELECT DISTINCT ON (f."lesionId") f."lesionId", r."createdAt" AS "deferredAt", r."followUpDate", f."modelVersionId"
        FROM ${CURRENT_REVIEWS_SQL} r JOIN "Flag" f ON f.id = r."flagId"
        WHERE r.decision = 'DEFER_MONITOR'
        ORDER BY f."lesionId", r."createdAt", r.id
      ),
      malignant_outcome AS (
        SELECT DISTINCT ON (o."lesionId") o."lesionId", o."histopathologyDiagnosis", o.confirmation, o."reportDate"
        FROM ${CURRENT_OUTCOMES_SQL} o
        WHERE o.malignant AND o."lesionId" IN (SELECT "lesionId" FROM first_deferral)
        ORDER BY o."lesionId", o."reportDate" DESC, o."createdAt" DESC, o.id DESC
      )
      SELECT d."lesionId" AS "lesionId", p.mrn AS mrn, l."bodySite" AS "bodySite", d."deferredAt" AS "deferredAt",
             d."followUpDate" AS "followUpDate", mv.version AS "modelVersion",
             o."histopathologyDiagnosis" AS "histopathologyDiagnosis", o.confirmation AS confirmation, o."reportDate" AS "reportDate"
      FROM first_deferral d
      JOIN malignant_outcome o ON o."lesionId" = d."lesionId"
      JOIN "Lesion" l ON l.id = d."lesionId"
      JOIN "Patient" p ON p.id = l."patientId"
      LEFT JOIN "ModelVersion" mv ON mv.id = d."modelVersionId"
      ORDER BY o."reportDate" DESC, d."lesionId"
      LIMIT ${DEFERRED_MALIGNANCY_LIST_LIMIT}`,
  ]);
  const totals = counts[0] ?? { deferredLesions: 0, deferredWithOutcome: 0, malignant: 0 };
  return { ...totals, lesions };
}
