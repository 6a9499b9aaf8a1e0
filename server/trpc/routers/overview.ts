import { z } from "zod";
import { createTRPCRouter, permittedProcedure } from "../init";
import { CURRENT_OUTCOME } from "../../services/clinical/current-records";

/** Counts that drive the empty states ("no patients yet: import or register one"). */
export const overviewRouter = createTRPCRouter({
  counts: permittedProcedure("clinical:read")
    .output(
      z.object({
        patients: z.number(),
        lesions: z.number(),
        images: z.number(),
        openFlags: z.number(),
        biopsyOutcomes: z.number(),
        activeModel: z.string().nullable(),
        /** Lesions with images and no outcome yet that no clinician has assessed: no flag until one is recorded. */
        awaitingAssessment: z.number(),
      }),
    )
    .query(async ({ ctx }) => {
      const [patients, lesions, images, openFlags, biopsyOutcomes, activeModel, awaitingAssessment] = await Promise.all([
        ctx.db.patient.count(),
        ctx.db.lesion.count(),
        ctx.db.lesionImage.count(),
        ctx.db.flag.count({ where: { status: "OPEN" } }),
        ctx.db.biopsyOutcome.count({ where: CURRENT_OUTCOME }),
        ctx.db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true } }),
        ctx.db.lesion.count({ where: { images: { some: {} }, assessments: { none: {} }, biopsyOutcomes: { none: CURRENT_OUTCOME } } }),
      ]);
      return { patients, lesions, images, openFlags, biopsyOutcomes, activeModel: activeModel?.version ?? null, awaitingAssessment };
    }),
});
