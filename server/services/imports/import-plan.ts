/**
 * The shape every data-set reader produces and the one runner (run-import-plan.ts) consumes: lesions, each with its
 * research patient, its confirmed outcome (if any) and its images. Readers validate rows and group them; the runner
 * decodes, stores and saves.
 */
import type { Sex } from "@/server/db/generated/client";
import type { ImportRejection } from "./import-summary";

export interface PlannedImage {
  /** LesionImage.externalId (namespaced by data set). */
  externalId: string;
  file: string;
  /** CSV line, for rejection reports. */
  row?: number;
}

export interface PlannedOutcome {
  /** A diagnosis code from ml/diagnoses.ts where the data set's diagnosis maps to one, else its own words. */
  histopathologyDiagnosis: string;
  malignant: boolean;
  /** How the diagnosis was confirmed: histo | follow_up | consensus | confocal | archive-label. */
  confirmation: string;
  reportDate: Date;
}

export interface PlannedLesion {
  /** Lesion.externalId (namespaced by data set). */
  externalId: string;
  patient: { mrn: string; name: string; sex: Sex; birthDate: Date | null };
  bodySite: string;
  label: string;
  outcome: PlannedOutcome | null;
  images: PlannedImage[];
}

export interface ImportPlan {
  lesions: PlannedLesion[];
  /** Rows refused while reading (bad values, conflicts), before any image is opened. */
  rejected: ImportRejection[];
}

export function countPlannedImages(plan: ImportPlan): number {
  return plan.lesions.reduce((sum, lesion) => sum + lesion.images.length, 0);
}
