/**
 * Form schemas shared by the browser forms and the tRPC procedures: one definition of what valid clinical input is.
 */
import { z } from "zod";
import { DIAGNOSES } from "@/ml/diagnoses";
import { BODY_SITES, HISTOPATHOLOGY_CODES } from "./vocabulary";

const isoDate = z.iso.date("Use a date like 2026-01-31.");
const pastDate = (what: string) =>
  // A value that is no date at all gets the format's message only (NaN is not "in the future").
  isoDate.refine((value) => !(new Date(`${value}T00:00:00Z`).getTime() > Date.now()), `${what} cannot be in the future.`);
/** A date the form requires: an empty field says what to enter, not which format a date has. */
const requiredPastDate = (missing: string, what: string) => z.string().trim().min(1, missing).pipe(pastDate(what));

export const patientFormSchema = z.object({
  mrn: z
    .string()
    .trim()
    .min(1, "Enter the medical record number.")
    .max(64)
    .regex(/^[A-Za-z0-9._:-]+$/, "Use letters, digits and . _ : - only."),
  name: z.string().trim().min(1, "Enter the patient's name.").max(200),
  birthDate: pastDate("The birth date").nullable(),
  sex: z.enum(["FEMALE", "MALE", "OTHER", "UNKNOWN"]),
  fitzpatrickType: z.number().int().min(1).max(6).nullable(),
});
export type PatientForm = z.infer<typeof patientFormSchema>;

export const lesionFormSchema = z.object({
  bodySite: z.enum(BODY_SITES, "Choose a body site."),
  label: z.string().trim().min(1, "Give the lesion a label, e.g. 'left forearm, 2 cm below elbow'.").max(200),
});
export type LesionForm = z.infer<typeof lesionFormSchema>;

export const assessmentFormSchema = z.object({
  impression: z.enum(["BENIGN", "MALIGNANT", "UNCERTAIN"]),
  suspectedDiagnosis: z.enum(DIAGNOSES).nullable(),
  plan: z.enum(["BIOPSY", "MONITOR", "DISCHARGE"]),
  note: z.string().trim().max(2000).nullable(),
});
export type AssessmentForm = z.infer<typeof assessmentFormSchema>;

export const biopsyOutcomeFormSchema = z.object({
  histopathologyDiagnosis: z.enum(HISTOPATHOLOGY_CODES, "Choose the histopathology diagnosis."),
  reportDate: requiredPastDate("Enter the date of the histopathology report.", "The report date"),
});
export type BiopsyOutcomeForm = z.infer<typeof biopsyOutcomeFormSchema>;

export const idSchema = z.string().min(1).max(64);
