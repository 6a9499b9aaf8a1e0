/**
 * Four-eyes promotion. One admin requests the promotion of a candidate (the gates' verdict recorded with it, or an
 * override reason when they fail); a DIFFERENT admin approves or rejects it. Only the approval changes the active
 * model (registry.ts activateModelVersion, which also queues the re-scoring in the same transaction). The requester
 * can never approve their own request: refused here, whatever the page shows. A request is void when the active
 * model changed since it was made or the candidate's gates no longer hold; every step is audited. Roll back stays
 * one action by one admin (registry.ts): it is the safety escape hatch.
 */
import { DomainError } from "../domain-error";
import { can } from "../../auth/roles";
import type { Db } from "../../db/client";
import { INVARIANT_INDEXES, isUniqueViolation } from "../../db/unique-violation";
import type { Prisma } from "../../db/generated/client";
import type { JobSender } from "../../jobs/enqueue-in-transaction";
import { recordAudit } from "../audit/record-audit";
import { gatesStillHold, readGateResults, type GateResults } from "./promotion-gates";
import { activateModelVersion, lockRegistryRows } from "./registry";

type Tx = Prisma.TransactionClient;

/** The actor must be an active user whose role may manage models (server/auth/roles.ts), checked where the change is made. */
async function requireModelManager(tx: Tx, actorId: string, doing: string): Promise<{ name: string }> {
  const user = await tx.user.findUnique({ where: { id: actorId }, select: { name: true, role: true, active: true } });
  if (!user || !user.active || !can(user.role, "models:manage")) {
    throw new DomainError("FORBIDDEN", `Only an active admin may ${doing}.`);
  }
  return user;
}

export async function requestPromotion(options: { db: Db; actorId: string; modelVersionId: string; overrideReason?: string | null }) {
  const { db, actorId, modelVersionId } = options;
  const overrideReason = options.overrideReason?.trim() || null;
  return db.$transaction(async (tx) => {
    await requireModelManager(tx, actorId, "request a promotion");
    await lockRegistryRows(tx, modelVersionId);
    const candidate = await tx.modelVersion.findUnique({ where: { id: modelVersionId }, select: { id: true, version: true, status: true, gateResults: true } });
    if (!candidate) throw new DomainError("NOT_FOUND", "No such model version.");
    if (candidate.status === "ACTIVE") throw new DomainError("CONFLICT", `${candidate.version} is already active.`);
    const active = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true } });
    const gates = readGateResults(candidate.gateResults);
    const verdict = gatesStillHold(gates, active?.version ?? null);
    if (!verdict.passed && !overrideReason) {
      throw new DomainError("PRECONDITION_FAILED", `${candidate.version} cannot be promoted: ${verdict.reason}; requesting it anyway needs an override reason.`);
    }
    const pending = await tx.promotionRequest.findFirst({
      where: { modelVersionId, status: "PENDING" },
      select: { requestedBy: { select: { name: true } } },
    });
    if (pending) {
      throw new DomainError("CONFLICT", `${candidate.version} already has a pending promotion request (by ${pending.requestedBy.name}).`);
    }
    const request = await tx.promotionRequest
      .create({
        data: {
          modelVersionId,
          requestedById: actorId,
          activeVersionAtRequest: active?.version ?? null,
          gatesPassed: verdict.passed,
          gateVerdict: verdict.passed ? "passed the promotion gates" : (verdict.reason ?? "did not pass the promotion gates"),
          // An override reason given while the gates pass is not an override: not recorded as one.
          overrideReason: verdict.passed ? null : overrideReason,
        },
        select: { id: true, status: true },
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, INVARIANT_INDEXES.onePendingPromotionPerModel)) {
          throw new DomainError("CONFLICT", `${candidate.version} already has a pending promotion request (made at the same moment).`, { cause: error });
        }
        throw error;
      });
    await recordAudit(tx, {
      actorId,
      action: "REQUEST_PROMOTION",
      entityType: "PromotionRequest",
      entityId: request.id,
      after: {
        candidate: candidate.version,
        active: active?.version ?? null,
        gatesPassed: verdict.passed,
        gateVerdict: verdict.reason,
        overrideReason: verdict.passed ? null : overrideReason,
        gates,
      },
    });
    return { id: request.id, status: request.status, version: candidate.version };
  });
}

/** Why a pending request can no longer be approved as it stands, or null. */
function voidReason(
  request: { gatesPassed: boolean; activeVersionAtRequest: string | null },
  gates: GateResults | null,
  activeVersion: string | null,
): string | null {
  if (request.activeVersionAtRequest !== activeVersion) {
    return `the active model changed since the request (${request.activeVersionAtRequest ?? "none"} -> ${activeVersion ?? "none"})`;
  }
  if (request.gatesPassed) {
    const verdict = gatesStillHold(gates, activeVersion);
    if (!verdict.passed) return `its promotion gates no longer hold (${verdict.reason})`;
  }
  return null;
}

type ApproveOutcome =
  | { kind: "approved"; promoted: { id: string; version: string; status: string; threshold: number } }
  | { kind: "void"; reason: string };

/**
 * A second admin approves: the candidate becomes active, the re-scoring is queued, all in one transaction. A request
 * found void is marked so (committed) and the approval is refused with the reason.
 */
