import { z } from "zod";
import { getSenderBoss } from "../../jobs/boss";
import { adoptLocalThreshold, listOperatingPoints, revertToValidationThreshold } from "../../services/models/operating-points";
import { approvePromotion, listPromotionRequests, rejectPromotion, requestPromotion } from "../../services/models/promotion-requests";
import { listModelVersions, rollBackModel } from "../../services/models/registry";
import {
  adoptedOperatingPointOutput,
  modelCardOutput,
  modelVersionListOutput,
  operatingPointsOutput,
  promotedModelOutput,
  promotionRequestsOutput,
  rejectedPromotionOutput,
  requestedPromotionOutput,
} from "../../services/models/schemas";
import { createTRPCRouter, permittedProcedure } from "../init";

const read = permittedProcedure("models:read");
const manage = permittedProcedure("models:manage");
const id = z.string().min(1).max(64);
const reason = (why: string) => z.string().trim().min(1, why).max(1000);

export const modelsRouter = createTRPCRouter({
  /** The registry table: headline figures and gates only, never the stored evaluation report. */
  list: read.output(modelVersionListOutput).query(({ ctx }) => listModelVersions({ db: ctx.db })),
  card: read
    .input(z.object({ modelVersionId: id }))
    .output(modelCardOutput)
    .query(({ ctx, input }) =>
      ctx.db.modelVersion.findUniqueOrThrow({ where: { id: input.modelVersionId }, select: { version: true, modelCardMarkdown: true } }),
    ),
  /** Four-eyes promotion: pending requests and recent decisions. */
  promotionRequests: read.output(promotionRequestsOutput).query(({ ctx }) => listPromotionRequests({ db: ctx.db })),
  requestPromotion: manage
    .input(z.object({ modelVersionId: id, overrideReason: z.string().trim().max(1000).nullable().default(null) }))
    .output(requestedPromotionOutput)
    .mutation(({ ctx, input }) => requestPromotion({ db: ctx.db, actorId: ctx.user.id, ...input })),
  /** A different admin than the requester; the active model changes and open cases are re-scored (queued with it). */
  approvePromotion: manage
    .input(z.object({ promotionRequestId: id }))
    .output(promotedModelOutput)
    .mutation(async ({ ctx, input }) => approvePromotion({ db: ctx.db, boss: await getSenderBoss(), actorId: ctx.user.id, ...input })),
  rejectPromotion: manage
    .input(z.object({ promotionRequestId: id, reason: reason("Say why the promotion is rejected.") }))
    .output(rejectedPromotionOutput)
    .mutation(({ ctx, input }) => rejectPromotion({ db: ctx.db, actorId: ctx.user.id, ...input })),
  /** One admin, one action: the safety escape hatch. */
  rollBack: manage
    .input(z.object({ reason: reason("Say why you roll back.") }))
    .output(promotedModelOutput)
    .mutation(async ({ ctx, input }) => rollBackModel({ db: ctx.db, boss: await getSenderBoss(), actorId: ctx.user.id, reason: input.reason })),
  /** A model's operating points at this deployment, newest (in force) first. */
  operatingPoints: read
    .input(z.object({ modelVersionId: id }))
    .output(operatingPointsOutput)
    .query(({ ctx, input }) => listOperatingPoints({ db: ctx.db, modelVersionId: input.modelVersionId })),
  adoptLocalThreshold: manage
    .input(z.object({ modelVersionId: id, expectedThreshold: z.number().min(0).max(1), reason: reason("Say why the local threshold is adopted.") }))
    .output(adoptedOperatingPointOutput)
    .mutation(async ({ ctx, input }) => adoptLocalThreshold({ db: ctx.db, boss: await getSenderBoss(), actorId: ctx.user.id, ...input })),
  revertOperatingPoint: manage
    .input(z.object({ modelVersionId: id, reason: reason("Say why the operating point is reverted.") }))
    .output(adoptedOperatingPointOutput)
    .mutation(async ({ ctx, input }) => revertToValidationThreshold({ db: ctx.db, boss: await getSenderBoss(), actorId: ctx.user.id, ...input })),
});
