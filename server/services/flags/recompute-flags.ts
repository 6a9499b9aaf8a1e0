/**
 * Keeps a lesion's flag in step with its data: called when a new assessment, prediction, biopsy outcome or active
 * model arrives. At most one OPEN flag per lesion (a partial unique index enforces it). A flag a reviewer already
 * decided is not raised again for the same assessment, model and kind: their decision covers those inputs.
 */
import type { Db } from "../../db/client";
import { INVARIANT_INDEXES, isUniqueViolation } from "../../db/unique-violation";
import type { Prisma } from "../../db/generated/client";
import { DomainError } from "../domain-error";
import { inForce, operatingPointInForce, operatingPointInForceSelect } from "../models/operating-point-in-force";
import { readImageQuality } from "../quality/image-quality";
import { applyFlagPolicy, type FlagDecision } from "./flag-policy";
import { CURRENT_OUTCOME, CURRENT_OUTCOMES_SQL } from "../clinical/current-records";

type Tx = Prisma.TransactionClient;

interface LesionFlagInputs {
  decision: FlagDecision | null;
  assessmentId: string | null;
  modelVersionId: string | null;
  predictionId: string | null;
  pMalignant: number | null;
  threshold: number | null;
}

async function gatherInputs(tx: Tx, lesionId: string): Promise<LesionFlagInputs | null> {
  const lesion = await tx.lesion.findUnique({
    where: { id: lesionId },
    select: {
      patient: { select: { fitzpatrickType: true } },
      assessments: { orderBy: { assessedAt: "desc" }, take: 1, select: { id: true, impression: true, plan: true } },
      _count: { select: { biopsyOutcomes: { where: CURRENT_OUTCOME } } },
    },
  });
  if (!lesion) return null;
  const activeModel = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true, deferralStatus: true, ...operatingPointInForceSelect } });
  // Scores are compared with the operating point in force now, not the one recorded when each image was scored: a
  // newly adopted threshold applies to every open case.
  const threshold = activeModel ? inForce(activeModel).threshold : null;
  const predictions = activeModel
    ? await tx.prediction.findMany({
        where: { modelVersionId: activeModel.id, image: { lesionId } },
        select: { id: true, pMalignant: true, oodScore: true, oodThreshold: true, image: { select: { quality: true } } },
      })
    : [];
  // The lesion is as suspicious as its most suspicious image.
  const top = predictions.reduce<(typeof predictions)[number] | null>(
    (best, prediction) => (!best || prediction.pMalignant > best.pMalignant ? prediction : best),
    null,
  );
  const qualityReasons = predictions.flatMap((prediction) => {
    const quality = readImageQuality(prediction.image.quality);
    return quality?.passed === false ? quality.reasons : [];
  });
  const assessment = lesion.assessments[0] ?? null;
  const decision = applyFlagPolicy({
    assessment,
    fitzpatrickType: lesion.patient.fitzpatrickType,
    score: top && threshold !== null ? { pMalignant: top.pMalignant, threshold } : null,
    quality: { passed: qualityReasons.length === 0, reasons: [...new Set(qualityReasons)] },
    outOfDistributionImages: predictions.filter((p) => p.oodScore !== null && p.oodThreshold !== null && p.oodScore > p.oodThreshold).length,
    hasOutcome: lesion._count.biopsyOutcomes > 0,
    deferral: activeModel?.deferralStatus ?? "SHADOW",
  });
  return {
    decision,
    assessmentId: assessment?.id ?? null,
    modelVersionId: activeModel?.id ?? null,
    predictionId: top?.id ?? null,
    pMalignant: top?.pMalignant ?? null,
    threshold: top ? threshold : null,
  };
}

export type RecomputeResult = "unchanged" | "raised" | "updated" | "superseded" | "closed";

export async function recomputeLesionFlag(options: { db: Db; lesionId: string }): Promise<RecomputeResult> {
  return options.db.$transaction((tx) => recomputeLesionFlagInTransaction(tx, options.lesionId));
}

