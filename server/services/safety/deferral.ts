/**
 * Whether a model's LIKELY_BENIGN flags may suggest deferring a biopsy here. Every model starts in SHADOW: it scores
 * every image and its flags are visible, but a deferral is suggested only after the model has met the local
 * acceptance criteria on this clinic's own biopsy results AND an admin has switched suggestions on. The safety
 * monitor (safety-events.ts) switches them off again (SUSPENDED) when the evidence no longer supports them.
 * Every change is audited and re-words the model's open flags at once, in the same transaction.
 */
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { recordAudit } from "../audit/record-audit";
import { DomainError } from "../domain-error";
import { recomputeLesionFlagInTransaction } from "../flags/recompute-flags";
import { computeLocalValidation, type LocalValidation } from "./local-validation";

type Tx = Prisma.TransactionClient;
export type DeferralStatus = "SHADOW" | "ENABLED" | "SUSPENDED";

/** Refused on purpose (criteria not met, wrong state): the message says why, in words an admin acts on. */
export class DeferralChangeRefusedError extends DomainError {
  override readonly name = "DeferralChangeRefusedError";
  constructor(message: string) {
    super("PRECONDITION_FAILED", message);
  }
}

async function setDeferralStatus(tx: Tx, options: { modelVersionId: string; status: DeferralStatus; actorId: string | null; reason: string; evidence?: LocalValidation }) {
  const before = await tx.modelVersion.findUniqueOrThrow({ where: { id: options.modelVersionId }, select: { version: true, deferralStatus: true } });
  const after = await tx.modelVersion.update({
    where: { id: options.modelVersionId },
    data: { deferralStatus: options.status, deferralChangedAt: new Date(), deferralReason: options.reason },
    select: { version: true, deferralStatus: true, deferralReason: true },
  });
  await recordAudit(tx, {
    actorId: options.actorId,
    action: "UPDATE",
    entityType: "ModelDeferral",
    entityId: options.modelVersionId,
    before,
    after: {
      ...after,
      evidence: options.evidence && {
        criteriaVersion: options.evidence.criteria.version,
        malignantLesions: options.evidence.malignantLesions,
        benignLesions: options.evidence.benignLesions,
        sensitivity: options.evidence.sensitivity,
        checks: options.evidence.checks,
      },
    },
  });
  // Open flags of this model take the new wording (and deferralSuggested) now, not at the next re-score.
  const open = await tx.flag.findMany({ where: { modelVersionId: options.modelVersionId, status: "OPEN", kind: "LIKELY_BENIGN" }, select: { lesionId: true } });
  for (const { lesionId } of open) await recomputeLesionFlagInTransaction(tx, lesionId);
  return after;
}

/** An admin switches deferral suggestions on: only when the local criteria hold at this moment. */
export async function enableDeferral(options: { db: Db; actorId: string; modelVersionId: string; reason: string }) {
  return options.db.$transaction(async (tx) => {
    const model = await tx.modelVersion.findUnique({ where: { id: options.modelVersionId }, select: { status: true, deferralStatus: true } });
    if (!model) throw new DeferralChangeRefusedError("No such model version.");
    if (model.status !== "ACTIVE") throw new DeferralChangeRefusedError("Only the active model's deferral suggestions can be switched on.");
    if (model.deferralStatus === "ENABLED") throw new DeferralChangeRefusedError("Deferral suggestions are already on for this model.");
    const evidence = await computeLocalValidation(tx, options.modelVersionId);
    if (!evidence.criteriaMet) {
      const failed = evidence.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
      throw new DeferralChangeRefusedError(`The local acceptance criteria are not met (${failed.join("; ")}).`);
    }
    return setDeferralStatus(tx, { modelVersionId: options.modelVersionId, status: "ENABLED", actorId: options.actorId, reason: options.reason, evidence });
  });
}

/** Back to no deferral suggestions: by an admin (actorId) or by the safety monitor (actorId null). */
export async function suspendDeferral(tx: Tx, options: { modelVersionId: string; actorId: string | null; reason: string }) {
  const model = await tx.modelVersion.findUniqueOrThrow({ where: { id: options.modelVersionId }, select: { deferralStatus: true } });
  if (model.deferralStatus !== "ENABLED") return null;
  return setDeferralStatus(tx, { modelVersionId: options.modelVersionId, status: "SUSPENDED", actorId: options.actorId, reason: options.reason });
}

/**
 * The safety rule, run whenever new evidence arrives for an ENABLED model (a malignant result on a lesion it called
 * likely benign, a new biopsy result): suspend when the criteria no longer hold. Returns whether it suspended.
 */
export async function applySafetyRule(tx: Tx, modelVersionId: string): Promise<boolean> {
  const model = await tx.modelVersion.findUnique({ where: { id: modelVersionId }, select: { deferralStatus: true } });
  if (model?.deferralStatus !== "ENABLED") return false;
  const evidence = await computeLocalValidation(tx, modelVersionId);
  if (evidence.criteriaMet) return false;
  const failed = evidence.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
  await suspendDeferral(tx, { modelVersionId, actorId: null, reason: `Suspended by the safety monitor: ${failed.join("; ")}.` });
  return true;
}
