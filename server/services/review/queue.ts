/**
 * The reviewer queue: open flags, most urgent first (a planned biopsy first, then the model's risk), with keyset
 * paging that stays fast at 100,000 lesions: a page, or a flag's j/k neighbours, starts an index scan at its key
 * (a row comparison PostgreSQL uses as an index condition) instead of filtering every flag before it, and each is one
 * statement: the page and everything the queue shows of it in one round trip to the database.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import { Prisma } from "../../db/generated/client";
import type { FlagKind, FlagStatus, Impression, Plan } from "../../db/generated/enums";
import { decidableBySql } from "./second-read";
import { CURRENT_OUTCOME, CURRENT_REVIEW } from "../clinical/current-records";

export const queueFilterSchema = z.object({
  kind: z.enum(["LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"]).optional(),
  status: z.enum(["OPEN", "DECIDED", "CLOSED"]).default("OPEN"),
  bodySite: z.string().max(64).optional(),
  modelVersionId: z.string().max(64).optional(),
  cursor: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type QueueFilter = z.input<typeof queueFilterSchema>;

/*
 * Queue order: planned biopsy first, then P(malignant) high to low, then id (newest cuid first). Every part runs DESC
 * so that PostgreSQL walks the index Flag(status, biopsyPlanned DESC, pMalignant DESC, id DESC), or
 * Flag(status, kind, ...) for one kind; a flag without a score (none is raised without one) sorts before scored
 * ones, as PostgreSQL's DESC order puts NULLs first.
 *
 * "After the key k" in that order is the row comparison (biopsyPlanned, pMalignant, id) < k, which the index
 * answers by starting at k, except for what the comparison leaves unknown when a score is NULL: if k has no score,
 * the flags with k's biopsyPlanned that come after it (scored ones, and unscored ones with a smaller id) are a second
 * branch. A scored row with no score in the same biopsyPlanned group sorts before k, where the comparison (unknown)
 * already leaves it out. "Before k" mirrors this: the unscored flags of k's group come before a scored k.
 */
const QUEUE_ORDER = Prisma.sql`ORDER BY f."biopsyPlanned" DESC, f."pMalignant" DESC, f.id DESC`;
const REVERSE_ORDER = Prisma.sql`ORDER BY f."biopsyPlanned" ASC, f."pMalignant" ASC, f.id ASC`;
const KEY_COLUMNS = Prisma.sql`(f."biopsyPlanned", f."pMalignant", f.id)`;
/** The key `k` of the flag named by `flagId`: no row when there is no such flag. */
const keyCte = (flagId: string) =>
  Prisma.sql`k AS MATERIALIZED (SELECT c."biopsyPlanned" AS bp, c."pMalignant" AS p, c.id FROM "Flag" c WHERE c.id = ${flagId})`;
/*
 * The key's parts as uncorrelated scalar subqueries, not as a join with k: PostgreSQL computes each once before the
 * scan (an InitPlan), so the row comparison with them becomes the index condition (a seek to k) and a condition on k
 * alone becomes a one-time filter that skips a branch. Joined with k instead, both were filters checked row by row:
 * a page deep in the queue walked every flag before it, and the unscored-key branch walked all open flags on every
 * cursor page (26-50 ms at 40,000 open flags against 0.3 ms; bench/queue-profile.ts).
 */
const K_BP = Prisma.sql`(SELECT bp FROM k)`;
const K_P = Prisma.sql`(SELECT p FROM k)`;
const K_ID = Prisma.sql`(SELECT id FROM k)`;
const K_ROW = Prisma.sql`(${K_BP}, ${K_P}, ${K_ID})`;

