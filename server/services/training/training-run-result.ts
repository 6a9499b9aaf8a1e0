/**
 * TrainingRun.result as executeTrainingRun writes it at the end of a successful run: the data it trained on, the
 * candidate against the active model on the same locked test cases, and how training went. The runs list parses the
 * column with this schema; the types below are the ones the writer builds.
 */
import { z } from "zod";

const figure = z.number().nullable();
const count = z.number().int();

/** One model on the locked test set, at the operating point it uses (compare-models.ts). */
export const modelOnTestSetSchema = z.object({
  version: z.string(),
  threshold: z.number(),
  auc: figure,
  aucLower: figure,
  aucUpper: figure,
  sensitivity: figure,
  specificity: figure,
  /** Biopsied benign test lesions the model would have called likely benign (share), where any were biopsied. */
  avoidableBiopsyRate: figure,
  missedMalignant: count,
  /** Expected calibration error of P(malignant) on the same cases. */
  ece: figure,
});
export type ModelOnTestSet = z.infer<typeof modelOnTestSetSchema>;

export const modelComparisonSchema = z.object({
  testImages: count,
  testMalignant: count,
  candidate: modelOnTestSetSchema,
  /** null when no model was active when the run finished. */
  active: modelOnTestSetSchema.nullable(),
});
export type ModelComparison = z.infer<typeof modelComparisonSchema>;

const splitCounts = z.object({ images: count, malignant: count });

/** What a run trained on (assemble-training-data.ts). */
export const trainingDataSummarySchema = z.object({
  description: z.string(),
  baseDataset: z.string().nullable(),
  clinic: z.object({ images: count, lesions: count, alreadyInBase: count, missingFromStore: count }).nullable(),
  counts: z.object({ train: splitCounts, val: splitCounts, test: splitCounts }),
  /** The locked test set's identity (locked-split.ts testSetIdentity). */
  lockedTest: z.object({ images: count, lesions: count, malignant: count, fingerprint: z.string() }),
});
export type TrainingDataSummary = z.infer<typeof trainingDataSummarySchema>;

export const trainingRunResultSchema = z.object({
  data: trainingDataSummarySchema,
  modelVersion: z.string(),
  comparison: modelComparisonSchema,
  training: z.object({
    epochsRun: count,
    bestEpoch: count,
    stoppedBy: z.string(),
    imagesPerSecond: z.number(),
    trainSeconds: z.number(),
    totalSeconds: z.number(),
  }),
});
export type TrainingRunResult = z.infer<typeof trainingRunResultSchema>;
