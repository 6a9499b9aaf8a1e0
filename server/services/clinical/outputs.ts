/** What the patients and lesions APIs return, validated on the way out (the forms' input schemas are in schemas.ts). */
import { z } from "zod";
import { Impression, Plan, Sex } from "../../db/generated/enums";

const id = z.string().min(1);
const person = z.object({ name: z.string() });

const patientFields = {
  id,
  mrn: z.string(),
  name: z.string(),
  birthDate: z.date().nullable(),
  sex: z.enum(Sex),
  fitzpatrickType: z.number().int().nullable(),
};

/** A patient as registered or edited (patients.ts patientSelect). */
export const patientOutput = z.object({ ...patientFields, createdAt: z.date(), updatedAt: z.date() });

/** One page of the patient list: the columns the list shows. */
export const patientListOutput = z.object({
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  patients: z.array(z.object({ ...patientFields, lesionCount: z.number().int(), latestImageAt: z.date().nullable() })),
});

const outcomeFields = {
  histopathologyDiagnosis: z.string(),
  malignant: z.boolean(),
  reportDate: z.date(),
  /** dx_type of imported records (histo, follow_up, consensus, confocal); "histo" for entered pathology reports. */
  confirmation: z.string(),
};

export const patientDetailOutput = patientOutput.extend({
  lesions: z.array(
    z.object({
      id,
      bodySite: z.string(),
      label: z.string(),
      createdAt: z.date(),
      imageCount: z.number().int(),
      latestAssessment: z.object({ impression: z.enum(Impression), plan: z.enum(Plan), assessedAt: z.date() }).nullable(),
      latestOutcome: z.object(outcomeFields).nullable(),
    }),
  ),
});

/** A lesion as created or edited (lesions.ts lesionSelect). */
export const lesionOutput = z.object({ id, patientId: id, bodySite: z.string(), label: z.string(), createdAt: z.date() });

const assessmentFields = {
  id,
  impression: z.enum(Impression),
  suspectedDiagnosis: z.string().nullable(),
  plan: z.enum(Plan),
  note: z.string().nullable(),
  assessedAt: z.date(),
};

export const lesionDetailOutput = lesionOutput.extend({
  patient: z.object({ id, mrn: z.string(), name: z.string(), fitzpatrickType: z.number().int().nullable() }),
  images: z.array(
    z.object({ id, width: z.number().int(), height: z.number().int(), mimeType: z.string(), capturedAt: z.date().nullable(), createdAt: z.date() }),
  ),
  assessments: z.array(z.object({ ...assessmentFields, clinician: person })),
  biopsyOutcomes: z.array(
    z.object({
      id,
      ...outcomeFields,
      recordedById: z.string().nullable(),
      recordedBy: person.nullable(),
      createdAt: z.date(),
      retractedAt: z.date().nullable(),
      retractionReason: z.string().nullable(),
      retractedBy: person.nullable(),
      supersededById: z.string().nullable(),
    }),
  ),
});

export const recordedAssessmentOutput = z.object({ ...assessmentFields, lesionId: id });
export const recordedBiopsyOutcomeOutput = z.object({ id, lesionId: id, ...outcomeFields });
