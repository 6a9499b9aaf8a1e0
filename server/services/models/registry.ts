/**
 * The model registry: every trained version with its metrics, model card, threshold and gate results; promotion
 * (gates, or an admin override with a reason), and roll back in one action. Both are audited, and both ask the
 * worker to re-score with the newly active model (which recomputes the flags).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { MODEL_CARD_MD, readModelDirectory } from "@/ml/store";
import type { EvaluationReport } from "@/ml/pipeline";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { recordAudit } from "../audit/record-audit";
import { gatesStillHold, type GateResults } from "./promotion-gates";

/** The headline figures of a stored evaluation report, for the registry table and the gates. */
export function headlineMetrics(report: EvaluationReport) {
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
    throw new TRPCError({ code: "BAD_REQUEST", message: `${verified.version} has no evaluation report: evaluate it before registering.` });
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
  };
  return options.db.modelVersion.upsert({
    where: { version: verified.version },
    // Registering the same directory again changes nothing (a model version is immutable).
    update: {},
    create: data,
    select: { id: true, version: true, status: true, threshold: true },
  });
}

export async function promoteModelVersion(options: {
  db: Db;
  actorId: string | null;
  modelVersionId: string;
  overrideReason?: string | null;
}) {
  const { db, actorId, modelVersionId } = options;
  const overrideReason = options.overrideReason?.trim() || null;
  return db.$transaction(async (tx) => {
    // One promotion at a time: lock every registry row we read.
    await tx.$queryRaw`SELECT id FROM "ModelVersion" WHERE status = 'ACTIVE' OR id = ${modelVersionId} FOR UPDATE`;
    const candidate = await tx.modelVersion.findUnique({ where: { id: modelVersionId } });
    if (!candidate) throw new TRPCError({ code: "NOT_FOUND", message: "No such model version." });
    if (candidate.status === "ACTIVE") throw new TRPCError({ code: "CONFLICT", message: `${candidate.version} is already active.` });
    const gates = candidate.gateResults as unknown as GateResults | null;
    const previous = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true, version: true } });
    const verdict = gatesStillHold(gates, previous?.version ?? null);
    if (!verdict.passed && !overrideReason) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `${candidate.version} cannot be promoted: ${verdict.reason}; an admin override needs a reason.`,
      });
    }
    if (previous) await tx.modelVersion.update({ where: { id: previous.id }, data: { status: "RETIRED" } });
    const promoted = await tx.modelVersion.update({
      where: { id: candidate.id },
      data: { status: "ACTIVE", promotedAt: new Date(), promotedById: actorId, promotionReason: overrideReason ?? "passed the promotion gates" },
      select: { id: true, version: true, status: true, threshold: true },
    });
    await recordAudit(tx, {
      actorId,
      action: "PROMOTE",
      entityType: "ModelVersion",
      entityId: promoted.id,
      before: { active: previous?.version ?? null },
      after: { active: promoted.version, override: overrideReason !== null, reason: overrideReason, gates },
    });
    return promoted;
  });
}

/** Makes the most recently retired version active again, in one action. */
export async function rollBackModel(options: { db: Db; actorId: string | null; reason: string }) {
  const { db, actorId } = options;
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ModelVersion" WHERE status IN ('ACTIVE', 'RETIRED') FOR UPDATE`;
    const current = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true, version: true } });
    const previous = await tx.modelVersion.findFirst({
      where: { status: "RETIRED", promotedAt: { not: null } },
      orderBy: { promotedAt: "desc" },
      select: { id: true, version: true },
    });
    if (!previous) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "There is no earlier model to roll back to." });
    if (current) await tx.modelVersion.update({ where: { id: current.id }, data: { status: "RETIRED" } });
    const restored = await tx.modelVersion.update({
      where: { id: previous.id },
      data: { status: "ACTIVE", promotedAt: new Date(), promotedById: actorId, promotionReason: `roll back: ${options.reason}` },
      select: { id: true, version: true, status: true, threshold: true },
    });
    await recordAudit(tx, {
      actorId,
      action: "ROLLBACK",
      entityType: "ModelVersion",
      entityId: restored.id,
      before: { active: current?.version ?? null },
      after: { active: restored.version, reason: options.reason },
    });
    return restored;
  });
}

export function listModelVersions(options: { db: Db }) {
  return options.db.modelVersion.findMany({
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      version: true,
      status: true,
      architecture: true,
      inputSize: true,
      threshold: true,
      targetSensitivity: true,
      metrics: true,
      gateResults: true,
      createdAt: true,
      promotedAt: true,
      promotionReason: true,
      promotedBy: { select: { name: true } },
      _count: { select: { predictions: true } },
    },
  });
}
