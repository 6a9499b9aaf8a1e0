/**
 * A reviewer's decision on a flag: exactly one per flag. Two reviewers deciding at once: the first wins, the second
 * is told who decided and when; nothing is overwritten. A second-read request closes this flag with the request and
 * opens a fresh flag of the same kind for another reviewer.
 */
import { DomainError } from "../domain-error";
import type { Db } from "../../db/client";
import { INVARIANT_INDEXES, isUniqueViolation } from "../../db/unique-violation";
import { recordAudit } from "../audit/record-audit";
import { createOpenFlag } from "../flags/recompute-flags";
import type { Prisma } from "../../db/generated/client";
import type { ReviewDecisionInput } from "./schemas";
import { refuseOwnSecondRead } from "./second-read";

export class FlagAlreadyDecidedError extends DomainError {
  constructor(decidedBy: string, decidedAt: Date) {
    super(
      "CONFLICT",
      `This flag was already decided by ${decidedBy} at ${decidedAt.toISOString().slice(0, 16).replace("T", " ")} UTC. Your decision was not saved; reload to see theirs.`,
    );
  }
}

async function alreadyDecided(db: Db, flagId: string): Promise<FlagAlreadyDecidedError> {
  const review = await db.review.findUnique({
    where: { flagId },
    select: { createdAt: true, reviewer: { select: { name: true } } },
  });
  return new FlagAlreadyDecidedError(review?.reviewer.name ?? "another reviewer", review?.createdAt ?? new Date());
}

/** Opens the second read a SECOND_READ decision asks for: the same inputs, for another reviewer. */
export async function openSecondRead(tx: Prisma.TransactionClient, options: { flagId: string; requestedById: string; reason: string }) {
  const original = await tx.flag.findUniqueOrThrow({ where: { id: options.flagId } });
  await createOpenFlag(tx, {
    lesionId: original.lesionId,
    kind: original.kind,
    reason: `Second read requested: ${options.reason}. ${original.reason}`,
    biopsyPlanned: original.biopsyPlanned,
    pMalignant: original.pMalignant,
    threshold: original.threshold,
    modelVersionId: original.modelVersionId,
    predictionId: original.predictionId,
    assessmentId: original.assessmentId,
    secondReadOfId: original.id,
    secondReadRequestedById: options.requestedById,
  });
}

export async function recordReview(options: { db: Db; actorId: string; input: ReviewDecisionInput }) {
  const { db, actorId, input } = options;
  try {
    return await db.$transaction(async (tx) => {
      // Same lock as recomputeLesionFlag: a decision and a recomputation of one lesion never interleave.
      await tx.$queryRaw`SELECT l.id FROM "Lesion" l JOIN "Flag" f ON f."lesionId" = l.id WHERE f.id = ${input.flagId} FOR UPDATE OF l`;
      const [flag] = await tx.$queryRaw<{ id: string; status: string; kind: string; lesionId: string }[]>`
        SELECT id, status::text AS status, kind::text AS kind, "lesionId" FROM "Flag" WHERE id = ${input.flagId} FOR UPDATE`;
      if (!flag) throw new DomainError("NOT_FOUND", "No such flag.");
      if (flag.status === "DECIDED") throw await alreadyDecided(db, flag.id);
      if (flag.status !== "OPEN") {
        throw new DomainError("CONFLICT", "This flag is no longer open: newer data replaced it or the biopsy outcome closed it.");
      }
      await refuseOwnSecondRead(tx, flag.id, actorId);
      const review = await tx.review.create({
        data: {
          flagId: flag.id,
          reviewerId: actorId,
          decision: input.decision,
          reason: input.reason,
          note: input.note,
          followUpDate: input.followUpDate ? new Date(`${input.followUpDate}T00:00:00Z`) : null,
        },
        select: { id: true, flagId: true, decision: true, reason: true, note: true, followUpDate: true, createdAt: true },
      });
      await tx.flag.update({ where: { id: flag.id }, data: { status: "DECIDED" } });
      if (input.decision === "SECOND_READ") await openSecondRead(tx, { flagId: flag.id, requestedById: actorId, reason: input.reason ?? "" });
      await recordAudit(tx, { actorId, action: "DECIDE", entityType: "Flag", entityId: flag.id, before: { status: "OPEN" }, after: review });
      return review;
    });
  } catch (error) {
    // The unique index on Review.flagId is the last line of defence against two simultaneous decisions.
    if (isUniqueViolation(error, INVARIANT_INDEXES.oneReviewPerFlag)) throw await alreadyDecided(db, input.flagId);
    throw error;
  }
}
