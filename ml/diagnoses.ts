/**
 * The diagnosis vocabulary shared by the ml module, the importers, the flag policy and the dashboard: one place that
 * says which diagnoses exist, in which order the model outputs them, and which count as malignant.
 */
import { z } from "zod";

/** HAM10000 diagnoses in MedMNIST class-index order (0 akiec ... 6 vasc): the model's output order. */
export const DIAGNOSES = ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"] as const;
export type Diagnosis = (typeof DIAGNOSES)[number];

/** Prediction.probabilities as scoring stores it: P(diagnosis) by code (ml/inference/predictor.ts). */
export const diagnosisProbabilitiesSchema = z.partialRecord(z.enum(DIAGNOSES), z.number());
export type DiagnosisProbabilities = z.infer<typeof diagnosisProbabilitiesSchema>;

/** Malignant = melanoma, basal cell carcinoma, actinic keratosis / intraepithelial carcinoma (product brief). */
export const MALIGNANT_DIAGNOSES: ReadonlySet<Diagnosis> = new Set<Diagnosis>(["akiec", "bcc", "mel"]);

export const DIAGNOSIS_LABELS: Record<Diagnosis, string> = {
  akiec: "Actinic keratosis / intraepithelial carcinoma",
  bcc: "Basal cell carcinoma",
  bkl: "Benign keratosis-like lesion",
  df: "Dermatofibroma",
  mel: "Melanoma",
  nv: "Melanocytic nevus",
  vasc: "Vascular lesion",
};

export function isDiagnosis(value: string): value is Diagnosis {
  return (DIAGNOSES as readonly string[]).includes(value);
}

export function isMalignantDiagnosis(dx: Diagnosis): boolean {
  return MALIGNANT_DIAGNOSES.has(dx);
}

/** Indices (in DIAGNOSES order) whose probabilities add up to P(malignant). */
export const MALIGNANT_INDICES: readonly number[] = DIAGNOSES.flatMap((dx, i) => (MALIGNANT_DIAGNOSES.has(dx) ? [i] : []));

/** P(malignant) = P(mel) + P(bcc) + P(akiec), from a probability vector in DIAGNOSES order. */
export function malignantProbability(probabilities: ArrayLike<number>): number {
  let sum = 0;
  for (const i of MALIGNANT_INDICES) sum += probabilities[i] ?? 0;
  return Math.min(1, Math.max(0, sum));
}
