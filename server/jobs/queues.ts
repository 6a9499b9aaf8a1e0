/**
 * Background job queues (pg-boss on the app's own PostgreSQL) and their payloads, validated where jobs are read.
 */
import { z } from "zod";

export const QUEUES = {
  importDataset: "import-dataset",
  scoreImages: "score-images",
  scoreSweep: "score-sweep",
  trainModel: "train-model",
  trainingSchedule: "training-schedule",
} as const;

export const importDatasetPayload = z.object({ importRunId: z.string().min(1) });
export type ImportDatasetPayload = z.infer<typeof importDatasetPayload>;

export const scoreImagesPayload = z.object({ imageIds: z.array(z.string().min(1)).min(1).max(1000) });

export const trainModelPayload = z.object({ trainingRunId: z.string().min(1) });
export type TrainModelPayload = z.infer<typeof trainModelPayload>;

/** Retries for transient failures (database restart, disk hiccup); the handlers are idempotent. */
export const QUEUE_OPTIONS = {
  [QUEUES.importDataset]: { retryLimit: 2, retryDelay: 10, expireInHours: 6 },
  [QUEUES.scoreImages]: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInMinutes: 30 },
  [QUEUES.scoreSweep]: { retryLimit: 2, retryDelay: 30, expireInHours: 6 },
  // A training run is never retried by the queue: a failed run is recorded as FAILED and the admin launches again.
  [QUEUES.trainModel]: { retryLimit: 0, expireInHours: 23 },
  [QUEUES.trainingSchedule]: { retryLimit: 1, retryDelay: 60, expireInMinutes: 15 },
} as const;

/** One sweep at a time is enough: it scores everything the active model has not scored yet. */
export const SWEEP_SINGLETON = "sweep";
