/**
 * The reviewer queue: open flags, most urgent first (a planned biopsy first, then the model's risk), with keyset
 * paging that stays fast at 100,000 lesions (index Flag(status, biopsyPlanned, pMalignant, id)).
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";

export const queueFilterSchema = z.object({
  kind: z.enum(["LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"]).optional(),
  status: z.enum(["OPEN", "DECIDED", "CLOSED"]).default("OPEN"),
  bodySite: z.string().max(64).optional(),
  modelVersionId: z.string().max(64).optional(),
  cursor: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export type QueueFilter = z.input<typeof queueFilterSchema>;

const QUEUE_ORDER: Prisma.FlagOrderByWithRelationInput[] = [
  { biopsyPlanned: "desc" },
  { pMalignant: { sort: "desc", nulls: "last" } },
  { id: "asc" },
];

function whereOf(filter: z.output<typeof queueFilterSchema>): Prisma.FlagWhereInput {
  return {
    status: filter.status,
    kind: filter.kind,
    modelVersionId: filter.modelVersionId,
    lesion: filter.bodySite ? { bodySite: filter.bodySite } : undefined,
  };
}

export async function listQueue(options: { db: Db; filter: QueueFilter }) {
  const filter = queueFilterSchema.parse(options.filter);
  const rows = await options.db.flag.findMany({
    where: whereOf(filter),
    orderBy: QUEUE_ORDER,
    take: filter.limit + 1,
    ...(filter.cursor ? { cursor: { id: filter.cursor }, skip: 1 } : {}),
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
  const hasMore = rows.length > filter.limit;
  const items = hasMore ? rows.slice(0, filter.limit) : rows;
  return { items, nextCursor: hasMore ? (items.at(-1)?.id ?? null) : null };
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
