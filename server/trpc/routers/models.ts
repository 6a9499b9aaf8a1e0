import { z } from "zod";
import { getSenderBoss } from "../../jobs/boss";
import { requestScoreSweep } from "../../jobs/handlers/score";
import { listModelVersions, promoteModelVersion, rollBackModel } from "../../services/models/registry";
import { createTRPCRouter, permittedProcedure } from "../init";

const read = permittedProcedure("models:read");
const manage = permittedProcedure("models:manage");

export const modelsRouter = createTRPCRouter({
  list: read.query(({ ctx }) => listModelVersions({ db: ctx.db })),
  card: read
    .input(z.object({ modelVersionId: z.string().min(1).max(64) }))
    .query(({ ctx, input }) =>
      ctx.db.modelVersion.findUniqueOrThrow({ where: { id: input.modelVersionId }, select: { version: true, modelCardMarkdown: true } }),
    ),
  promote: manage
    .input(z.object({ modelVersionId: z.string().min(1).max(64), overrideReason: z.string().trim().max(1000).nullable().default(null) }))
    .mutation(async ({ ctx, input }) => {
      const promoted = await promoteModelVersion({ db: ctx.db, actorId: ctx.user.id, ...input });
      // Open cases are re-scored by the new model in the background; flags follow.
      await requestScoreSweep(await getSenderBoss());
      return promoted;
    }),
  rollBack: manage
    .input(z.object({ reason: z.string().trim().min(1, "Say why you roll back.").max(1000) }))
    .mutation(async ({ ctx, input }) => {
      const restored = await rollBackModel({ db: ctx.db, actorId: ctx.user.id, reason: input.reason });
      await requestScoreSweep(await getSenderBoss());
      return restored;
    }),
});
