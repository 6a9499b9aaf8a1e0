/** What the models API returns about governance (promotion requests, operating points), validated on the way out. */
import { z } from "zod";
import { ModelStatus } from "../../db/generated/enums";
import { gateResultsSchema } from "./promotion-gates";
import { headlineMetricsSchema } from "./registry";

const id = z.string().min(1);
const person = z.object({ name: z.string() });

export const modelStatus = z.enum(ModelStatus);

export const operatingPointSource = z.enum(["VALIDATION", "LOCAL"]);

/** One row of the registry table (registry.ts listModelVersions): never the stored evaluation report. */
export const modelVersionListItem = z.object({
  id,
  version: z.string(),
  status: modelStatus,
  architecture: z.string(),
  inputSize: z.number().int(),
  threshold: z.number(),
  targetSensitivity: z.number(),
  headline: headlineMetricsSchema.nullable(),
  gates: gateResultsSchema.nullable(),
  /** The gates judged against the model active now (stale gates count as failed). */
  gatesVerdict: z.object({ passed: z.boolean(), reason: z.string().nullable() }),
  promotedAt: z.date().nullable(),
  promotionReason: z.string().nullable(),
  promotedBy: person.nullable(),
  operatingPointInForce: z.object({ version: z.number().int(), threshold: z.number(), source: operatingPointSource }).nullable(),
  predictions: z.number().int(),
});
export type ModelVersionListItem = z.infer<typeof modelVersionListItem>;
export const modelVersionListOutput = z.array(modelVersionListItem);

export const modelCardOutput = z.object({ version: z.string(), modelCardMarkdown: z.string().nullable() });

export const promotedModelOutput = z.object({ id, version: z.string(), status: z.string(), threshold: z.number() });

export const promotionRequestStatus = z.enum(["PENDING", "APPROVED", "REJECTED", "VOID"]);

export const requestedPromotionOutput = z.object({ id, status: promotionRequestStatus, version: z.string() });

const promotionRequestRow = z.object({
  id,
  status: promotionRequestStatus,
  requestedAt: z.date(),
  requestedById: id,
  activeVersionAtRequest: z.string().nullable(),
  gatesPassed: z.boolean(),
  gateVerdict: z.string(),
  overrideReason: z.string().nullable(),
  decidedAt: z.date().nullable(),
  decisionReason: z.string().nullable(),
  modelVersion: z.object({ id, version: z.string() }),
  requestedBy: person,
  decidedBy: person.nullable(),
});

export const promotionRequestsOutput = z.object({ pending: z.array(promotionRequestRow), decided: z.array(promotionRequestRow) });
export type PromotionRequestsView = z.infer<typeof promotionRequestsOutput>;

export const rejectedPromotionOutput = z.object({ id, status: promotionRequestStatus });

const proportion = z.object({
  successes: z.number().int(),
  trials: z.number().int(),
  estimate: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
});

/** What was known when a local threshold was adopted (operating-points.ts writes it). */
export const localThresholdEvidence = z.object({
  criteriaVersion: z.number().int(),
  malignantLesions: z.number().int(),
  benignLesions: z.number().int(),
  scoredAfterOutcomeLeftOut: z.number().int(),
  sensitivity: proportion,
  specificity: proportion,
});

export const operatingPointsOutput = z.array(
  z.object({
    id: id.nullable(),
    version: z.number().int().positive(),
    threshold: z.number(),
    source: operatingPointSource,
    targetSensitivity: z.number(),
    reason: z.string(),
    evidence: localThresholdEvidence.nullable(),
    adoptedAt: z.date(),
    adoptedBy: person.nullable(),
  }),
);
export type OperatingPointsView = z.infer<typeof operatingPointsOutput>;

export const adoptedOperatingPointOutput = z.object({
  id,
  version: z.number().int().positive(),
  threshold: z.number(),
  source: operatingPointSource,
  /** The safety rule suspended deferral suggestions: the local criteria do not hold at the new threshold. */
  deferralSuspended: z.boolean(),
});