/** Serialises writers of one lesion's flag (jobs for several images of a lesion can finish together). */
export async function lockLesion(tx: Tx, lesionId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Lesion" WHERE id = ${lesionId} FOR UPDATE`;
}

/**
 * The same inside the caller's transaction, for a change that must commit together with its flag (a new prediction:
 * see inference/score-images.ts). The lesion stays locked until that transaction ends.
 */
export async function recomputeLesionFlagInTransaction(tx: Tx, lesionId: string): Promise<RecomputeResult> {
  await lockLesion(tx, lesionId);
  const inputs = await gatherInputs(tx, lesionId);
  if (!inputs) return "unchanged";
  const open = await tx.flag.findFirst({ where: { lesionId, status: "OPEN" } });
  const hasOutcome = inputs.decision === null && (await tx.biopsyOutcome.count({ where: { lesionId, ...CURRENT_OUTCOME } })) > 0;

  if (!inputs.decision) {
    if (!open) return "unchanged";
    await tx.flag.update({
      where: { id: open.id },
      data: hasOutcome ? { status: "CLOSED", closedAt: new Date() } : { status: "SUPERSEDED", closedAt: new Date() },
    });
    return hasOutcome ? "closed" : "superseded";
  }

  const fields = {
    kind: inputs.decision.kind,
    reason: inputs.decision.reason,
    biopsyPlanned: inputs.decision.biopsyPlanned,
    deferralSuggested: inputs.decision.deferralSuggested,
    pMalignant: inputs.pMalignant,
    threshold: inputs.threshold,
    modelVersionId: inputs.modelVersionId,
    predictionId: inputs.predictionId,
    assessmentId: inputs.assessmentId,
  };
  // A reviewer's decision on the same kind, assessment and model covers these inputs: nothing to reopen (for example
  // after a promotion and a roll back, the restored model's case was decided before). Only looked up when the open
  // flag (if any) is for other inputs: a new score under the same model and assessment is the common, hot case.
  const sameInputs = open !== null && open.kind === fields.kind && open.modelVersionId === fields.modelVersionId && open.assessmentId === fields.assessmentId;
  const alreadyDecided = sameInputs ? null : await tx.flag.findFirst({
    where: {
      lesionId,
      status: "DECIDED",
      kind: fields.kind,
      assessmentId: fields.assessmentId,
      modelVersionId: fields.modelVersionId,
    },
    select: { id: true },
  });
  if (open && open.kind === fields.kind && !alreadyDecided) {
    await tx.flag.update({ where: { id: open.id }, data: fields });
    return "updated";
  }
  if (open) await tx.flag.update({ where: { id: open.id }, data: { status: "SUPERSEDED", closedAt: new Date() } });
  if (alreadyDecided) return open ? "superseded" : "unchanged";
  await createOpenFlag(tx, { lesionId, ...fields });
  return "raised";
}

/**
 * Opens a flag. The lesion must be locked (lockLesion) and its previous open flag closed: the database holds one OPEN
 * flag per lesion (Flag_one_open_per_lesion), and a writer that skipped the lock is refused with a clear error.
 */
export async function createOpenFlag(tx: Tx, data: Prisma.FlagUncheckedCreateInput): Promise<void> {
  try {
    await tx.flag.create({ data: { ...data, status: "OPEN" }, select: { id: true } });
  } catch (error) {
    if (isUniqueViolation(error, INVARIANT_INDEXES.oneOpenFlagPerLesion)) {
      throw new DomainError("CONFLICT", "This lesion already has an open flag (changed at the same moment): reload to see it.", { cause: error });
    }
    throw error;
  }
}

/** Closes the loop when histopathology arrives: the lesion's open flag is closed (called by recordBiopsyOutcome). */
export async function closeFlagsForOutcome(tx: Tx, lesionId: string): Promise<void> {
  await tx.flag.updateMany({
    where: { lesionId, status: { in: ["OPEN", "DECIDED"] } },
    data: { status: "CLOSED", closedAt: new Date() },
  });
}

