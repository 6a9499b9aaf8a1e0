/**
 * Everything a reviewer needs for one flag: the lesion's images (earliest first, with the model's output for each
 * under the flag's model version), the latest clinical assessment, the patient's skin type, and the decision if any.
 */
import { TRPCError } from "@trpc/server";
import type { Db } from "../../db/client";

export async function getFlagForReview(options: { db: Db; flagId: string }) {
  const flag = await options.db.flag.findUnique({
    where: { id: options.flagId },
    select: {
      id: true,
      kind: true,
      status: true,
      reason: true,
      biopsyPlanned: true,
      pMalignant: true,
      threshold: true,
      createdAt: true,
      modelVersionId: true,
      modelVersion: { select: { version: true, targetSensitivity: true } },
      prediction: { select: { imageId: true, backend: true, probabilities: true, latencyMs: true, createdAt: true } },
      assessment: {
        select: { impression: true, plan: true, suspectedDiagnosis: true, note: true, assessedAt: true, clinician: { select: { name: true } } },
      },
      review: {
        select: { decision: true, reason: true, note: true, followUpDate: true, createdAt: true, reviewer: { select: { name: true } } },
      },
      lesion: {
        select: {
          id: true,
          bodySite: true,
          label: true,
          patient: { select: { id: true, mrn: true, name: true, sex: true, birthDate: true, fitzpatrickType: true } },
          images: {
            orderBy: [{ capturedAt: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
            select: {
              id: true,
              width: true,
              height: true,
              capturedAt: true,
              createdAt: true,
              quality: true,
              predictions: { select: { modelVersionId: true, pMalignant: true, probabilities: true, backend: true } },
            },
          },
        },
      },
    },
  });
  if (!flag) throw new TRPCError({ code: "NOT_FOUND", message: "No such flag." });
  const images = flag.lesion.images.map(({ predictions, ...image }) => ({
    ...image,
    prediction: predictions.find((p) => p.modelVersionId === flag.modelVersionId) ?? null,
  }));
  return { ...flag, lesion: { ...flag.lesion, images } };
}

export { neighbouringFlags } from "./queue";