function filterSql(filter: z.output<typeof queueFilterSchema>, viewerId: string | null): Prisma.Sql {
  const conditions = [Prisma.sql`f.status = ${filter.status}::"FlagStatus"`, decidableBySql(viewerId)];
  if (filter.kind) conditions.push(Prisma.sql`f.kind = ${filter.kind}::"FlagKind"`);
  if (filter.modelVersionId) conditions.push(Prisma.sql`f."modelVersionId" = ${filter.modelVersionId}`);
  if (filter.bodySite) conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "Lesion" l WHERE l.id = f."lesionId" AND l."bodySite" = ${filter.bodySite})`);
  return Prisma.join(conditions, " AND ");
}

/**
 * Ids and order keys of one page (limit + 1 rows, to tell whether more follow). After a cursor, two index seeks from
 * the key (see above); a cursor that names no flag gives the first page.
 */
function pageSql(filter: z.output<typeof queueFilterSchema>, viewerId: string | null): Prisma.Sql {
  const where = filterSql(filter, viewerId);
  const take = filter.limit + 1;
  const columns = Prisma.sql`f.id, f."biopsyPlanned", f."pMalignant"`;
  if (!filter.cursor) return Prisma.sql`SELECT ${columns} FROM "Flag" f WHERE ${where} ${QUEUE_ORDER} LIMIT ${take}`;
  return Prisma.sql`
    WITH ${keyCte(filter.cursor)}
    SELECT f.* FROM (
      (SELECT ${columns} FROM "Flag" f WHERE ${where} AND ${KEY_COLUMNS} < ${K_ROW} ${QUEUE_ORDER} LIMIT ${take})
      UNION ALL
      (SELECT ${columns} FROM "Flag" f WHERE ${where} AND EXISTS (SELECT 1 FROM k) AND ${K_P} IS NULL AND f."biopsyPlanned" = ${K_BP}
         AND (f."pMalignant" IS NOT NULL OR f.id < ${K_ID}) ${QUEUE_ORDER} LIMIT ${take})
      UNION ALL
      (SELECT ${columns} FROM "Flag" f WHERE ${where} AND NOT EXISTS (SELECT 1 FROM k) ${QUEUE_ORDER} LIMIT ${take})
    ) f ${QUEUE_ORDER} LIMIT ${take}`;
}

interface QueueRow {
  id: string;
  kind: FlagKind;
  status: FlagStatus;
  reason: string;
  deferralSuggested: boolean;
  biopsyPlanned: boolean;
  pMalignant: number | null;
  threshold: number | null;
  createdAt: Date;
  modelVersion: string | null;
  assessmentId: string | null;
  impression: Impression | null;
  plan: Plan | null;
  lesionId: string;
  bodySite: string;
  label: string;
  patientId: string;
  mrn: string;
  patientName: string;
  fitzpatrickType: number | null;
  birthDate: Date | null;
  imageId: string | null;
  latestImageAt: Date | null;
}

/** `viewerId`: whose queue it is (second reads they may not decide are left out: second-read.ts). */
export async function listQueue(options: { db: Db; filter: QueueFilter; viewerId?: string | null }) {
  const filter = queueFilterSchema.parse(options.filter);
  // The page and what the queue shows of each flag, the lesion's newest image included (ties: the larger id).
  const rows = await options.db.$queryRaw<QueueRow[]>`
    SELECT f.id, f.kind::text AS kind, f.status::text AS status, f.reason, f."deferralSuggested", f."biopsyPlanned", f."pMalignant", f.threshold,
           f."createdAt", mv.version AS "modelVersion", a.id AS "assessmentId", a.impression::text AS impression,
           a.plan::text AS plan, l.id AS "lesionId", l."bodySite", l.label, pt.id AS "patientId", pt.mrn,
           pt.name AS "patientName", pt."fitzpatrickType", pt."birthDate", img.id AS "imageId", latest."latestImageAt"
    FROM (${pageSql(filter, options.viewerId ?? null)}) page
    JOIN "Flag" f ON f.id = page.id
    JOIN "Lesion" l ON l.id = f."lesionId"
    JOIN "Patient" pt ON pt.id = l."patientId"
    LEFT JOIN "ModelVersion" mv ON mv.id = f."modelVersionId"
    LEFT JOIN "ClinicalAssessment" a ON a.id = f."assessmentId"
    LEFT JOIN LATERAL (
      SELECT i.id FROM "LesionImage" i WHERE i."lesionId" = f."lesionId" ORDER BY i."createdAt" DESC, i.id DESC LIMIT 1
    ) img ON true
    LEFT JOIN LATERAL (
      SELECT max(COALESCE(i."capturedAt", i."createdAt")) AS "latestImageAt" FROM "LesionImage" i WHERE i."lesionId" = f."lesionId"
    ) latest ON true
    ${QUEUE_ORDER}`;
  const hasMore = rows.length > filter.limit;
  const items = rows.slice(0, filter.limit).map((row) => ({
    id: row.id,
    kind: row.kind,
    status: row.status,
    reason: row.reason,
    deferralSuggested: row.deferralSuggested,
    biopsyPlanned: row.biopsyPlanned,
    pMalignant: row.pMalignant,
    threshold: row.threshold,
    createdAt: row.createdAt,
    modelVersion: row.modelVersion === null ? null : { version: row.modelVersion },
    assessment: row.assessmentId === null ? null : { impression: row.impression!, plan: row.plan! },
    lesion: {
      id: row.lesionId,
      bodySite: row.bodySite,
      label: row.label,
      patient: { id: row.patientId, mrn: row.mrn, name: row.patientName, fitzpatrickType: row.fitzpatrickType, birthDate: row.birthDate },
      images: row.imageId === null ? [] : [{ id: row.imageId }],
      /** The lesion's latest image (captured, else uploaded). */
      latestImageAt: row.latestImageAt,
    },
  }));
  return { items, nextCursor: hasMore ? (items.at(-1)?.id ?? null) : null };
}

/**
 * The open flags just before and after this one in queue order, for j/k navigation: one statement, each side an
 * index seek from the flag's key (plus the unscored-flag branch described above), whatever the flag's position.
 */
export async function neighbouringFlags(options: { db: Db; flagId: string; viewerId?: string | null }) {
  const open = Prisma.sql`f.status = 'OPEN'::"FlagStatus" AND ${decidableBySql(options.viewerId ?? null)}`;
  const columns = Prisma.sql`f.id, f."biopsyPlanned", f."pMalignant"`;
  const [row] = await options.db.$queryRaw<{ previous: string | null; next: string | null }[]>`
    WITH ${keyCte(options.flagId)}
    SELECT
      (SELECT f.id FROM (
         (SELECT ${columns} FROM "Flag" f WHERE ${open} AND ${KEY_COLUMNS} > ${K_ROW} ${REVERSE_ORDER} LIMIT 1)
         UNION ALL
         (SELECT ${columns} FROM "Flag" f WHERE ${open} AND f."biopsyPlanned" = ${K_BP} AND f."pMalignant" IS NULL
            AND (${K_P} IS NOT NULL OR f.id > ${K_ID}) ${REVERSE_ORDER} LIMIT 1)
       ) f ${REVERSE_ORDER} LIMIT 1) AS previous,
      (SELECT f.id FROM (
         (SELECT ${columns} FROM "Flag" f WHERE ${open} AND ${KEY_COLUMNS} < ${K_ROW} ${QUEUE_ORDER} LIMIT 1)
         UNION ALL
         (SELECT ${columns} FROM "Flag" f WHERE ${open} AND ${K_P} IS NULL AND f."biopsyPlanned" = ${K_BP}
            AND (f."pMalignant" IS NOT NULL OR f.id < ${K_ID}) ${QUEUE_ORDER} LIMIT 1)
       ) f ${QUEUE_ORDER} LIMIT 1) AS next
    WHERE EXISTS (SELECT 1 FROM k)`;
  return { previous: row?.previous ?? null, next: row?.next ?? null };
}

/**
 * Open flags per kind, for the queue's header: always exact and live (no cache), so a header never disagrees with the
 * list under it. One statement: the per-kind changes the database records with every flag change
 * (open-flag-counts.ts), less the viewer's own second reads, which are left out of their list too (few rows, found
 * through the index on secondReadRequestedById).
 */
export async function countOpenFlagsByKind(options: { db: Db; viewerId?: string | null }) {
  const viewerId = options.viewerId ?? null;
  const hiddenFromViewer =
    viewerId === null
      ? Prisma.empty
      : Prisma.sql`UNION ALL SELECT f.kind, -1 FROM "Flag" f
          WHERE f.status = 'OPEN'::"FlagStatus" AND f."secondReadRequestedById" IS NOT NULL AND NOT ${decidableBySql(viewerId)}`;
  const rows = await options.db.$queryRaw<{ kind: FlagKind; count: number }[]>`
    SELECT kind::text AS kind, sum(delta)::int AS count
    FROM (SELECT kind, delta FROM "OpenFlagCountDelta" ${hiddenFromViewer}) changes
    GROUP BY kind`;
  const counts: Record<FlagKind, number> = { LIKELY_BENIGN: 0, POSSIBLE_MISSED_MALIGNANCY: 0, REVIEW_REQUIRED: 0 };
  for (const row of rows) counts[row.kind] = row.count;
  return counts;
}

/** Deferred lesions whose follow-up date has passed and that have no biopsy outcome yet. */
export async function listOverdueFollowUps(options: { db: Db; today?: Date; take?: number }) {
  const today = options.today ?? new Date();
  return options.db.review.findMany({
    where: {
      ...CURRENT_REVIEW,
      decision: "DEFER_MONITOR",
      followUpDate: { lt: today },
      flag: { status: "DECIDED", lesion: { biopsyOutcomes: { none: CURRENT_OUTCOME } } },
    },
    orderBy: { followUpDate: "asc" },
    take: options.take ?? 100,
    select: {
      id: true,
      followUpDate: true,
      reason: true,
      reviewer: { select: { name: true } },
      flag: { select: { id: true, lesion: { select: { id: true, label: true, bodySite: true, patient: { select: { mrn: true, name: true } } } } } },
    },
  });
}
