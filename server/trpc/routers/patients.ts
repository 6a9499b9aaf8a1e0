import { z } from "zod";
import { createPatient, getPatient, listPatients, updatePatient } from "../../services/clinical/patients";
import { createLesion } from "../../services/clinical/lesions";
import { idSchema, lesionFormSchema, patientFormSchema } from "../../services/clinical/schemas";
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
    .query(({ ctx, input }) => listPatients({ db: ctx.db, ...input })),
  get: read.input(z.object({ patientId: idSchema })).query(({ ctx, input }) => getPatient({ db: ctx.db, ...input })),
  create: write
    .input(patientFormSchema)
    .mutation(({ ctx, input }) => createPatient({ db: ctx.db, actorId: ctx.user.id, input })),
  update: write
    .input(z.object({ patientId: idSchema, patient: patientFormSchema }))
    .mutation(({ ctx, input }) =>
      updatePatient({ db: ctx.db, actorId: ctx.user.id, patientId: input.patientId, input: input.patient }),
    ),
  addLesion: write
    .input(z.object({ patientId: idSchema, lesion: lesionFormSchema }))
    .mutation(({ ctx, input }) =>
      createLesion({ db: ctx.db, actorId: ctx.user.id, patientId: input.patientId, input: input.lesion }),
    ),
});
