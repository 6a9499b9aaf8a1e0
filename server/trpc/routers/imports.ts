import { z } from "zod";
import { getSenderBoss } from "../../jobs/boss";
import { listAvailableDatasets, listImportRuns, startImportRun } from "../../services/imports/import-runs";
import { createTRPCRouter, permittedProcedure } from "../init";

const importer = permittedProcedure("imports:run");

export const importsRouter = createTRPCRouter({
  available: importer.query(() => listAvailableDatasets()),
  runs: importer.query(({ ctx }) => listImportRuns({ db: ctx.db })),
  start: importer
    .input(z.object({ kind: z.enum(["HAM10000", "DERMAMNIST", "FOLDER_LAYOUT"]), source: z.string().min(1).max(200) }))
    .mutation(async ({ ctx, input }) =>
      startImportRun({ db: ctx.db, boss: await getSenderBoss(), actorId: ctx.user.id, ...input }),
    ),
});
