import { z } from "zod";
import { amendBiopsyOutcome, amendOutcomeSchema, retractBiopsyOutcome, retractOutcomeSchema } from "../../services/clinical/amend-outcome";
import { getLesionRecord, lesionRecordOutput } from "../../services/clinical/lesion-record";
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
  /** Every prediction per image, and assessments, flags, decisions and outcomes on one timeline (lesion-record.ts). */
  record: read
    .input(z.object({ lesionId: idSchema }))
    .output(lesionRecordOutput)
    .query(({ ctx, input }) => getLesionRecord({ db: ctx.db, ...input })),
  /** A result corrected by its author or an admin, with a reason: a new result replaces it (amend-outcome.ts). */
  amendOutcome: write
    .input(amendOutcomeSchema)
    .output(z.object({ id: idSchema, lesionId: idSchema, supersedes: idSchema }))
    .mutation(({ ctx, input }) => amendBiopsyOutcome({ db: ctx.db, actor: ctx.user, input })),
  /** A result withdrawn by its author or an admin, with a reason: it no longer counts anywhere, and stays on record. */
  retractOutcome: write
    .input(retractOutcomeSchema)
    .output(z.object({ id: idSchema, lesionId: idSchema, retractedAt: z.date() }))
    .mutation(({ ctx, input }) => retractBiopsyOutcome({ db: ctx.db, actor: ctx.user, input })),
});