/**
 * Undoes closeFlagsForOutcome once a lesion has no current result left (its last one amended away or retracted): the
 * flags the result closed return to where they stood (decided ones to DECIDED, the newest undecided one to OPEN,
 * older undecided ones to SUPERSEDED), then the flag is recomputed from the lesion's data as for any other change.
 */
export async function reopenFlagsAfterRetractedOutcome(tx: Tx, lesionId: string): Promise<RecomputeResult> {
  await lockLesion(tx, lesionId);
  if ((await tx.biopsyOutcome.count({ where: { lesionId, ...CURRENT_OUTCOME } })) > 0) return "unchanged";
  const closed = await tx.flag.findMany({
    where: { lesionId, status: "CLOSED" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, review: { select: { id: true } } },
  });
  const decided = closed.filter((flag) => flag.review !== null).map((flag) => flag.id);
  const [newest, ...older] = closed.filter((flag) => flag.review === null).map((flag) => flag.id);
  if (decided.length > 0) await tx.flag.updateMany({ where: { id: { in: decided } }, data: { status: "DECIDED", closedAt: null } });
  if (older.length > 0) await tx.flag.updateMany({ where: { id: { in: older } }, data: { status: "SUPERSEDED" } });
  const open = await tx.flag.findFirst({ where: { lesionId, status: "OPEN" }, select: { id: true } });
  if (newest !== undefined) {
    await tx.flag.update({ where: { id: newest }, data: open ? { status: "SUPERSEDED" } : { status: "OPEN", closedAt: null } });
  }
  return recomputeLesionFlagInTransaction(tx, lesionId);
}

/**
 * After the active model or its operating point changes (promotion, roll back, an adopted threshold): recompute every
 * open case (assessed, no outcome yet) whose flag does not come from the active model at its operating point in
 * force. Returns how many lesions were recomputed.
 */
export async function recomputeStaleFlags(options: { db: Db; batchSize?: number }): Promise<number> {
  const { db } = options;
  const active = await db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true } });
  if (!active) return 0;
  const { threshold } = await operatingPointInForce(db, active.id);
  const batchSize = options.batchSize ?? 500;
  let recomputed = 0;
  let after = "";
  for (;;) {
    const rows = await db.$queryRaw<{ id: string }[]>`
      SELECT l.id FROM "Lesion" l
      WHERE l.id > ${after}
        AND EXISTS (SELECT 1 FROM "ClinicalAssessment" a WHERE a."lesionId" = l.id)
        AND NOT EXISTS (SELECT 1 FROM ${CURRENT_OUTCOMES_SQL} o WHERE o."lesionId" = l.id)
        -- Stale: an OPEN flag from another model (even when the active model's own flag was decided earlier: after a
        -- promotion and a roll back, the retired model's open flag must not stay in the queue), or nothing yet from
        -- the active model.
        AND (
          EXISTS (SELECT 1 FROM "Flag" f WHERE f."lesionId" = l.id AND f.status = 'OPEN' AND f."modelVersionId" IS DISTINCT FROM ${active.id})
          -- an OPEN flag raised at another operating point (a threshold adopted or reverted since),
          OR EXISTS (SELECT 1 FROM "Flag" f WHERE f."lesionId" = l.id AND f.status = 'OPEN' AND f.threshold IS DISTINCT FROM ${threshold})
          OR NOT EXISTS (SELECT 1 FROM "Flag" f WHERE f."lesionId" = l.id AND f."modelVersionId" = ${active.id} AND f.status IN ('OPEN', 'DECIDED'))
        )
      ORDER BY l.id LIMIT ${batchSize}`;
    if (rows.length === 0) return recomputed;
    for (const row of rows) await recomputeLesionFlag({ db, lesionId: row.id });
    recomputed += rows.length;
    after = rows.at(-1)!.id;
  }
}
