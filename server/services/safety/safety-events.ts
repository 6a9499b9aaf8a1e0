/**
 * The live safety monitor's events: every malignant biopsy result on a lesion the model had flagged likely benign,
 * or that a reviewer had deferred, is a safety event. It is raised in the same transaction as the result, stays on
 * the dashboard and at the top of the queue until a clinician acknowledges it (with a note), and is never deleted.
 */
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { recordAudit } from "../audit/record-audit";
import { DomainError } from "../domain-error";
import { applySafetyRule } from "./deferral";

type Tx = Prisma.TransactionClient;

/** Called by recordBiopsyOutcome inside its transaction, before the lesion's flags are closed. */
export async function raiseSafetyEventForOutcome(tx: Tx, outcome: { id: string; lesionId: string; malignant: boolean }): Promise<{ raised: boolean; suspended: boolean }> {
  if (!outcome.malignant) return { raised: false, suspended: await rerunSafetyRule(tx) };
  const flags = await tx.flag.findMany({
    where: { lesionId: outcome.lesionId, status: { in: ["OPEN", "DECIDED"] } },
    orderBy: { createdAt: "desc" },
    select: { id: true, kind: true, modelVersionId: true, pMalignant: true, threshold: true, review: { select: { decision: true } } },
  });
  const deferred = flags.find((f) => f.review?.decision === "DEFER_MONITOR");
  const calledBenign = flags.find((f) => f.kind === "LIKELY_BENIGN");
  const flag = deferred ?? calledBenign;
  // No flag to attach an event to (no clinical assessment, or a REVIEW_REQUIRED lesion), but the miss is still evidence:
  // the model's local sensitivity may have fallen below the floor, so the rule runs now, not at the next benign result.
  if (!flag) return { raised: false, suspended: await rerunSafetyRule(tx) };
  const event = await tx.safetyEvent.create({
    data: {
      outcomeId: outcome.id,
      lesionId: outcome.lesionId,
      kind: deferred ? "DEFERRED" : "CALLED_LIKELY_BENIGN",
      flagId: flag.id,
      modelVersionId: flag.modelVersionId,
      pMalignant: flag.pMalignant,
      threshold: flag.threshold,
    },
    select: { id: true, kind: true, lesionId: true, modelVersionId: true, pMalignant: true, threshold: true },
  });
  await recordAudit(tx, { actorId: null, action: "CREATE", entityType: "SafetyEvent", entityId: event.id, after: event });
  const suspended = flag.modelVersionId === null ? false : await applySafetyRule(tx, flag.modelVersionId);
  return { raised: true, suspended };
}

/** A benign result is evidence too: the rule runs for the active model whenever a biopsied lesion's result arrives. */
export async function rerunSafetyRule(tx: Tx): Promise<boolean> {
  const active = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true } });
  return active ? applySafetyRule(tx, active.id) : false;
}

export async function listSafetyEvents(options: { db: Db; includeAcknowledged?: boolean; take?: number }) {
  return options.db.safetyEvent.findMany({
    where: options.includeAcknowledged ? {} : { acknowledgedAt: null },
    orderBy: { createdAt: "desc" },
    take: options.take ?? 50,
    select: {
      id: true,
      kind: true,
      createdAt: true,
      pMalignant: true,
      threshold: true,
      acknowledgedAt: true,
      acknowledgement: true,
      acknowledgedBy: { select: { name: true } },
      modelVersion: { select: { version: true } },
      outcome: { select: { histopathologyDiagnosis: true, reportDate: true, retractedAt: true, retractionReason: true } },
      lesion: { select: { id: true, label: true, bodySite: true, patient: { select: { mrn: true } } } },
    },
  });
}

export class SafetyEventNotFoundError extends DomainError {
  override readonly name = "SafetyEventNotFoundError";
  constructor(message: string) {
    super("NOT_FOUND", message);
  }
}

export async function acknowledgeSafetyEvent(options: { db: Db; actorId: string; safetyEventId: string; note: string }) {
  return options.db.$transaction(async (tx) => {
    const before = await tx.safetyEvent.findUnique({ where: { id: options.safetyEventId }, select: { id: true, acknowledgedAt: true } });
    if (!before) throw new SafetyEventNotFoundError("No such safety event.");
    if (before.acknowledgedAt !== null) return { id: before.id, alreadyAcknowledged: true };
    const after = await tx.safetyEvent.update({
      where: { id: options.safetyEventId },
      data: { acknowledgedAt: new Date(), acknowledgedById: options.actorId, acknowledgement: options.note },
      select: { id: true, acknowledgedAt: true, acknowledgement: true },
    });
    await recordAudit(tx, { actorId: options.actorId, action: "UPDATE", entityType: "SafetyEvent", entityId: after.id, before, after });
    return { id: after.id, alreadyAcknowledged: false };
  });
}
