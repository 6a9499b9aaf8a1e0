/** What the training API returns, validated on the way out; the JSON columns parsed with their writers' schemas. */
import { z } from "zod";
import { ImportKind, ModelStatus, TrainingRunStatus, TrainingTrigger } from "../../db/generated/enums";
import { trainingParamsSchema } from "./training-params";
import { trainingRunProgressSchema } from "./training-progress";
import { trainingRunResultSchema } from "./training-run-result";
import { trainingScheduleSchema } from "./training-schedule-schema";

const id = z.string().min(1);

export const trainingRunStatus = z.enum(TrainingRunStatus);

/** One run of the Retraining page's list (training-runs.ts listTrainingRuns). */
export const trainingRunView = z.object({
  id,
  status: trainingRunStatus,
  trigger: z.enum(TrainingTrigger),
  params: trainingParamsSchema,
  progress: trainingRunProgressSchema.nullable(),
  backend: z.string().nullable(),
  error: z.string().nullable(),
  message: z.string().nullable(),
  result: trainingRunResultSchema.nullable(),
  cancelRequestedAt: z.date().nullable(),
  createdAt: z.date(),
  requestedBy: z.object({ name: z.string() }).nullable(),
  modelVersion: z.object({ version: z.string(), status: z.enum(ModelStatus) }).nullable(),
});
export type TrainingRunView = z.infer<typeof trainingRunView>;
export const trainingRunsOutput = z.array(trainingRunView);

export const trainingOptionsOutput = z.object({
  datasets: z.array(z.object({ kind: z.enum(ImportKind), source: z.string(), description: z.string() })),
  confirmedLesions: z.number().int(),
  newConfirmedCases: z.number().int(),
  activeVersion: z.string().nullable(),
  schedule: trainingScheduleSchema,
  nextScheduledRuns: z.array(z.date()),
});

export const launchedTrainingRunOutput = z.object({ id, status: trainingRunStatus, createdAt: z.date() });
export const cancelledTrainingRunOutput = z.object({ status: z.enum(["CANCELLED", "CANCELLING"]) });
export const savedTrainingScheduleOutput = z.object({ schedule: trainingScheduleSchema, nextRuns: z.array(z.date()) });
