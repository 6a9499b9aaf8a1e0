/**
 * The model registry: every trained version with its metrics, model card, threshold and gate results; the one place
 * the active model changes (a second admin's approval of a promotion request, see promotion-requests.ts; roll back in
 * one action; the system bootstrap). Every change is audited and queues the re-scoring of open cases in its own
 * transaction.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { DomainError } from "../domain-error";
import { MODEL_CARD_MD, readModelDirectory } from "@/ml/store";
import type { EvaluationReport } from "@/ml/pipeline";
import { z } from "zod";
import type { Db } from "../../db/client";
import { INVARIANT_INDEXES, isUniqueViolation } from "../../db/unique-violation";
import type { Prisma } from "../../db/generated/client";
import { enqueueScoreSweepInTransaction, type JobSender } from "../../jobs/enqueue-in-transaction";
import { recordAudit } from "../audit/record-audit";
import type { ModelVersionListItem } from "./schemas";
import { gatesStillHold, readGateResults, type GateResults } from "./promotion-gates";

const figure = z.number().nullable();

/** ModelVersion.metrics.headline: the figures the registry table and the gates show, written at registration. */
export const headlineMetricsSchema = z.object({
  testCases: z.number().int(),
  testAuc: figure,
  testSensitivity: figure,
  testSpecificity: figure,
  testAccuracy: figure,
  testMacroAuc: figure,
  histoAuc: figure,
  avoidableBiopsyRate: figure,
  ece: figure,
});
export type HeadlineMetrics = z.infer<typeof headlineMetricsSchema>;

/** The headline figures of a stored evaluation report, for the registry table and the gates. */
export function headlineMetrics(report: EvaluationReport): HeadlineMetrics {
  const test = report.test;
  return {
    testCases: test.n,
    testAuc: test.binary.auc,
    testSensitivity: test.binary.metrics.sensitivity.estimate,
    testSpecificity: test.binary.metrics.specificity.estimate,
    testAccuracy: test.multiclass?.accuracy ?? null,
    testMacroAuc: test.multiclass?.macroAuc ?? null,
    histoAuc: report.histoTest?.binary.auc ?? null,
    avoidableBiopsyRate: report.histoTest?.biopsy?.perLesion.avoidableRate?.estimate ?? null,
    ece: test.binary.ece,
  };
}

export async function registerModelVersion(options: {
  /** The client or a transaction (a training run registers its model and finishes in one). */
  db: Pick<Db, "modelVersion">;
  modelDir: string;
  gateResults: GateResults;
  trainingRunId?: string | null;
}) {
  const verified = readModelDirectory(options.modelDir);
  const report = verified.metrics as EvaluationReport;
  if (typeof report !== "object" || report === null || !("test" in report) || report.test?.binary === undefined) {
    throw new DomainError("BAD_REQUEST", `${verified.version} has no evaluation report: evaluate it before registering.`);
  }
  const { metadata } = verified;
  const data = {
    version: verified.version,
    status: "CANDIDATE" as const,
    architecture: String(metadata.architecture.name ?? "cnn"),
    inputSize: verified.preprocessing.inputSize,
    threshold: metadata.operatingPoint.threshold,
    targetSensitivity: metadata.operatingPoint.targetSensitivity,
    metrics: { headline: headlineMetrics(report), report } as unknown as Prisma.InputJsonValue,
    gateResults: options.gateResults as unknown as Prisma.InputJsonValue,
    // Verified against the manifest by readModelDirectory above.
    modelCardMarkdown: readFileSync(path.join(verified.dir, MODEL_CARD_MD), "utf8"),
    storagePath: verified.dir,
    sha256: verified.manifestSha256,
    trainingDataHash: metadata.data.trainingHash,
    codeVersion: metadata.code.gitCommit ?? metadata.code.packageVersion,
    trainingRunId: options.trainingRunId ?? null,
    // Operating point version 1: the threshold chosen on the model's validation data (operating-points.ts adds more).
    operatingPoints: {
      create: {
        version: 1,
        threshold: metadata.operatingPoint.threshold,
        source: "VALIDATION" as const,
        targetSensitivity: metadata.operatingPoint.targetSensitivity,
        reason: "the threshold chosen on the model's validation data",
      },
    },
  };
  return options.db.modelVersion.upsert({
    where: { version: verified.version },
    // Registering the same directory again changes nothing (a model version is immutable).
    update: {},
    create: data,
    select: { id: true, version: true, status: true, threshold: true },
  });
}

