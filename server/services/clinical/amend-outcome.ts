/**
 * Correcting a biopsy result: its author or an admin amends it (a new result replaces it) or retracts it (it no
 * longer counts), always with a reason. Never edited in place: the old result stays, marked, on the lesion's record
 * and in the audit log; a safety event it raised stays too (never deleted, still to be acknowledged). Only current
 * results count anywhere (current-records.ts), so the lesion's flags are reopened and recomputed when its last
 * current result goes, the safety rule re-runs on the changed evidence, and an amended result is recorded through the
 * same path as a new one (recordBiopsyOutcomeInTransaction: safety event, closing the flags).
 */
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import type { Role } from "../../auth/roles";
import { recordAudit } from "../audit/record-audit";
import { DomainError } from "../domain-error";
import { lockLesion, reopenFlagsAfterRetractedOutcome } from "../flags/recompute-flags";
import { rerunSafetyRule } from "../safety/safety-events";
import { recordBiopsyOutcomeInTransaction } from "./lesions";
import type { AmendOutcomeInput, RetractOutcomeInput } from "./correction-schemas";

export { amendOutcomeSchema, retractOutcomeSchema } from "./correction-schemas";

export interface Actor {
  id: string;
  role: Role;
}

type Tx = Prisma.TransactionClient;

const outcomeAuditSelect = {
  id: true,
  lesionId: true,
  histopathologyDiagnosis: true,
  malignant: true,
  reportDate: true,
  confirmation: true,
  recordedById: true,
  retractedAt: true,
  retractionReason: true,
  supersededById: true,
} as const satisfies Prisma.BiopsyOutcomeSelect;

/** Only the author of a record, or an admin, may correct it. */
export function refuseUnlessAuthorOrAdmin(actor: Actor, authorId: string | null, what: string): void {
  if (actor.role === "ADMIN" || (authorId !== null && authorId === actor.id)) return;
  throw new DomainError("FORBIDDEN", `Only the clinician who recorded this ${what}, or an admin, can amend or retract it.`);
}

/** Locks the result's lesion, then checks that the result is current and the actor may correct it. */
async function currentOutcomeForCorrection(tx: Tx, actor: Actor, outcomeId: string) {
  const found = await tx.biopsyOutcome.findUnique({ where: { id: outcomeId }, select: { lesionId: true } });
  if (!found) throw new DomainError("NOT_FOUND", "No such biopsy result.");
  await lockLesion(tx, found.lesionId);
  const outcome = await tx.biopsyOutcome.findUniqueOrThrow({ where: { id: outcomeId }, select: outcomeAuditSelect });
  if (outcome.retractedAt !== null) {
    throw new DomainError("CONFLICT", "This result was already amended or retracted: correct the current one (reload to see it).");
  }
  refuseUnlessAuthorOrAdmin(actor, outcome.recordedById, "result");
  return outcome;
}

async function markRetracted(tx: Tx, actor: Actor, outcomeId: string, reason: string) {
  return tx.biopsyOutcome.update({
    where: { id: outcomeId },
    data: { retractedAt: new Date(), retractedById: actor.id, retractionReason: reason },
    select: outcomeAuditSelect,
  });
}

export async function retractBiopsyOutcome(options: { db: Db; actor: Actor; input: RetractOutcomeInput }) {
  const { db, actor, input } = options;
  return db.$transaction(async (tx) => {
    const before = await currentOutcomeForCorrection(tx, actor, input.outcomeId);
    const after = await markRetracted(tx, actor, before.id, input.reason);
    await recordAudit(tx, { actorId: actor.id, action: "RETRACT", entityType: "BiopsyOutcome", entityId: before.id, before, after });
    // Without a current result the lesion's loop is open again: its flags reopen and are recomputed.
    await reopenFlagsAfterRetractedOutcome(tx, before.lesionId);
    // The local evidence changed: the safety rule judges it again (it can suspend deferral, never re-enable it).
    await rerunSafetyRule(tx);
    return { id: after.id, lesionId: after.lesionId, retractedAt: after.retractedAt! };
  });
}

export async function amendBiopsyOutcome(options: { db: Db; actor: Actor; input: AmendOutcomeInput }) {
  const { db, actor, input } = options;
  return db.$transaction(async (tx) => {
    const before = await currentOutcomeForCorrection(tx, actor, input.outcomeId);
    await markRetracted(tx, actor, before.id, input.reason);
    // Reopened first, so that the corrected result is judged as if it had come first: a malignancy on a deferred or
    // likely-benign lesion raises its safety event even when the mistyped result was benign.
    await reopenFlagsAfterRetractedOutcome(tx, before.lesionId);
    const replacement = await recordBiopsyOutcomeInTransaction(tx, { actorId: actor.id, lesionId: before.lesionId, input: input.outcome });
    const after = await tx.biopsyOutcome.update({ where: { id: before.id }, data: { supersededById: replacement.id }, select: outcomeAuditSelect });
    await recordAudit(tx, { actorId: actor.id, action: "AMEND", entityType: "BiopsyOutcome", entityId: before.id, before, after: { ...after, replacement } });
    return { id: replacement.id, lesionId: replacement.lesionId, supersedes: before.id };
  });
}
