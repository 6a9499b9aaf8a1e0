/**
 * The reviewer queue: open flags, most urgent first (a planned biopsy first, then the model's risk), with keyset
 * paging that stays fast at 100,000 lesions: pages and j/k neighbours are index walks, not sorts.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import { Prisma } from "../../db/generated/client";

export const queueFilterSchema = z.object({
  kind: z.enum(["LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"]).optional(),
  status: z.enum(["OPEN", "DECIDED", "CLOSED"]).default("OPEN"),
  bodySite: z.string().max(64).optional(),
  modelVersionId: z.string().max(64).optional(),
  cursor: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type QueueFilter = z.input<typeof queueFilterSchema>;

/**
 * Queue order: planned biopsy first, then P(malignant) high to low, then id (newest cuid first). Every part runs
 * DESC so that PostgreSQL walks the index Flag(status, biopsyPlanned DESC, pMalignant DESC, id DESC) both for the
 * first page and after a cursor; a flag without a score (none is raised without one) sorts before scored ones,
 * as PostgreSQL's DESC order puts NULLs first.
 */
interface QueueKey {
  biopsyPlanned: boolean;
  pMalignant: number | null;
  id: string;
}

/** SQL for "comes after `key` in queue order" (strictly), NULL-safe for P(malignant). */
function afterKey(key: QueueKey): Prisma.Sql {
  const sameScoreLater =
    key.pMalignant === null
      ? Prisma.sql`(f."pMalignant" IS NOT NULL OR f.id < ${key.id})`
      : Prisma.sql`(f."pMalignant" < ${key.pMalignant} OR (f."pMalignant" = ${key.pMalignant} AND f.id < ${key.id}))`;
  return Prisma.sql`(f."biopsyPlanned" < ${key.biopsyPlanned} OR (f."biopsyPlanned" = ${key.biopsyPlanned} AND ${sameScoreLater}))`;
}

/** SQL for "comes before `key` in queue order" (strictly). */
function beforeKey(key: QueueKey): Prisma.Sql {
  const sameScoreEarlier =
    key.pMalignant === null
      ? Prisma.sql`(f."pMalignant" IS NULL AND f.id > ${key.id})`
      : Prisma.sql`(f."pMalignant" IS NULL OR f."pMalignant" > ${key.pMalignant} OR (f."pMalignant" = ${key.pMalignant} AND f.id > ${key.id}))`;
  return Prisma.sql`(f."biopsyPlanned" > ${key.biopsyPlanned} OR (f."biopsyPlanned" = ${key.biopsyPlanned} AND ${sameScoreEarlier}))`;
}

const QUEUE_ORDER_SQL = Prisma.sql`ORDER BY f."biopsyPlanned" DESC, f."pMalignant" DESC, f.id DESC`;
const REVERSE_ORDER_SQL = Prisma.sql`ORDER BY f."biopsyPlanned" ASC, f."pMalignant" ASC, f.id ASC`;

function filterSql(filter: z.output<typeof queueFilterSchema>): Prisma.Sql {
  const conditions = [Prisma.sql`f.status = ${filter.status}::"FlagStatus"`];
  if (filter.kind) conditions.push(Prisma.sql`f.kind = ${filter.kind}::"FlagKind"`);
  if (filter.modelVersionId) conditions.push(Prisma.sql`f."modelVersionId" = ${filter.modelVersionId}`);
  if (filter.bodySite) conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM "Lesion" l WHERE l.id = f."lesionId" AND l."bodySite" = ${filter.bodySite})`);
  return Prisma.join(conditions, " AND ");
}

async function queueKeyOf(db: Db, flagId: string): Promise<QueueKey | null> {
  return db.flag.findUnique({ where: { id: flagId }, select: { id: true, biopsyPlanned: true, pMalignant: true } });
}

export async function listQueue(options: { db: Db; filter: QueueFilter }) {
  const { db } = options;
  const filter = queueFilterSchema.parse(options.filter);
  const cursor = filter.cursor ? await queueKeyOf(db, filter.cursor) : null;
  const where = cursor ? Prisma.sql`${filterSql(filter)} AND ${afterKey(cursor)}` : filterSql(filter);
  const page = await db.$queryRaw<{ id: string }[]>`
    SELECT f.id FROM "Flag" f WHERE ${where} ${QUEUE_ORDER_SQL} LIMIT ${filter.limit + 1}`;
  const hasMore = page.length > filter.limit;
  const ids = page.slice(0, filter.limit).map((row) => row.id);
  const rows = await db.flag.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      kind: true,
      status: true,
      reason: true,
      biopsyPlanned: true,
      pMalignant: true,
      threshold: true,
      createdAt: true,
      modelVersion: { select: { version: true } },
      assessment: { select: { impression: true, plan: true } },
      lesion: {
        select: {
          id: true,
          bodySite: true,
          label: true,
          patient: { select: { id: true, mrn: true, name: true, fitzpatrickType: true } },
          images: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true } },
        },
      },
    },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const items = ids.flatMap((id) => byId.get(id) ?? []);
  return { items, nextCursor: hasMore ? (ids.at(-1) ?? null) : null };
}

/** The open flags just before and after this one in queue order, for j/k navigation (index walks, not sorts). */
export async function neighbouringFlags(options: { db: Db; flagId: string }) {
  const key = await queueKeyOf(options.db, options.flagId);
  if (!key) return { previous: null, next: null };
  const open = Prisma.sql`f.status = 'OPEN'::"FlagStatus"`;
  const [previous] = await options.db.$queryRaw<{ id: string }[]>`
    SELECT f.id FROM "Flag" f WHERE ${open} AND ${beforeKey(key)} ${REVERSE_ORDER_SQL} LIMIT 1`;
  const [next] = await options.db.$queryRaw<{ id: string }[]>`
    SELECT f.id FROM "Flag" f WHERE ${open} AND ${afterKey(key)} ${QUEUE_ORDER_SQL} LIMIT 1`;
  return { previous: previous?.id ?? null, next: next?.id ?? null };
}

/** Open flags per kind, for the queue's header. */
export async function countOpenFlagsByKind(options: { db: Db }) {
  const groups = await options.db.flag.groupBy({ by: ["kind"], where: { status: "OPEN" }, _count: { _all: true } });
  const counts = { LIKELY_BENIGN: 0, POSSIBLE_MISSED_MALIGNANCY: 0, REVIEW_REQUIRED: 0 };
  for (const group of groups) counts[group.kind] = group._count._all;
  return counts;
}

/** Deferred lesions whose follow-up date has passed and that have no biopsy outcome yet. */
export async function listOverdueFollowUps(options: { db: Db; today?: Date; take?: number }) {
  const today = options.today ?? new Date();
  return options.db.review.findMany({
    where: {
      decision: "DEFER_MONITOR",
      followUpDate: { lt: today },
      flag: { status: "DECIDED", lesion: { biopsyOutcomes: { none: {} } } },
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
