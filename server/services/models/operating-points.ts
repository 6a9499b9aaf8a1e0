/**
 * Operating points: the threshold a model version uses at this deployment, as a history of versions. Version 1 is
 * the threshold chosen on the model's validation data (written at registration). An admin may adopt the local
 * threshold proposal (local validation: the threshold reaching the target sensitivity on this clinic's own
 * biopsy-confirmed lesions) as a new version, and revert to the validation threshold as another new version; no
 * version is ever edited or deleted (a trigger enforces it). The latest version is in force
 * (operating-point-in-force.ts). Each change is audited, re-checks the safety rule at the new threshold, and queues
 * the re-scoring job that recomputes open flags, all in one transaction.
 */
import { DomainError } from "../domain-error";
import { can } from "../../auth/roles";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { enqueueScoreSweepInTransaction, type JobSender } from "../../jobs/enqueue-in-transaction";
import { recordAudit } from "../audit/record-audit";
import { applySafetyRule } from "../safety/deferral";
import { computeLocalValidation } from "../safety/local-validation";
import { localThresholdEvidence } from "./schemas";
import { operatingPointInForce, type OperatingPointInForce, type OperatingPointSource } from "./operating-point-in-force";

type Tx = Prisma.TransactionClient;

/** Two thresholds closer than this are the same operating point (the page shows four decimals). */
const SAME_THRESHOLD = 1e-9;

const pointSelect = {
  id: true,
  version: true,
  threshold: true,
  source: true,
  targetSensitivity: true,
  reason: true,
  evidence: true,
  adoptedAt: true,
  adoptedBy: { select: { name: true } },
} as const;

/** A model's operating points, newest first; the first one is in force. */
export async function listOperatingPoints(options: { db: Db; modelVersionId: string }) {
  const model = await options.db.modelVersion.findUnique({
    where: { id: options.modelVersionId },
    select: { threshold: true, targetSensitivity: true, createdAt: true, operatingPoints: { orderBy: { version: "desc" }, select: pointSelect } },
  });
  if (!model) throw new DomainError("NOT_FOUND", "No such model version.");
  if (model.operatingPoints.length > 0) {
    return model.operatingPoints.map((point) => ({ ...point, evidence: localThresholdEvidence.nullable().parse(point.evidence) }));
  }
  // A registry row written without operating points: its validation threshold is version 1.
  return [
    {
      id: null,
      version: 1,
      threshold: model.threshold,
      source: "VALIDATION" as const,
      targetSensitivity: model.targetSensitivity,
      reason: "the threshold chosen on the model's validation data",
      evidence: null,
      adoptedAt: model.createdAt,
      adoptedBy: null,
    },
  ];
}

async function lockActiveModel(tx: Tx, actorId: string, modelVersionId: string) {
  const user = await tx.user.findUnique({ where: { id: actorId }, select: { role: true, active: true } });
  if (!user || !user.active || !can(user.role, "models:manage")) {
    throw new DomainError("FORBIDDEN", "Only an active admin may change the operating point.");
  }
  // Serialises operating point changes with each other and with promotions (registry.ts locks the same rows).
  await tx.$queryRaw`SELECT id FROM "ModelVersion" WHERE id = ${modelVersionId} FOR UPDATE`;
  const model = await tx.modelVersion.findUnique({
    where: { id: modelVersionId },
    select: { id: true, version: true, status: true, threshold: true, targetSensitivity: true, createdAt: true },
  });
  if (!model) throw new DomainError("NOT_FOUND", "No such model version.");
  if (model.status !== "ACTIVE") {
    throw new DomainError("PRECONDITION_FAILED", `${model.version} is not the active model: only the active model's operating point can be changed.`);
  }
  return model;
}

