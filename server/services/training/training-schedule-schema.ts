/** The retraining schedule an admin edits (browser-safe: the form and the server share it). */
import { z } from "zod";
import { DEFAULT_EPOCHS, DEFAULT_TRAINING_RECIPE } from "@/ml/pipeline/training-recipes";
import { DEFAULT_TRAINING_TARGET_SENSITIVITY, trainingParamsSchema } from "./training-params";

export const trainingScheduleSchema = z.object({
  enabled: z.boolean(),
  /** Five-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 2 * * 0" = Sundays 02:00. */
  cron: z.string().trim().min(9, "Enter a cron expression such as 0 2 * * 0.").max(100),
  /** IANA time zone the cron expression is read in. */
  timezone: z.string().trim().min(1).max(64),
  /** A scheduled run starts only when at least this many confirmed cases arrived since the last successful run. */
  minNewCases: z.number().int("Whole cases only.").min(1, "At least 1 new case.").max(100_000),
  params: trainingParamsSchema,
});

export type TrainingSchedule = z.infer<typeof trainingScheduleSchema>;

export const DEFAULT_TRAINING_SCHEDULE: TrainingSchedule = {
  enabled: false,
  cron: "0 2 * * 0",
  timezone: "UTC",
  minNewCases: 50,
  params: {
    baseDataset: null,
    includeClinicCases: true,
    recipe: DEFAULT_TRAINING_RECIPE,
    epochs: DEFAULT_EPOCHS[DEFAULT_TRAINING_RECIPE],
    timeBudgetMinutes: 60,
    targetSensitivity: DEFAULT_TRAINING_TARGET_SENSITIVITY,
  },
};
