/** Shadow mode, local validation and the safety monitor (server/services/safety). */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { recordAudit } from "../../services/audit/record-audit";
import { DeferralChangeRefusedError, enableDeferral, suspendDeferral } from "../../services/safety/deferral";
import { computeLocalValidation, LOCAL_VALIDATION_CRITERIA_KEY, readLocalValidationCriteria } from "../../services/safety/local-validation";
import { localValidationCriteriaSchema, storedCriteriaSchema } from "../../services/safety/local-validation-criteria";
import {
  acknowledgedSafetyEventOutput,
  deferralChangeOutput,
  localValidationOutput,
  modelDriftOutput,
  safetyEventsOutput,
} from "../../services/safety/schemas";
import { acknowledgeSafetyEvent, listSafetyEvents, SafetyEventNotFoundError } from "../../services/safety/safety-events";
import { computeModelDrift } from "../../services/safety/drift";
import { createTRPCRouter, permittedProcedure } from "../init";

const id = z.string().min(1).max(64);
const reason = z.string().trim().min(1, "Say why.").max(1000);

function asTrpcError(error: unknown): never {
  if (error instanceof DeferralChangeRefusedError) throw new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
  if (error instanceof SafetyEventNotFoundError) throw new TRPCError({ code: "NOT_FOUND", message: error.message, cause: error });
  throw error;
}

export const safetyRouter = createTRPCRouter({
  /** Unacknowledged safety events (most recent first), for the queue and the dashboard. */
  events: permittedProcedure("clinical:read")
    .input(z.object({ includeAcknowledged: z.boolean().default(false) }).default({ includeAcknowledged: false }))
    .output(safetyEventsOutput)
    .query(({ ctx, input }) => listSafetyEvents({ db: ctx.db, includeAcknowledged: input.includeAcknowledged })),
  acknowledge: permittedProcedure("safety:acknowledge")
    .input(z.object({ safetyEventId: id, note: z.string().trim().min(1, "Say what was done.").max(2000) }))
    .output(acknowledgedSafetyEventOutput)
    .mutation(({ ctx, input }) => acknowledgeSafetyEvent({ db: ctx.db, actorId: ctx.user.id, ...input }).catch(asTrpcError)),
  /** The active model's deferral status and local evidence (every figure lesion-level, scores made before the outcome only). */
  localValidation: permittedProcedure("models:read").output(localValidationOutput).query(async ({ ctx }) => {
    const active = await ctx.db.modelVersion.findFirst({
      where: { status: "ACTIVE" },
      select: { id: true, version: true, deferralStatus: true, deferralChangedAt: true, deferralReason: true },
    });
    if (!active) return null;
    return { model: active, validation: await computeLocalValidation(ctx.db, active.id) };
  }),
  enableDeferral: permittedProcedure("models:manage")
    .input(z.object({ modelVersionId: id, reason }))
    .output(deferralChangeOutput)
    .mutation(({ ctx, input }) => enableDeferral({ db: ctx.db, actorId: ctx.user.id, ...input }).catch(asTrpcError)),
  suspendDeferral: permittedProcedure("models:manage")
    .input(z.object({ modelVersionId: id, reason }))
    .output(deferralChangeOutput.nullable())
    .mutation(({ ctx, input }) => ctx.db.$transaction((tx) => suspendDeferral(tx, { actorId: ctx.user.id, ...input }))),
  /** The active model's month-by-month score and out-of-distribution drift against its validation set. */
  drift: permittedProcedure("models:read").output(modelDriftOutput).query(async ({ ctx }) => {
    const active = await ctx.db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true } });
    return active ? computeModelDrift(ctx.db, active.id) : null;
  }),
  criteria: permittedProcedure("models:read").output(storedCriteriaSchema).query(({ ctx }) => readLocalValidationCriteria(ctx.db)),
  /** Saves a new version of the acceptance criteria (the old one stays in the audit log). */
  saveCriteria: permittedProcedure("models:manage")
    .input(localValidationCriteriaSchema)
    .output(storedCriteriaSchema)
    .mutation(({ ctx, input }) =>
      ctx.db.$transaction(async (tx) => {
        const before = await readLocalValidationCriteria(tx);
        const after = { ...input, version: before.version + 1, savedAt: new Date().toISOString() };
        await tx.setting.upsert({
          where: { key: LOCAL_VALIDATION_CRITERIA_KEY },
          create: { key: LOCAL_VALIDATION_CRITERIA_KEY, value: after, updatedById: ctx.user.id },
          update: { value: after, updatedById: ctx.user.id },
        });
        await recordAudit(tx, { actorId: ctx.user.id, action: "UPDATE", entityType: "Setting", entityId: LOCAL_VALIDATION_CRITERIA_KEY, before, after });
        return after;
      }),
    ),
});
