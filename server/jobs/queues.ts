/**
 * Background job queues (pg-boss on the app's own PostgreSQL) and their payloads, validated where jobs are read.
 */
import { z } from "zod";

export const QUEUES = {
  importDataset: "import-dataset",
} as const;

export const importDatasetPayload = z.object({ importRunId: z.string().min(1) });
export type ImportDatasetPayload = z.infer<typeof importDatasetPayload>;

/** Retries for transient failures (database restart, disk hiccup); the handlers are idempotent. */
export const QUEUE_OPTIONS = {
  [QUEUES.importDataset]: { retryLimit: 2, retryDelay: 10, expireInHours: 6 },
} as const;