export async function approvePromotion(options: { db: Db; boss: JobSender; actorId: string; promotionRequestId: string }) {
  const { db, actorId, promotionRequestId } = options;
  const outcome = await db.$transaction(async (tx): Promise<ApproveOutcome> => {
    const approver = await requireModelManager(tx, actorId, "approve a promotion");
    const target = await tx.promotionRequest.findUnique({ where: { id: promotionRequestId }, select: { modelVersionId: true } });
    if (!target) throw new DomainError("NOT_FOUND", "No such promotion request.");
    await lockRegistryRows(tx, target.modelVersionId);
    await tx.$queryRaw`SELECT id FROM "PromotionRequest" WHERE id = ${promotionRequestId} FOR UPDATE`;
    const request = await tx.promotionRequest.findUniqueOrThrow({
      where: { id: promotionRequestId },
      include: {
        modelVersion: { select: { id: true, version: true, status: true, gateResults: true } },
        requestedBy: { select: { name: true } },
      },
    });
    if (request.status !== "PENDING") {
      throw new DomainError("CONFLICT", `This promotion request is no longer pending (${request.status.toLowerCase()}).`);
    }
    if (request.requestedById === actorId) {
      throw new DomainError("FORBIDDEN", "You requested this promotion: a different admin must approve it (four-eyes).");
    }
    const active = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true } });
    const gates = readGateResults(request.modelVersion.gateResults);
    const reason = request.modelVersion.status === "ACTIVE" ? "the model is already active" : voidReason(request, gates, active?.version ?? null);
    if (reason) {
      await tx.promotionRequest.update({ where: { id: request.id }, data: { status: "VOID", decidedAt: new Date(), decisionReason: reason } });
      await recordAudit(tx, { actorId, action: "UPDATE", entityType: "PromotionRequest", entityId: request.id, before: { status: "PENDING" }, after: { status: "VOID", reason } });
      return { kind: "void", reason };
    }
    const how = request.gatesPassed ? "passed the promotion gates" : `override: ${request.overrideReason ?? ""}`;
    // The approval, then the activation it causes (audited in that order, in one transaction).
    await recordAudit(tx, { actorId, action: "APPROVE", entityType: "PromotionRequest", entityId: request.id, before: { status: "PENDING" }, after: { status: "APPROVED" } });
    const { activated } = await activateModelVersion(tx, {
      modelVersionId: request.modelVersion.id,
      actorId,
      promotionReason: `${how}; requested by ${request.requestedBy.name}, approved by ${approver.name}`,
      boss: options.boss,
      audit: {
        action: "PROMOTE",
        after: {
          override: !request.gatesPassed,
          reason: request.overrideReason,
          gates,
          promotionRequestId: request.id,
          requestedById: request.requestedById,
          approvedById: actorId,
        },
      },
    });
    // activateModelVersion voided every pending request, this one included: it is the approved one.
    await tx.promotionRequest.update({ where: { id: request.id }, data: { status: "APPROVED", decidedById: actorId, decidedAt: new Date(), decisionReason: null } });
    return { kind: "approved", promoted: activated };
  });
  if (outcome.kind === "void") {
    throw new DomainError("PRECONDITION_FAILED", `This promotion request is void: ${outcome.reason}. Request the promotion again.`);
  }
  return outcome.promoted;
}

/** Rejects a pending request with a reason; its requester may withdraw it the same way. The active model is untouched. */
export async function rejectPromotion(options: { db: Db; actorId: string; promotionRequestId: string; reason: string }) {
  const { db, actorId, promotionRequestId } = options;
  const reason = options.reason.trim();
  if (!reason) throw new DomainError("BAD_REQUEST", "Say why the promotion is rejected.");
  return db.$transaction(async (tx) => {
    await requireModelManager(tx, actorId, "reject a promotion");
    await tx.$queryRaw`SELECT id FROM "PromotionRequest" WHERE id = ${promotionRequestId} FOR UPDATE`;
    const request = await tx.promotionRequest.findUnique({ where: { id: promotionRequestId }, select: { id: true, status: true, requestedById: true } });
    if (!request) throw new DomainError("NOT_FOUND", "No such promotion request.");
    if (request.status !== "PENDING") {
      throw new DomainError("CONFLICT", `This promotion request is no longer pending (${request.status.toLowerCase()}).`);
    }
    const withdrawn = request.requestedById === actorId;
    const updated = await tx.promotionRequest.update({
      where: { id: request.id },
      data: { status: "REJECTED", decidedById: actorId, decidedAt: new Date(), decisionReason: withdrawn ? `withdrawn: ${reason}` : reason },
      select: { id: true, status: true },
    });
    await recordAudit(tx, { actorId, action: "REJECT", entityType: "PromotionRequest", entityId: request.id, before: { status: "PENDING" }, after: { status: "REJECTED", reason, withdrawn } });
    return updated;
  });
}

/** Pending requests first (oldest first), then the most recent decisions. */
export async function listPromotionRequests(options: { db: Db; recent?: number }) {
  const select = {
    id: true,
    status: true,
    requestedAt: true,
    requestedById: true,
    activeVersionAtRequest: true,
    gatesPassed: true,
    gateVerdict: true,
    overrideReason: true,
    decidedAt: true,
    decisionReason: true,
    modelVersion: { select: { id: true, version: true } },
    requestedBy: { select: { name: true, email: true } },
    decidedBy: { select: { name: true, email: true } },
  } as const;
  const [pending, decided] = await Promise.all([
    options.db.promotionRequest.findMany({ where: { status: "PENDING" }, orderBy: { requestedAt: "asc" }, select }),
    options.db.promotionRequest.findMany({ where: { status: { not: "PENDING" } }, orderBy: { requestedAt: "desc" }, take: options.recent ?? 10, select }),
  ]);
  return { pending, decided };
}
