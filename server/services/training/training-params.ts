/**
 * What an admin chooses when launching a retraining (and what the schedule launches with). Browser-safe: the launch
 * form and the server validate with the same schema.
 */
import { z } from "zod";
import { DEFAULT_TRAINING_RECIPE, TRAINING_RECIPES } from "@/ml/pipeline/training-recipes";

/** Default operating point: the threshold is chosen on validation to reach this sensitivity. */
export const DEFAULT_TRAINING_TARGET_SENSITIVITY = 0.95;

export const trainingParamsSchema = z
  .object({
    /** A data set folder under the import root (DermaMNIST or the folder layout), or null for the clinic's cases only. */
    baseDataset: z.string().trim().min(1).max(200).nullable(),
    /** How the model is trained (ml/pipeline/training-config.ts); runs stored before recipes existed read as the default. */
    recipe: z.enum(TRAINING_RECIPES).default(DEFAULT_TRAINING_RECIPE),
    /** Add the clinic's biopsy-confirmed (and otherwise confirmed) cases from the database. */
    includeClinicCases: z.boolean(),
    /** Epochs to train; with a time budget too, whichever ends first. */
    epochs: z.number().int("Epochs must be a whole number.").min(1, "At least 1 epoch.").max(200, "At most 200 epochs.").nullable(),
    timeBudgetMinutes: z.number().int("Minutes must be a whole number.").min(1, "At least 1 minute.").max(20 * 60, "At most 20 hours.").nullable(),
    targetSensitivity: z.number().min(0.8, "Target sensitivity must be at least 80%.").max(0.995, "Target sensitivity must be at most 99.5%."),
  })
  .refine((params) => params.baseDataset !== null || params.includeClinicCases, {
    message: "Choose a base data set, the clinic's confirmed cases, or both.",
    path: ["baseDataset"],
  })
  .refine((params) => params.epochs !== null || params.timeBudgetMinutes !== null, {
    message: "Set a number of epochs, a time budget, or both.",
    path: ["epochs"],
  });

export type TrainingParams = z.infer<typeof trainingParamsSchema>;

export function describeTrainingParams(params: TrainingParams): string {
  const data = [params.baseDataset, params.includeClinicCases ? "clinic's confirmed cases" : null].filter(Boolean).join(" + ");
  const bound = [params.epochs === null ? null : `${params.epochs} epochs`, params.timeBudgetMinutes === null ? null : `${params.timeBudgetMinutes} min budget`]
    .filter(Boolean)
    .join(", ");
  return `${data}; ${params.recipe}; ${bound}; target sensitivity ${(100 * params.targetSensitivity).toFixed(1)}%`;
}
