import { z } from "zod";
import { createImageStoreFromEnv } from "../../services/images";
import { awaitingAssessmentInputSchema, awaitingAssessmentPageSchema, listAwaitingAssessment } from "../../services/review/awaiting-assessment";
import { explainFlagImage } from "../../services/review/explain-image";
import { getFlagForReview, neighbouringFlags } from "../../services/review/flag-details";
import { countOpenFlagsByKind, listOverdueFollowUps, listQueue, queueFilterSchema } from "../../services/review/queue";
import { listQueueFilterOptions } from "../../services/review/queue-filter-options";
import { amendReview, amendReviewSchema, retractReview, retractReviewSchema } from "../../services/review/amend-review";
import { recordReview } from "../../services/review/record-review";
import {
  flagForReviewOutput,
  imageExplanationOutput,
  neighbouringFlagsOutput,
  openFlagCountsOutput,
  overdueFollowUpsOutput,
  queueFilterOptionsOutput,
  queuePageOutput,
  recordedReviewOutput,
  amendedReviewOutput,
  retractedReviewOutput,
} from "../../services/review/outputs";
import { reviewDecisionSchema } from "../../services/review/schemas";
import { createTRPCRouter, permittedProcedure } from "../init";

const read = permittedProcedure("clinical:read");
const decide = permittedProcedure("review:decide");
const flagId = z.object({ flagId: z.string().min(1).max(64) });
const flagImage = flagId.extend({ imageId: z.string().min(1).max(64).optional() });

export const reviewRouter = createTRPCRouter({
  // The viewer's own second reads (asked for, or of their assessment) are not theirs to decide: left out (second-read.ts).
  queue: read.input(queueFilterSchema).output(queuePageOutput).query(({ ctx, input }) => listQueue({ db: ctx.db, filter: input, viewerId: ctx.user.id })),
  counts: read.output(openFlagCountsOutput).query(({ ctx }) => countOpenFlagsByKind({ db: ctx.db, viewerId: ctx.user.id })),
  filterOptions: read.output(queueFilterOptionsOutput).query(({ ctx }) => listQueueFilterOptions({ db: ctx.db })),
  flag: read.input(flagId).output(flagForReviewOutput).query(({ ctx, input }) => getFlagForReview({ db: ctx.db, ...input })),
  /** Occlusion-sensitivity map of one of the flag's images under the flag's model ("unavailable" with a reason otherwise). */
  explanation: read
    .input(flagImage)
    .output(imageExplanationOutput)
    .query(({ ctx, input }) => explainFlagImage({ db: ctx.db, store: createImageStoreFromEnv(), ...input })),
  neighbours: read.input(flagId).output(neighbouringFlagsOutput).query(({ ctx, input }) => neighbouringFlags({ db: ctx.db, ...input, viewerId: ctx.user.id })),
  /** Scored lesions no clinician has assessed yet (no flag until one is recorded); never the model's score. */
  awaitingAssessment: read
    .input(awaitingAssessmentInputSchema)
    .output(awaitingAssessmentPageSchema)
    .query(({ ctx, input }) => listAwaitingAssessment({ db: ctx.db, input })),
  overdue: read.output(overdueFollowUpsOutput).query(({ ctx }) => listOverdueFollowUps({ db: ctx.db })),
  decide: decide.input(reviewDecisionSchema).output(recordedReviewOutput).mutation(({ ctx, input }) => recordReview({ db: ctx.db, actorId: ctx.user.id, input })),
  /** A decision corrected by its author or an admin, with a reason: a new decision replaces it (amend-review.ts). */
  amend: decide.input(amendReviewSchema).output(amendedReviewOutput).mutation(({ ctx, input }) => amendReview({ db: ctx.db, actor: ctx.user, input })),
  /** A decision withdrawn by its author or an admin, with a reason: the case goes back to the queue. */
  retract: decide.input(retractReviewSchema).output(retractedReviewOutput).mutation(({ ctx, input }) => retractReview({ db: ctx.db, actor: ctx.user, input })),
});
