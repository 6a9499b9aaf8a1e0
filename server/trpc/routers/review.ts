import { z } from "zod";
import { getFlagForReview, neighbouringFlags } from "../../services/review/flag-details";
import { countOpenFlagsByKind, listOverdueFollowUps, listQueue, queueFilterSchema } from "../../services/review/queue";
import { recordReview } from "../../services/review/record-review";
import { reviewDecisionSchema } from "../../services/review/schemas";
import { createTRPCRouter, permittedProcedure } from "../init";

const read = permittedProcedure("clinical:read");
const decide = permittedProcedure("review:decide");
const flagId = z.object({ flagId: z.string().min(1).max(64) });

export const reviewRouter = createTRPCRouter({
  queue: read.input(queueFilterSchema).query(({ ctx, input }) => listQueue({ db: ctx.db, filter: input })),
  counts: read.query(({ ctx }) => countOpenFlagsByKind({ db: ctx.db })),
  flag: read.input(flagId).query(({ ctx, input }) => getFlagForReview({ db: ctx.db, ...input })),
  neighbours: read.input(flagId).query(({ ctx, input }) => neighbouringFlags({ db: ctx.db, ...input })),
  overdue: read.query(({ ctx }) => listOverdueFollowUps({ db: ctx.db })),
  decide: decide.input(reviewDecisionSchema).mutation(({ ctx, input }) => recordReview({ db: ctx.db, actorId: ctx.user.id, input })),
});
