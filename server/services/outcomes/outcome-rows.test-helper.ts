/**
 * A small hand-made set of per-lesion rows whose every dashboard figure is worked out by hand in the tests
 * (threshold 0.3). Biopsied and scored: A-G; H is confirmed by follow-up (not biopsied); I is biopsied but unscored.
 *
 *   lesion  score  outcome    clinician                 month    Fitzpatrick  sex     age  site
 *   A       0.10   benign     uncertain / biopsy        2025-01  II           female  25   back
 *   B       0.20   benign     malignant / biopsy        2025-01  II           male    50   back
 *   C       0.25   MALIGNANT  benign / monitor          2025-01  V            female  null face
 *   D       0.40   benign     benign / biopsy           2025-02  null         unknown 80   back
 *   E       0.70   MALIGNANT  malignant / biopsy        2025-02  II           male    64   face
 *   F       0.90   MALIGNANT  (no assessment)           2025-02  I            female  70   trunk
 *   G       0.30   benign     benign / discharge        2025-02  null         other   31   back
 *   H       0.05   benign     (follow-up, not biopsied) 2025-01  II           female  40   back
 *   I       null   MALIGNANT  malignant / biopsy        2025-03  II           male    55   back
 */
import type { LesionOutcomeRow } from "./lesion-outcome-rows";

type RequiredKeys = "lesionId" | "score" | "malignant" | "month";
type RowInput = Pick<LesionOutcomeRow, RequiredKeys> & Partial<Omit<LesionOutcomeRow, RequiredKeys>>;

export function row(values: RowInput): LesionOutcomeRow {
  return {
    biopsied: true,
    impression: null,
    plan: null,
    fitzpatrickType: null,
    sex: "UNKNOWN",
    ageYears: null,
    bodySite: "back",
    seenInTraining: false,
    ...values,
  };
}

export const HAND_ROWS: LesionOutcomeRow[] = [
  row({ lesionId: "A", score: 0.1, malignant: false, month: "2025-01", impression: "UNCERTAIN", plan: "BIOPSY", fitzpatrickType: 2, sex: "FEMALE", ageYears: 25 }),
  row({ lesionId: "B", score: 0.2, malignant: false, month: "2025-01", impression: "MALIGNANT", plan: "BIOPSY", fitzpatrickType: 2, sex: "MALE", ageYears: 50 }),
  row({ lesionId: "C", score: 0.25, malignant: true, month: "2025-01", impression: "BENIGN", plan: "MONITOR", fitzpatrickType: 5, sex: "FEMALE", bodySite: "face" }),
  row({ lesionId: "D", score: 0.4, malignant: false, month: "2025-02", impression: "BENIGN", plan: "BIOPSY", ageYears: 80 }),
  row({ lesionId: "E", score: 0.7, malignant: true, month: "2025-02", impression: "MALIGNANT", plan: "BIOPSY", fitzpatrickType: 2, sex: "MALE", ageYears: 64, bodySite: "face" }),
  row({ lesionId: "F", score: 0.9, malignant: true, month: "2025-02", fitzpatrickType: 1, sex: "FEMALE", ageYears: 70, bodySite: "trunk" }),
  row({ lesionId: "G", score: 0.3, malignant: false, month: "2025-02", impression: "BENIGN", plan: "DISCHARGE", sex: "OTHER", ageYears: 31 }),
  row({ lesionId: "H", score: 0.05, malignant: false, month: "2025-01", biopsied: false, fitzpatrickType: 2, sex: "FEMALE", ageYears: 40 }),
  row({ lesionId: "I", score: null, malignant: true, month: "2025-03", impression: "MALIGNANT", plan: "BIOPSY", fitzpatrickType: 2, sex: "MALE", ageYears: 55 }),
];

/** Wilson 95% bounds worked out independently (Python, z = 1.959963984540054). */
export const WILSON = {
  "1/2": [0.09453120573423074, 0.9054687942657693],
  "2/4": [0.15003898915214953, 0.8499610108478505],
  "1/3": [0.06149194472039615, 0.7923403991979523],
  "2/3": [0.20765960080204765, 0.9385080552796037],
  "1/4": [0.04558726080970055, 0.6993581574175981],
} as const;
