/**
 * The model's most probable diagnoses from a stored Prediction.probabilities (JSON keyed by diagnosis code). Only the
 * shared vocabulary's codes count, so a malformed or foreign row shows nothing rather than something wrong.
 */
import { DIAGNOSES, DIAGNOSIS_LABELS, isMalignantDiagnosis, type Diagnosis } from "@/ml/diagnoses";

export interface RankedDiagnosis {
  code: Diagnosis;
  label: string;
  probability: number;
  malignant: boolean;
}

export function topDiagnoses(probabilities: unknown, count = 3): RankedDiagnosis[] {
  if (typeof probabilities !== "object" || probabilities === null || Array.isArray(probabilities)) return [];
  const values = probabilities as Record<string, unknown>;
  return DIAGNOSES.flatMap((code) => {
    const probability = values[code];
    return typeof probability === "number" && Number.isFinite(probability)
      ? [{ code, label: DIAGNOSIS_LABELS[code], probability, malignant: isMalignantDiagnosis(code) }]
      : [];
  })
    .sort((a, b) => b.probability - a.probability)
    .slice(0, count);
}