type Tx = Prisma.TransactionClient;

/**
 * The active model changes here and only here (a second admin's approval, roll back, the system bootstrap): the
 * previous one retires, pending promotion requests become void (their gates compared with a model that is no longer
 * active), and the re-scoring of open cases is queued in the same transaction, so an enqueue failure leaves the
 * old model active and a rolled-back change leaves no job.
 */
export async function activateModelVersion(
  tx: Tx,
  options: {
    modelVersionId: string;
    actorId: string | null;
    promotionReason: string;
    boss: JobSender | null;
    /** The audit entry of the change, recorded here so that no path activates a model unaudited. */
    audit: { action: "PROMOTE" | "ROLLBACK"; after: Record<string, unknown> };
  },
) {
  const previous = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true, version: true } });
  if (previous) await tx.modelVersion.update({ where: { id: previous.id }, data: { status: "RETIRED" } });
  const activated = await tx.modelVersion
    .update({
      where: { id: options.modelVersionId },
      data: { status: "ACTIVE", promotedAt: new Date(), promotedById: options.actorId, promotionReason: options.promotionReason },
      select: { id: true, version: true, status: true, threshold: true },
    })
    .catch((error: unknown) => {
      // With no active model there is no common row to lock: a second activation at the same moment lands here.
      if (isUniqueViolation(error, INVARIANT_INDEXES.oneActiveModel)) {
        throw new DomainError("CONFLICT", "Another model version was made active at the same moment: nothing was changed. Reload and try again.", { cause: error });
      }
      throw error;
    });
  const voided = await tx.promotionRequest.updateMany({
    where: { status: "PENDING" },
    data: {
      status: "VOID",
      decidedAt: new Date(),
      decisionReason: `the active model changed (${previous?.version ?? "none"} -> ${activated.version}): request it again`,
    },
  });
  if (options.boss) await enqueueScoreSweepInTransaction(tx, options.boss);
  await recordAudit(tx, {
    actorId: options.actorId,
    action: options.audit.action,
    entityType: "ModelVersion",
    entityId: activated.id,
    before: { active: previous?.version ?? null },
    after: { active: activated.version, ...options.audit.after },
  });
  return { previous, activated, voidedRequests: voided.count };
}

/**
 * The system path, with no second person: the CLI's bootstrap (`models:register --promote`, refused there once a
 * model is active), the demo seed and tests. People promote through promotion-requests.ts (four-eyes); no API route
 * calls this. With `boss`, open cases are re-scored (queued in the same transaction).
 */
export async function promoteModelVersion(options: {
  db: Db;
  actorId: string | null;
  modelVersionId: string;
  overrideReason?: string | null;
  boss?: JobSender;
}) {
  const { db, actorId, modelVersionId } = options;
  const overrideReason = options.overrideReason?.trim() || null;
  return db.$transaction(async (tx) => {
    // One promotion at a time: lock every registry row we read.
    await lockRegistryRows(tx, modelVersionId);
    const candidate = await tx.modelVersion.findUnique({ where: { id: modelVersionId } });
    if (!candidate) throw new DomainError("NOT_FOUND", "No such model version.");
    if (candidate.status === "ACTIVE") throw new DomainError("CONFLICT", `${candidate.version} is already active.`);
    const gates = readGateResults(candidate.gateResults);
    const current = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true } });
    const verdict = gatesStillHold(gates, current?.version ?? null);
    if (!verdict.passed && !overrideReason) {
      throw new DomainError("PRECONDITION_FAILED", `${candidate.version} cannot be promoted: ${verdict.reason}; an admin override needs a reason.`);
    }
    const { activated } = await activateModelVersion(tx, {
      modelVersionId: candidate.id,
      actorId,
      promotionReason: overrideReason ?? "passed the promotion gates",
      boss: options.boss ?? null,
      audit: { action: "PROMOTE", after: { override: overrideReason !== null, reason: overrideReason, gates, path: "system" } },
    });
    return activated;
  });
}

