import { z } from "zod";
import { getLesion, recordAssessment, recordBiopsyOutcome, updateLesion } from "../../services/clinical/lesions";
import { assessmentFormSchema, biopsyOutcomeFormSchema, idSchema, lesionFormSchema } from "../../services/clinical/schemas";
import { createTRPCRouter, permittedProcedure } from "../init";

const read = permittedProcedure("clinical:read");
const write = permittedProcedure("clinical:write");

export const lesionsRouter = createTRPCRouter({
  get: read.input(z.object({ lesionId: idSchema })).query(({ ctx, input }) => getLesion({ db: ctx.db, ...input })),
  update: write
    .input(z.object({ lesionId: idSchema, lesion: lesionFormSchema }))
    .mutation(({ ctx, input }) =>
      updateLesion({ db: ctx.db, actorId: ctx.user.id, lesionId: input.lesionId, input: input.lesion }),
    ),
  recordAssessment: write
    .input(z.object({ lesionId: idSchema, assessment: assessmentFormSchema }))
    .mutation(({ ctx, input }) =>
      recordAssessment({ db: ctx.db, actorId: ctx.user.id, lesionId: input.lesionId, input: input.assessment }),
    ),
  recordBiopsyOutcome: write
    .input(z.object({ lesionId: idSchema, outcome: biopsyOutcomeFormSchema }))
    .mutation(({ ctx, input }) =>
      recordBiopsyOutcome({ db: ctx.db, actorId: ctx.user.id, lesionId: input.lesionId, input: input.outcome }),
    ),
});
