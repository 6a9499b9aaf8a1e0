/**
 * Scores images with the active model: the image-quality gate, then the model, then one Prediction per image and
 * model version (a retried job finds it and writes nothing twice), committed together with the lesion's recomputed flag.
 */
import type { Db } from "../../db/client";
import { lockLesion, recomputeLesionFlagInTransaction } from "../flags/recompute-flags";
import type { ImageStore } from "../images/image-store";
import { inForce, operatingPointInForceSelect } from "../models/operating-point-in-force";
import { assessImageQuality } from "../quality/image-quality";
import { predictorFor, type RegisteredModel } from "./predictors";

const modelSelect = { id: true, version: true, storagePath: true, sha256: true, threshold: true } as const;

export async function activeModel(db: Db): Promise<(RegisteredModel & { threshold: number }) | null> {
  return db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: modelSelect });
}

export interface ScoreSummary {
  model: string | null;
  scored: number;
  alreadyScored: number;
  failed: { imageId: string; reason: string }[];
  /** The active model changed while the batch ran: the rest was left for the new model (the sweep picks it up). */
  stoppedBecauseModelChanged: boolean;
}

/** Thrown inside a scoring transaction when the model it was scoring with is no longer the active one. */
class ActiveModelChangedError extends Error {}

export async function scoreImages(options: { db: Db; store: ImageStore; imageIds: readonly string[] }): Promise<ScoreSummary> {
  const { db, store } = options;
  const model = await activeModel(db);
  const summary: ScoreSummary = { model: model?.version ?? null, scored: 0, alreadyScored: 0, failed: [], stoppedBecauseModelChanged: false };
  if (!model) return summary; // Images wait for a model; the queue page says so.
  const predictor = await predictorFor(model);
  const images = await db.lesionImage.findMany({
    where: { id: { in: [...options.imageIds] } },
    select: { id: true, lesionId: true, storageKey: true, predictions: { where: { modelVersionId: model.id }, select: { id: true } } },
  });
  const toScore = images.filter((image) => image.predictions.length === 0);
  summary.alreadyScored = images.length - toScore.length;
  // Reading, the quality gate and decoding of the next images overlap the model run and the write of this one.
  const prepare = async (image: (typeof toScore)[number]) => {
    const bytes = await store.get(image.storageKey);
    return { bytes, quality: await assessImageQuality(bytes) };
  };
  for await (const result of predictor.predictEach(toScore, prepare)) {
    const { item: image } = result;
    if ("error" in result) {
      summary.failed.push({ imageId: image.id, reason: reasonOf(result.error) });
      continue;
    }
    const { prepared: { quality }, prediction } = result;
    try {
      // The prediction and the flag it changes commit together: a worker that dies in between leaves neither, and
      // the image is simply scored again. (Committed apart, a crash left the flag showing the old score, and no
      // retry or sweep revisits an image that already has its prediction.)
      await db.$transaction(async (tx) => {
        // The lesion first, like every other writer of its flag (recompute-flags.ts, record-review.ts): no deadlock.
        await lockLesion(tx, image.lesionId);
        // A promotion or roll back during a long batch must not leave new images scored by a retired model: checked
        // per image, inside the transaction that writes the prediction.
        const current = await tx.modelVersion.findUnique({ where: { id: model.id }, select: { status: true, ...operatingPointInForceSelect } });
        if (current?.status !== "ACTIVE") throw new ActiveModelChangedError();
        // The operating point in force now (an admin may adopt a new one while a batch runs), recorded with the prediction.
        const { threshold } = inForce(current);
        await tx.lesionImage.update({ where: { id: image.id }, data: { quality } });
        await tx.prediction.upsert({
          where: { imageId_modelVersionId: { imageId: image.id, modelVersionId: model.id } },
          update: {},
          create: {
            imageId: image.id,
            modelVersionId: model.id,
            probabilities: prediction.probabilities,
            pMalignant: prediction.pMalignant,
            threshold,
            aboveThreshold: prediction.pMalignant >= threshold,
            backend: prediction.backend,
            latencyMs: prediction.latencyMs,
            oodScore: prediction.ood?.score ?? null,
            oodThreshold: prediction.ood?.threshold ?? null,
          },
        });
        await recomputeLesionFlagInTransaction(tx, image.lesionId);
      });
      summary.scored++;
    } catch (error) {
      if (error instanceof ActiveModelChangedError) {
        summary.stoppedBecauseModelChanged = true;
        break;
      }
      summary.failed.push({ imageId: image.id, reason: reasonOf(error) });
    }
  }
  return summary;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Ids of images the active model has not scored yet: open cases (lesions with no outcome yet) first, so that a
 * promotion re-scores the cases a reviewer may act on before the historical ones; then oldest first.
 */
export async function unscoredImageIds(db: Db, take: number): Promise<string[]> {
  const model = await activeModel(db);
  if (!model) return [];
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT i.id FROM "LesionImage" i
    WHERE NOT EXISTS (SELECT 1 FROM "Prediction" p WHERE p."imageId" = i.id AND p."modelVersionId" = ${model.id})
    ORDER BY EXISTS (SELECT 1 FROM "BiopsyOutcome" o WHERE o."lesionId" = i."lesionId") ASC, i."createdAt" ASC, i.id ASC
    LIMIT ${take}`;
  return rows.map((row) => row.id);
}
