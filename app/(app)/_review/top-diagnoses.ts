/**
 * The model's most probable diagnoses from a stored Prediction.probabilities, which the server parsed with the shared
 * vocabulary's schema (only its codes, finite numbers): a malformed row is refused there, not shown here.
 */
import { DIAGNOSES, DIAGNOSIS_LABELS, isMalignantDiagnosis, type Diagnosis, type DiagnosisProbabilities } from "@/ml/diagnoses";

export interface RankedDiagnosis {
  code: Diagnosis;
  label: string;
  probability: number;
  malignant: boolean;
}

export function topDiagnoses(probabilities: DiagnosisProbabilities | null, count = 3): RankedDiagnosis[] {
  if (!probabilities) return [];
  return DIAGNOSES.flatMap((code) => {
    const probability = probabilities[code];
    return probability !== undefined
      ? [{ code, label: DIAGNOSIS_LABELS[code], probability, malignant: isMalignantDiagnosis(code) }]
      : [];
  })
    .sort((a, b) => b.probability - a.probability)
    .slice(0, count);
}
