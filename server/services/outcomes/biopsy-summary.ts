/**
 * The figures that need no model: how many lesions were biopsied, how many of those were benign, and the number
 * needed to biopsy as practised (NNB = biopsies / malignancies found, ml/evaluation's numberNeededToBiopsy). A
 * biopsy is a lesion with a histopathology outcome; other confirmations are counted apart as not biopsied.
 */
import { numberNeededToBiopsy } from "@/ml/evaluation";
import type { LesionOutcomeRow } from "./lesion-outcome-rows";
import type { OutcomesDashboard } from "./schemas";

export function summariseBiopsies(rows: readonly LesionOutcomeRow[]): OutcomesDashboard["outcomes"] {
  let biopsied = 0;
  let malignantBiopsied = 0;
  for (const row of rows) {
    if (!row.biopsied) continue;
    biopsied++;
    if (row.malignant) malignantBiopsied++;
  }
  return {
    lesions: rows.length,
    biopsied,
    benignBiopsied: biopsied - malignantBiopsied,
    malignantBiopsied,
    notBiopsied: rows.length - biopsied,
    numberNeededToBiopsy: numberNeededToBiopsy(biopsied, malignantBiopsied),
  };
}
