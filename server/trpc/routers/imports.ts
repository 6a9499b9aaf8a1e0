import { z } from "zod";
import { getSenderBoss } from "../../jobs/boss";
import { listAvailableDatasets, listImportRuns, startImportRun } from "../../services/imports/import-runs";
import { availableDatasetsOutput, importRunsOutput, startedImportRunOutput } from "../../services/imports/schemas";
import { createTRPCRouter, permittedProcedure } from "../init";

const importer = permittedProcedure("imports:run");

export const importsRouter = createTRPCRouter({
  available: importer.output(availableDatasetsOutput).query(() => listAvailableDatasets()),
  runs: importer.output(importRunsOutput).query(({ ctx }) => listImportRuns({ db: ctx.db })),
  start: importer
    .input(z.object({ kind: z.enum(["HAM10000", "DERMAMNIST", "FOLDER_LAYOUT"]), source: z.string().min(1).max(200) }))
    .output(startedImportRunOutput)
    .mutation(async ({ ctx, input }) =>
      startImportRun({ db: ctx.db, boss: await getSenderBoss(), actorId: ctx.user.id, ...input }),
    ),
});
