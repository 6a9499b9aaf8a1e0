/** The correction forms (amend or retract a biopsy result or a decision), shared by the browser and the server. */
import { z } from "zod";
import { biopsyOutcomeFormSchema, idSchema } from "./schemas";

export const correctionReasonSchema = z
  .string()
  .trim()
  .min(1, "Say why the record is being corrected, e.g. 'report of another patient entered'.")
  .max(500, "Keep the reason under 500 characters.");

export const retractOutcomeSchema = z.object({ outcomeId: idSchema, reason: correctionReasonSchema });
export const amendOutcomeSchema = z.object({ outcomeId: idSchema, reason: correctionReasonSchema, outcome: biopsyOutcomeFormSchema });
export type RetractOutcomeInput = z.infer<typeof retractOutcomeSchema>;
export type AmendOutcomeInput = z.infer<typeof amendOutcomeSchema>;
