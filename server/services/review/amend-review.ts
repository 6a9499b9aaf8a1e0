/**
 * Correcting a review decision: its author or an admin amends it (a new decision replaces it) or retracts it (the case
 * goes back to the queue), always with a reason, while the lesion waits for its biopsy result. Never edited in place
 * (Review.flagId stays one decision per flag): the old flag becomes SUPERSEDED with its decision marked retracted,
 * and an amended decision is recorded on a new flag with the same inputs. Once the result is in, the decision is part
 * of what the result is judged against (deferred malignancies, safety events) and can no longer be changed.
 */
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { recordAudit } from "../audit/record-audit";
import { type Actor, refuseUnlessAuthorOrAdmin } from "../clinical/amend-outcome";
import { DomainError } from "../domain-error";
import { createOpenFlag, lockLesion, recomputeLesionFlagInTransaction } from "../flags/recompute-flags";
import { openSecondRead } from "./record-review";
import type { AmendReviewInput, RetractReviewInput } from "./schemas";

export { amendReviewSchema, retractReviewSchema } from "./schemas";
import { refuseOwnSecondRead } from "./second-read";

type Tx = Prisma.TransactionClient;

const reviewAuditSelect = {
  id: true,
  flagId: true,
  reviewerId: true,
  decision: true,
  reason: true,
  note: true,
  followUpDate: true,
  createdAt: true,
  retractedAt: true,
  retractionReason: true,
  supersededById: true,
} as const satisfies Prisma.ReviewSelect;

/** The flag's inputs, as a new flag with the same ones needs them. */
const flagInputsSelect = {
  id: true,
  lesionId: true,
  status: true,
  kind: true,
  reason: true,
  deferralSuggested: true,
  biopsyPlanned: true,
  pMalignant: true,
  threshold: true,
  modelVersionId: true,
  predictionId: true,
  assessmentId: true,
  secondReadOfId: true,
  secondReadRequestedById: true,
} as const satisfies Prisma.FlagSelect;

async function currentReviewForCorrection(tx: Tx, actor: Actor, reviewId: string) {
  const found = await tx.review.findUnique({ where: { id: reviewId }, select: { flag: { select: { lesionId: true } } } });
  if (!found) throw new DomainError("NOT_FOUND", "No such decision.");
  await lockLesion(tx, found.flag.lesionId);
  const review = await tx.review.findUniqueOrThrow({ where: { id: reviewId }, select: { ...reviewAuditSelect, flag: { select: flagInputsSelect } } });
  if (review.retractedAt !== null) {
    throw new DomainError("CONFLICT", "This decision was already amended or retracted: correct the current one (reload to see it).");
  }
  if (review.flag.status === "CLOSED") {
    throw new DomainError("PRECONDITION_FAILED", "The biopsy result is in: this decision is part of the record it is judged against and can no longer be changed.");
  }
  refuseUnlessAuthorOrAdmin(actor, review.reviewerId, "decision");
  await refuseOwnSecondRead(tx, review.flagId, actor.id);
  // A second read that was asked for goes with the request: withdrawn while open, and a given one must be corrected
  // on its own flag first.
  if (review.decision === "SECOND_READ") {
    const secondReads = await tx.flag.findMany({ where: { secondReadOfId: review.flagId }, select: { id: true, status: true } });
    if (secondReads.some((flag) => flag.status === "DECIDED" || flag.status === "CLOSED")) {
      throw new DomainError("PRECONDITION_FAILED", "The second read was already given: amend or retract that decision first.");
    }
    await tx.flag.updateMany({ where: { secondReadOfId: review.flagId, status: "OPEN" }, data: { status: "SUPERSEDED", closedAt: new Date() } });
  }
  await tx.flag.update({ where: { id: review.flagId }, data: { status: "SUPERSEDED", closedAt: new Date() } });
  return review;
}

function copyOfFlag(flag: Prisma.FlagGetPayload<{ select: typeof flagInputsSelect }>): Prisma.FlagUncheckedCreateInput {
  const { id: _id, status: _status, ...inputs } = flag;
  return inputs;
}

export async function amendReview(options: { db: Db; actor: Actor; input: AmendReviewInput }) {
  const { db, actor, input } = options;
  return db.$transaction(async (tx) => {
    const before = await currentReviewForCorrection(tx, actor, input.reviewId);
    if (input.decision.flagId !== before.flagId) throw new DomainError("BAD_REQUEST", "The amended decision must be for the same flag.");
    const flag = await tx.flag.create({ data: { ...copyOfFlag(before.flag), status: "DECIDED" }, select: { id: true } });
    const replacement = await tx.review.create({
      data: {
        flagId: flag.id,
        reviewerId: actor.id,
        decision: input.decision.decision,
        reason: input.decision.reason,
        note: input.decision.note,
        followUpDate: input.decision.followUpDate ? new Date(`${input.decision.followUpDate}T00:00:00Z`) : null,
      },
      select: reviewAuditSelect,
    });
    const after = await tx.review.update({
      where: { id: before.id },
      data: { retractedAt: new Date(), retractedById: actor.id, retractionReason: input.reason, supersededById: replacement.id },
      select: reviewAuditSelect,
    });
    if (replacement.decision === "SECOND_READ") await openSecondRead(tx, { flagId: flag.id, requestedById: actor.id, reason: replacement.reason ?? "" });
    const { flag: _flag, ...beforeReview } = before;
    // No recomputation: the lesion's data did not change, and the amended decision answers the same inputs (recomputing
    // here would replace a requested second read whenever the policy would now raise another kind).
    await recordAudit(tx, { actorId: actor.id, action: "AMEND", entityType: "Review", entityId: before.id, before: beforeReview, after: { ...after, replacement } });
    return { id: replacement.id, flagId: flag.id, supersedes: before.id };
  });
}

export async function retractReview(options: { db: Db; actor: Actor; input: RetractReviewInput }) {
  const { db, actor, input } = options;
  return db.$transaction(async (tx) => {
    const before = await currentReviewForCorrection(tx, actor, input.reviewId);
    const after = await tx.review.update({
      where: { id: before.id },
      data: { retractedAt: new Date(), retractedById: actor.id, retractionReason: input.reason },
      select: reviewAuditSelect,
    });
    const { flag, ...beforeReview } = before;
    await recordAudit(tx, { actorId: actor.id, action: "RETRACT", entityType: "Review", entityId: before.id, before: beforeReview, after });
    // Undecided again: the same case goes back to the queue (unless newer data already opened a flag), then the flag
    // is recomputed from the lesion's data as for any other change.
    const open = await tx.flag.findFirst({ where: { lesionId: flag.lesionId, status: "OPEN" }, select: { id: true } });
    if (!open) await createOpenFlag(tx, copyOfFlag(flag));
    await recomputeLesionFlagInTransaction(tx, flag.lesionId);
    const reopened = await tx.flag.findFirst({ where: { lesionId: flag.lesionId, status: "OPEN" }, select: { id: true } });
    return { id: after.id, flagId: flag.id, reopenedFlagId: reopened?.id ?? null };
  });
}
