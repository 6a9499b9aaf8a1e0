/**
 * The dashboard's output, validated at the tRPC boundary. Shapes mirror ml/evaluation's result types; every
 * undefined quantity (a rate over zero cases, an AUC with one class) is null, never NaN or a made-up 0.
 */
import { z } from "zod";
import { FLAG_KINDS, REVIEW_DECISIONS } from "./review-activity";

const count = z.number().int().min(0);
const rate = z.number().min(0).max(1);

export const proportionSchema = z.union([
  z.object({ successes: count, trials: count, estimate: rate, lower: rate, upper: rate }),
  z.object({ successes: z.literal(0), trials: z.literal(0), estimate: z.null(), lower: z.null(), upper: z.null() }),
]);

export const binaryCountsSchema = z.object({
  tp: count,
  fp: count,
  tn: count,
  fn: count,
  positives: count,
  negatives: count,
  total: count,
});

export const binaryMetricsSchema = z.object({
  sensitivity: proportionSchema,
  specificity: proportionSchema,
  ppv: proportionSchema,
  npv: proportionSchema,
});

const callerSchema = z.object({ counts: binaryCountsSchema, metrics: binaryMetricsSchema });

export const avoidableBiopsySchema = z.object({
  threshold: z.number(),
  benignBiopsied: count,
  benignCalledLikelyBenign: count,
  avoidableRate: proportionSchema,
  malignantBiopsied: count,
  malignantMissed: count,
  missedRate: proportionSchema,
  numberNeededToBiopsy: z.number().nullable(),
  numberNeededToBiopsyIfDeferred: z.number().nullable(),
});

export const subgroupSchema = z.object({
  group: z.string(),
  n: count,
  positives: count,
  negatives: count,
  auc: rate.nullable(),
  counts: binaryCountsSchema,
  sensitivity: proportionSchema,
  specificity: proportionSchema,
});

export const whatIfPointSchema = z.object({
  threshold: z.number(),
  benignAvoided: count,
  malignantMissed: count,
  avoidableRate: proportionSchema,
  missedRate: proportionSchema,
  numberNeededToBiopsyIfDeferred: z.number().nullable(),
});

const flagCountsSchema = z.object(Object.fromEntries(FLAG_KINDS.map((kind) => [kind, count])) as Record<(typeof FLAG_KINDS)[number], typeof count>);
const decisionCountsSchema = z.object(
  Object.fromEntries(REVIEW_DECISIONS.map((decision) => [decision, count])) as Record<(typeof REVIEW_DECISIONS)[number], typeof count>,
);

export const monthTrendSchema = z.object({
  month: z.string(),
  biopsies: count,
  benignBiopsies: count,
  malignantBiopsies: count,
  numberNeededToBiopsy: z.number().nullable(),
  scoredBiopsies: count,
  benignAvoidable: count,
  avoidableRate: proportionSchema,
  malignantMissed: count,
  flags: flagCountsSchema,
  decisions: decisionCountsSchema,
});

export const modelOutcomesSchema = z.object({
  /** Biopsied lesions scored by the model: the cases behind every model figure below. */
  scoredBiopsied: count,
  /** Biopsied lesions in scope the model never scored (left out of the model figures). */
  unscoredBiopsied: count,
  /**
   * The lesions the model version was trained or validated on, left out of every model figure. `recorded` false:
   * its training cases are unknown, so the figures may include them (the page warns).
   */
  trainingCases: z.object({
    recorded: z.boolean(),
    source: z.string().nullable(),
    trainLesions: count.nullable(),
    valLesions: count.nullable(),
    /** Biopsied lesions in scope left out because the model saw them in training or validation. */
    leftOutBiopsied: count,
  }),
  biopsy: avoidableBiopsySchema,
  estimatedSaving: z.number().min(0),
  comparison: z.object({
    n: count,
    rule: z.string(),
    /** Scored biopsied lesions with no clinical assessment, left out of the comparison. */
    withoutAssessment: count,
    model: callerSchema,
    clinician: callerSchema,
  }),
  roc: z.object({
    n: count,
    positives: count,
    negatives: count,
    auc: rate.nullable(),
    points: z.array(z.object({ threshold: z.number().nullable(), fpr: rate, tpr: rate })).nullable(),
    operatingPoint: z.object({ fpr: rate, tpr: rate }).nullable(),
  }),
  calibration: z.object({
    n: count,
    ece: z.number().min(0).nullable(),
    bins: z.array(
      z.object({ lower: rate, upper: rate, count, meanPredicted: rate.nullable(), observedFraction: rate.nullable() }),
    ),
  }),
  /** Every scored lesion with any confirmed outcome (biopsied or not), for comparison with the biopsied AUC. */
  allConfirmed: z.object({ n: count, positives: count, negatives: count, auc: rate.nullable() }),
  subgroups: z.object({
    fitzpatrick: z.array(subgroupSchema),
    sex: z.array(subgroupSchema),
    ageBand: z.array(subgroupSchema),
    bodySite: z.array(subgroupSchema),
  }),
  whatIf: z.object({
    cases: count,
    benign: count,
    malignant: count,
    currentThreshold: z.number(),
    current: whatIfPointSchema,
    points: z.array(whatIfPointSchema),
    distinctThresholds: count,
  }),
  missedMalignancies: z.object({
    total: count,
    lesions: z.array(
      z.object({
        lesionId: z.string(),
        mrn: z.string(),
        bodySite: z.string(),
        score: rate,
        histopathologyDiagnosis: z.string(),
        reportDate: z.string(),
      }),
    ),
  }),
});

export const outcomesDashboardSchema = z.object({
  generatedAt: z.string(),
  scope: z.object({ from: z.string().nullable(), to: z.string().nullable(), costPerBiopsy: z.number().min(0) }),
  model: z
    .object({
      id: z.string(),
      version: z.string(),
      status: z.string(),
      threshold: z.number(),
      targetSensitivity: z.number(),
    })
    .nullable(),
  modelVersions: z.array(z.object({ id: z.string(), version: z.string(), status: z.string(), threshold: z.number() })),
  safety: z.object({
    deferredLesions: count,
    deferredWithOutcome: count,
    malignant: count,
    lesions: z.array(
      z.object({
        lesionId: z.string(),
        mrn: z.string(),
        bodySite: z.string(),
        deferredAt: z.string(),
        followUpDate: z.string().nullable(),
        modelVersion: z.string().nullable(),
        histopathologyDiagnosis: z.string(),
        confirmation: z.string(),
        reportDate: z.string(),
      }),
    ),
  }),
  outcomes: z.object({
    /** Lesions whose outcome report falls in the selected months. */
    lesions: count,
    biopsied: count,
    benignBiopsied: count,
    malignantBiopsied: count,
    /** Outcomes confirmed without a biopsy (follow-up, consensus, confocal, archive label). */
    notBiopsied: count,
    numberNeededToBiopsy: z.number().nullable(),
  }),
  modelOutcomes: modelOutcomesSchema.nullable(),
  activity: z
    .object({
      flags: flagCountsSchema,
      decisions: z.array(z.object({ decision: z.enum(REVIEW_DECISIONS), count, lesions: count })),
    })
    .nullable(),
  trends: z.array(monthTrendSchema),
});

export type OutcomesDashboard = z.infer<typeof outcomesDashboardSchema>;
export type ModelOutcomes = z.infer<typeof modelOutcomesSchema>;
export type MonthTrend = z.infer<typeof monthTrendSchema>;
export type SubgroupRow = z.infer<typeof subgroupSchema>;
export type WhatIfPointRow = z.infer<typeof whatIfPointSchema>;