/**
 * Promotions, approvals and roll backs run one at a time. Row locks alone did not order two of them when no model was
 * active (each locked only its own candidate, and both became ACTIVE), so a transaction-scoped advisory lock orders
 * them first; the ModelVersion_one_active index is the guarantee behind it.
 */
async function lockRegistryChanges(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(727274001)`;
}

/** Takes the registry's change lock, then locks the active version's row and the given one. */
export async function lockRegistryRows(tx: Tx, modelVersionId: string): Promise<void> {
  await lockRegistryChanges(tx);
  await tx.$queryRaw`SELECT id FROM "ModelVersion" WHERE status = 'ACTIVE' OR id = ${modelVersionId} FOR UPDATE`;
}

/**
 * Makes the most recently retired version active again, in one action by one admin: roll back is the safety escape
 * hatch and must not wait for a second person. Open cases are re-scored (queued in the same transaction).
 */
export async function rollBackModel(options: { db: Db; boss: JobSender; actorId: string | null; reason: string }) {
  const { db, actorId } = options;
  return db.$transaction(async (tx) => {
    await lockRegistryChanges(tx);
    await tx.$queryRaw`SELECT id FROM "ModelVersion" WHERE status IN ('ACTIVE', 'RETIRED') FOR UPDATE`;
    const restore = await tx.modelVersion.findFirst({
      where: { status: "RETIRED", promotedAt: { not: null } },
      orderBy: { promotedAt: "desc" },
      select: { id: true, version: true },
    });
    if (!restore) throw new DomainError("PRECONDITION_FAILED", "There is no earlier model to roll back to.");
    const { activated } = await activateModelVersion(tx, {
      modelVersionId: restore.id,
      actorId,
      promotionReason: `roll back: ${options.reason}`,
      boss: options.boss,
      audit: { action: "ROLLBACK", after: { reason: options.reason } },
    });
    return activated;
  });
}

/**
 * The registry table's rows: only what the Models page shows. The stored evaluation report (about 200 KB a version)
 * stays in the database: only its headline is read, by a JSON path in SQL, and parsed here.
 */
export async function listModelVersions(options: { db: Db }): Promise<ModelVersionListItem[]> {
  const { db } = options;
  const [versions, headlines] = await Promise.all([
    db.modelVersion.findMany({
      orderBy: { createdAt: "desc" },
      select: {
        id: true,
        version: true,
        status: true,
        architecture: true,
        inputSize: true,
        threshold: true,
        targetSensitivity: true,
        gateResults: true,
        promotedAt: true,
        promotionReason: true,
        promotedBy: { select: { name: true } },
        // The operating point in force (operating-point-in-force.ts): the threshold this deployment uses.
        operatingPoints: { orderBy: { version: "desc" }, take: 1, select: { version: true, threshold: true, source: true } },
        _count: { select: { predictions: true } },
      },
    }),
    db.$queryRaw<{ id: string; headline: unknown }[]>`SELECT id, metrics -> 'headline' AS headline FROM "ModelVersion"`,
  ]);
  const headlineOf = new Map(headlines.map((row) => [row.id, row.headline]));
  const activeVersion = versions.find((version) => version.status === "ACTIVE")?.version ?? null;
  return versions.map(({ gateResults, operatingPoints, _count, ...version }) => {
    const gates = readGateResults(gateResults);
    return {
      ...version,
      headline: headlineMetricsSchema.nullable().parse(headlineOf.get(version.id) ?? null),
      gates,
      gatesVerdict: gatesStillHold(gates, activeVersion),
      operatingPointInForce: operatingPoints[0] ?? null,
      predictions: _count.predictions,
    };
  });
}
