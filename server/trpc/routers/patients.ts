import { z } from "zod";
import { createPatient, getPatient, listPatients, updatePatient } from "../../services/clinical/patients";
import { createLesion } from "../../services/clinical/lesions";
import { idSchema, lesionFormSchema, patientFormSchema } from "../../services/clinical/schemas";
import { lesionOutput, patientDetailOutput, patientListOutput, patientOutput } from "../../services/clinical/outputs";
import { createTRPCRouter, permittedProcedure } from "../init";

const read = permittedProcedure("clinical:read");
const write = permittedProcedure("clinical:write");

export const patientsRouter = createTRPCRouter({
  list: read
    .input(
      z.object({
        query: z.string().trim().max(100).optional(),
        page: z.number().int().min(1).max(100_000).default(1),
        pageSize: z.number().int().min(1).max(100).default(25),
      }),
    )
    .output(patientListOutput)
    .query(({ ctx, input }) => listPatients({ db: ctx.db, ...input })),
  get: read
    .input(z.object({ patientId: idSchema }))
    .output(patientDetailOutput)
    .query(({ ctx, input }) => getPatient({ db: ctx.db, ...input })),
  create: write
    .input(patientFormSchema)
    .output(patientOutput)
    .mutation(({ ctx, input }) => createPatient({ db: ctx.db, actorId: ctx.user.id, input })),
  update: write
    .input(z.object({ patientId: idSchema, patient: patientFormSchema }))
    .output(patientOutput)
    .mutation(({ ctx, input }) =>
      updatePatient({ db: ctx.db, actorId: ctx.user.id, patientId: input.patientId, input: input.patient }),
    ),
  addLesion: write
    .input(z.object({ patientId: idSchema, lesion: lesionFormSchema }))
    .output(lesionOutput)
    .mutation(({ ctx, input }) =>
      createLesion({ db: ctx.db, actorId: ctx.user.id, patientId: input.patientId, input: input.lesion }),
    ),
});
