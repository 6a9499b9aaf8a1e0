/**
 * Clinical vocabularies used by forms, importers and reports. Browser-safe (no server imports), so the same lists
 * and labels appear in the forms and in the server's validation.
 */
import { DIAGNOSIS_LABELS, DIAGNOSES, type Diagnosis } from "@/ml/diagnoses";

/** HAM10000's `localization` values: imported lesions use them, so new lesions do too. */
export const BODY_SITES = [
  "abdomen",
  "acral",
  "back",
  "chest",
  "ear",
  "face",
  "foot",
  "genital",
  "hand",
  "lower extremity",
  "neck",
  "scalp",
  "trunk",
  "upper extremity",
  "unspecified",
] as const;

/**
 * Histopathology diagnoses a reviewer can enter, each mapped to malignant or benign once, here. Codes of the seven
 * HAM10000 diagnoses are the data sets' own `dx` codes, so imported and entered outcomes read the same.
 * `snomedCt`: SNOMED CT disorder concepts a laboratory's report may carry for the diagnosis (FHIR import, server/fhir);
 * deliberately short. A report coded otherwise adds DermFlag's own code as a second coding (README, FHIR).
 */
export const HISTOPATHOLOGY_DIAGNOSES = [
  { code: "mel", label: "Melanoma (invasive or in situ)", malignant: true, snomedCt: ["372244006"] },
  { code: "bcc", label: "Basal cell carcinoma", malignant: true, snomedCt: ["254701007"] },
  { code: "scc", label: "Squamous cell carcinoma (invasive)", malignant: true, snomedCt: ["254651007"] },
  { code: "akiec", label: "Actinic keratosis / intraepithelial carcinoma (Bowen's)", malignant: true, snomedCt: ["201101007"] },
  { code: "other_malignant", label: "Other malignant neoplasm", malignant: true, snomedCt: [] },
  { code: "nv", label: "Melanocytic nevus (incl. dysplastic)", malignant: false, snomedCt: [] },
  { code: "bkl", label: "Benign keratosis (seborrheic keratosis, solar lentigo, LPLK)", malignant: false, snomedCt: [] },
  { code: "df", label: "Dermatofibroma", malignant: false, snomedCt: [] },
  { code: "vasc", label: "Vascular lesion (angioma, angiokeratoma, pyogenic granuloma)", malignant: false, snomedCt: [] },
  { code: "other_benign", label: "Other benign lesion", malignant: false, snomedCt: [] },
] as const satisfies readonly { code: string; label: string; malignant: boolean; snomedCt: readonly string[] }[];

export type HistopathologyCode = (typeof HISTOPATHOLOGY_DIAGNOSES)[number]["code"];
export const HISTOPATHOLOGY_CODES = HISTOPATHOLOGY_DIAGNOSES.map((d) => d.code) as [HistopathologyCode, ...HistopathologyCode[]];

export function histopathologyOf(code: string) {
  return HISTOPATHOLOGY_DIAGNOSES.find((d) => d.code === code) ?? null;
}

export function histopathologyOfSnomedCt(conceptId: string) {
  return HISTOPATHOLOGY_DIAGNOSES.find((d) => (d.snomedCt as readonly string[]).includes(conceptId)) ?? null;
}

/** A readable label for any stored diagnosis (entered codes, data-set codes, or an archive's own words). */
export function diagnosisLabel(code: string): string {
  return histopathologyOf(code)?.label ?? (DIAGNOSIS_LABELS as Record<string, string>)[code] ?? code;
}

export const SUSPECTED_DIAGNOSES: readonly Diagnosis[] = DIAGNOSES;

export const FITZPATRICK_TYPES = [1, 2, 3, 4, 5, 6] as const;
export const FITZPATRICK_LABELS: Record<number, string> = { 1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI" };
