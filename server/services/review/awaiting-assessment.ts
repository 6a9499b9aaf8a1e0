/**
 * Lesions awaiting a clinical assessment: images scored by the active model, no biopsy outcome, and no clinician's
 * call yet. The flag policy compares the model with the clinician, so such a lesion raises no flag until someone
 * records an assessment: this list is where a dermatologist sees that work (a fresh demo, or a clinic whose images
 * arrive before the intake form). Oldest first: the lesion whose first image arrived longest ago leads.
 *
 * The model's score is deliberately not part of what this returns: the clinician records their own call first,
 * unbiased by the model, and the comparison happens afterwards, in the review queue.
 *
 * One statement gives the page and the total from the same snapshot. Paging is keyset on (waiting since, lesion id)
 * with the last lesion's id as the cursor; its key is recomputed from its images, which are never deleted, so a
 * cursor lesion that was assessed meanwhile still continues from where it stood, and an unknown one starts over.
 * The total counts every awaiting lesion, which reads them all: fine for a clinic's pending work (thousands), and the
 * page is bounded by `limit`.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import { Prisma } from "../../db/generated/client";
import { CURRENT_OUTCOMES_SQL } from "../clinical/current-records";

export const awaitingAssessmentInputSchema = z.object({
  cursor: z.string().min(1).max(64).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type AwaitingAssessmentInput = z.input<typeof awaitingAssessmentInputSchema>;

export const awaitingAssessmentItemSchema = z.object({
  lesionId: z.string(),
  bodySite: z.string(),
  label: z.string(),
  patient: z.object({
    id: z.string(),
    mrn: z.string(),
    name: z.string(),
    /** Whole years today; null when no birth date is recorded. */
    ageYears: z.number().int().nullable(),
  }),
  imageCount: z.number().int().min(1),
  /** The newest image (by upload): when it was captured, if known, and uploaded. */
  latestImage: z.object({ capturedAt: z.date().nullable(), uploadedAt: z.date() }),
  /** When the lesion's first image arrived: how long it has been waiting. */
  waitingSince: z.date(),
});

export const awaitingAssessmentPageSchema = z.object({
  total: z.number().int().min(0),
  items: z.array(awaitingAssessmentItemSchema),
  nextCursor: z.string().nullable(),
});
export type AwaitingAssessmentPage = z.infer<typeof awaitingAssessmentPageSchema>;

interface Row {
  total: number;
  lesionId: string | null;
  bodySite: string | null;
  label: string | null;
  patientId: string | null;
  mrn: string | null;
  patientName: string | null;
  ageYears: number | null;
  imageCount: number | null;
  capturedAt: Date | null;
  uploadedAt: Date | null;
  waitingSince: Date | null;
}

export async function listAwaitingAssessment(options: { db: Db; input: AwaitingAssessmentInput; today?: Date }): Promise<AwaitingAssessmentPage> {
  const input = awaitingAssessmentInputSchema.parse(options.input);
  const today = (options.today ?? new Date()).toISOString().slice(0, 10);
  const take = input.limit + 1;
  // After the cursor's key; a cursor naming no lesion with images (k.since IS NULL) gives the first page.
  const cursor = input.cursor
    ? {
        cte: Prisma.sql`, k AS (SELECT MIN(i."createdAt") AS since, ${input.cursor}::text AS id FROM "LesionImage" i WHERE i."lesionId" = ${input.cursor})`,
        from: Prisma.sql`, k`,
        where: Prisma.sql`WHERE k.since IS NULL OR (a."waitingSince", a.id) > (k.since, k.id)`,
      }
    : { cte: Prisma.empty, from: Prisma.empty, where: Prisma.empty };

  const rows = await options.db.$queryRaw<Row[]>`
    WITH awaiting AS (
      SELECT l.id, MIN(i."createdAt") AS "waitingSince", COUNT(*)::int AS "imageCount"
      FROM "Lesion" l
      JOIN "LesionImage" i ON i."lesionId" = l.id
      WHERE NOT EXISTS (SELECT 1 FROM "ClinicalAssessment" ca WHERE ca."lesionId" = l.id)
        AND NOT EXISTS (SELECT 1 FROM ${CURRENT_OUTCOMES_SQL} bo WHERE bo."lesionId" = l.id)
        AND EXISTS (
          SELECT 1 FROM "Prediction" p
          JOIN "LesionImage" scored ON scored.id = p."imageId"
          JOIN "ModelVersion" mv ON mv.id = p."modelVersionId"
          WHERE scored."lesionId" = l.id AND mv.status = 'ACTIVE'::"ModelStatus"
        )
      GROUP BY l.id
    )${cursor.cte},
    page AS (
      SELECT a.* FROM awaiting a${cursor.from} ${cursor.where}
      ORDER BY a."waitingSince" ASC, a.id ASC LIMIT ${take}
    )
    SELECT t.total, pg.*
    FROM (SELECT COUNT(*)::int AS total FROM awaiting) t
    LEFT JOIN LATERAL (
      SELECT page.id AS "lesionId", page."waitingSince", page."imageCount", l."bodySite", l.label,
             pt.id AS "patientId", pt.mrn, pt.name AS "patientName",
             CASE WHEN pt."birthDate" IS NULL THEN NULL
                  ELSE date_part('year', age(${today}::date, pt."birthDate"))::int END AS "ageYears",
             img."capturedAt", img."createdAt" AS "uploadedAt"
      FROM page
      JOIN "Lesion" l ON l.id = page.id
      JOIN "Patient" pt ON pt.id = l."patientId"
      JOIN LATERAL (
        SELECT i."capturedAt", i."createdAt" FROM "LesionImage" i WHERE i."lesionId" = page.id
        ORDER BY i."createdAt" DESC, i.id DESC LIMIT 1
      ) img ON true
    ) pg ON true
    ORDER BY pg."waitingSince" ASC, pg."lesionId" ASC`;

  const total = rows[0]?.total ?? 0;
  const found = rows.filter((row) => row.lesionId !== null);
  const items = found.slice(0, input.limit).map((row) => ({
    lesionId: row.lesionId!,
    bodySite: row.bodySite!,
    label: row.label!,
    patient: { id: row.patientId!, mrn: row.mrn!, name: row.patientName!, ageYears: row.ageYears },
    imageCount: row.imageCount!,
    latestImage: { capturedAt: row.capturedAt, uploadedAt: row.uploadedAt! },
    waitingSince: row.waitingSince!,
  }));
  return awaitingAssessmentPageSchema.parse({
    total,
    items,
    nextCursor: found.length > input.limit ? (items.at(-1)?.lesionId ?? null) : null,
  });
}