async function addOperatingPoint(
  tx: Tx,
  options: {
    boss: JobSender;
    actorId: string;
    model: { id: string; version: string; threshold: number; targetSensitivity: number; createdAt: Date };
    current: OperatingPointInForce;
    threshold: number;
    source: OperatingPointSource;
    targetSensitivity: number;
    reason: string;
    evidence: Prisma.InputJsonValue | undefined;
  },
) {
  const { model, current } = options;
  if (current.id === null) {
    // Keep the history whole: the implicit version 1 becomes a row before version 2 is written.
    await tx.operatingPoint.create({
      data: {
        modelVersionId: model.id,
        version: 1,
        threshold: model.threshold,
        source: "VALIDATION",
        targetSensitivity: model.targetSensitivity,
        reason: "the threshold chosen on the model's validation data",
        adoptedAt: model.createdAt,
      },
    });
  }
  const created = await tx.operatingPoint.create({
    data: {
      modelVersionId: model.id,
      version: current.version + 1,
      threshold: options.threshold,
      source: options.source,
      targetSensitivity: options.targetSensitivity,
      reason: options.reason,
      evidence: options.evidence,
      adoptedById: options.actorId,
    },
    select: { id: true, version: true, threshold: true, source: true },
  });
  await recordAudit(tx, {
    actorId: options.actorId,
    action: "ADOPT",
    entityType: "OperatingPoint",
    entityId: created.id,
    before: { model: model.version, version: current.version, threshold: current.threshold, source: current.source },
    after: { model: model.version, version: created.version, threshold: created.threshold, source: created.source, reason: options.reason, evidence: options.evidence },
  });
  // Deferral suggestions hold only while the local criteria hold at the threshold in force: re-checked now.
  const deferralSuspended = await applySafetyRule(tx, model.id);
  // Open flags follow the new threshold: recomputed by the sweep, queued in this transaction.
  await enqueueScoreSweepInTransaction(tx, options.boss);
  return { ...created, deferralSuspended };
}

/**
 * Adopts the local threshold proposal as a new operating point. `expectedThreshold` is the proposal the admin saw:
 * if new results have moved it since, nothing is adopted and the admin reviews the new one.
 */
export async function adoptLocalThreshold(options: { db: Db; boss: JobSender; actorId: string; modelVersionId: string; expectedThreshold: number; reason: string }) {
  const reason = options.reason.trim();
  if (!reason) throw new DomainError("BAD_REQUEST", "Say why the local threshold is adopted.");
  return options.db.$transaction(async (tx) => {
    const model = await lockActiveModel(tx, options.actorId, options.modelVersionId);
    const current = await operatingPointInForce(tx, model.id);
    const local = await computeLocalValidation(tx, model.id);
    const proposal = local.proposedThreshold;
    if (!proposal) {
      throw new DomainError("PRECONDITION_FAILED", "There is no local threshold proposal yet: it needs biopsy-confirmed malignant lesions scored before their result.");
    }
    const { criteria } = local;
    if (local.malignantLesions < criteria.minMalignantLesions || local.benignLesions < criteria.minBenignLesions) {
      throw new DomainError(
        "PRECONDITION_FAILED",
        `Too few local lesions to adopt a local threshold: ${local.malignantLesions} malignant (at least ${criteria.minMalignantLesions}) ` +
          `and ${local.benignLesions} benign (at least ${criteria.minBenignLesions}), as the acceptance criteria (version ${criteria.version}) require.`,
      );
    }
    if (Math.abs(proposal.value - options.expectedThreshold) > SAME_THRESHOLD) {
      throw new DomainError("CONFLICT", `The local proposal changed since the page was loaded (now ${proposal.value.toFixed(4)}): review it and adopt again.`);
    }
    if (Math.abs(proposal.value - current.threshold) <= SAME_THRESHOLD) {
      throw new DomainError("CONFLICT", `The threshold ${proposal.value.toFixed(4)} is already in force (operating point version ${current.version}).`);
    }
    return addOperatingPoint(tx, {
      boss: options.boss,
      actorId: options.actorId,
      model,
      current,
      threshold: proposal.value,
      source: "LOCAL",
      targetSensitivity: criteria.targetSensitivity,
      reason,
      evidence: {
        criteriaVersion: criteria.version,
        malignantLesions: local.malignantLesions,
        benignLesions: local.benignLesions,
        scoredAfterOutcomeLeftOut: local.scoredAfterOutcome,
        sensitivity: { ...proposal.sensitivity },
        specificity: { ...proposal.specificity },
      },
    });
  });
}

/** Goes back to the validation threshold: another new version, never an edit of the history. */
export async function revertToValidationThreshold(options: { db: Db; boss: JobSender; actorId: string; modelVersionId: string; reason: string }) {
  const reason = options.reason.trim();
  if (!reason) throw new DomainError("BAD_REQUEST", "Say why the operating point is reverted.");
  return options.db.$transaction(async (tx) => {
    const model = await lockActiveModel(tx, options.actorId, options.modelVersionId);
    const current = await operatingPointInForce(tx, model.id);
    if (current.source === "VALIDATION" && Math.abs(current.threshold - model.threshold) <= SAME_THRESHOLD) {
      throw new DomainError("CONFLICT", `The validation threshold is already in force (operating point version ${current.version}).`);
    }
    return addOperatingPoint(tx, {
      boss: options.boss,
      actorId: options.actorId,
      model,
      current,
      threshold: model.threshold,
      source: "VALIDATION",
      targetSensitivity: model.targetSensitivity,
      reason,
      evidence: undefined,
    });
  });
}
