import { z } from "zod";
import { getLesion, recordAssessment, recordBiopsyOutcome, updateLesion } from "../../services/clinical/lesions";
import { assessmentFormSchema, biopsyOutcomeFormSchema, idSchema, lesionFormSchema } from "../../services/clinical/schemas";
import { lesionDetailOutput, lesionOutput, recordedAssessmentOutput, recordedBiopsyOutcomeOutput } from "../../services/clinical/outputs";
import { createTRPCRouter, permittedProcedure } from "../init";

const read = permittedProcedure("clinical:read");
const write = permittedProcedure("clinical:write");

export const lesionsRouter = createTRPCRouter({
  get: read
    .input(z.object({ lesionId: idSchema }))
    .output(lesionDetailOutput)
    .query(({ ctx, input }) => getLesion({ db: ctx.db, ...input })),
  update: write
    .input(z.object({ lesionId: idSchema, lesion: lesionFormSchema }))
    .output(lesionOutput)
    .mutation(({ ctx, input }) =>
      updateLesion({ db: ctx.db, actorId: ctx.user.id, lesionId: input.lesionId, input: input.lesion }),
    ),
  recordAssessment: write
    .input(z.object({ lesionId: idSchema, assessment: assessmentFormSchema }))
    .output(recordedAssessmentOutput)
    .mutation(({ ctx, input }) =>
      recordAssessment({ db: ctx.db, actorId: ctx.user.id, lesionId: input.lesionId, input: input.assessment }),
    ),
  recordBiopsyOutcome: write
    .input(z.object({ lesionId: idSchema, outcome: biopsyOutcomeFormSchema }))
    .output(recordedBiopsyOutcomeOutput)
    .mutation(({ ctx, input }) =>
      recordBiopsyOutcome({ db: ctx.db, actorId: ctx.user.id, lesionId: input.lesionId, input: input.outcome }),
    ),
});
