/**
 * The evaluation report a clinical reviewer reads: one JSON object (metrics.json in the model directory) with the
 * operating threshold and how it was chosen, and the same full set of measures on each part of the data that
 * matters: the official test split (to compare with published tables), its lesion-disjoint part (no lesion seen in
 * training), and its biopsied part (dx_type histo: lesions a clinician found suspicious enough to cut out).
 * Every proportion carries a Wilson interval and every AUC a bootstrap interval; undefined quantities are null.
 */
import type { Diagnosis } from "../diagnoses";
import type { OodReport } from "../ood/ood-report";
import type { AvoidableBiopsyStats, BinaryReport, SubgroupMetrics } from "../evaluation";

export const REPORT_SCHEMA_VERSION = 1;

export type SubsetName = "validation" | "test" | "test-lesion-disjoint" | "test-histo" | "cross-source";

export interface MulticlassReport {
  n: number;
  accuracy: number | null;
  macroAuc: number | null;
  perClassAuc: Record<Diagnosis, number | null>;
  classesEvaluated: number;
  /** rows = actual, columns = predicted, both in DIAGNOSES order. */
  confusionMatrix: { labels: readonly Diagnosis[]; rows: number[][] };
}

export interface SubgroupReport {
  sex: SubgroupMetrics[];
  ageBand: SubgroupMetrics[];
  site: SubgroupMetrics[];
  /** Always null: HAM10000/DermaMNIST record no Fitzpatrick skin type. */
  fitzpatrick: null;
}

export interface BiopsyReport {
  /** Each biopsied image counted on its own. */
  perImage: AvoidableBiopsyStats;
  /**
   * One case per biopsied lesion: a lesion counts as called likely benign only if ALL its images score below the
   * threshold (its maximum score), the conservative reading when several photos of one lesion exist.
   */
  perLesion: AvoidableBiopsyStats;
}

export interface SubsetReport {
  name: SubsetName;
  description: string;
  /** Images with a benign/malignant label (unlabelled ones are excluded and counted in the report's `excluded`). */
  n: number;
  malignant: number;
  benign: number;
  lesions: number;
  /** Null when some images lack a 7-class diagnosis (binary-only data). */
  multiclass: MulticlassReport | null;
  binary: BinaryReport;
  subgroups: SubgroupReport;
  /** Null when the subset holds no biopsied (histo) image. */
  biopsy: BiopsyReport | null;
}

export interface ThresholdChoice {
  value: number;
  targetSensitivity: number;
  /** "validation": chosen by selectOperatingThreshold on the validation split; "given": passed in (e.g. the stored one). */
  chosenOn: "validation" | "given";
  /** What the threshold achieves on validation. */
  validation: { n: number; positives: number; negatives: number; sensitivity: number | null; specificity: number | null } | null;
}

export interface EvaluationReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  createdAt: string;
  modelVersion: string | null;
  /** The inference backend that produced the probabilities. */
  backend: string;
  labelMode: "diagnosis" | "malignancy";
  threshold: ThresholdChoice;
  validation: SubsetReport | null;
  /** Cut points of validation P(malignant) into 10 equal bins (the drift reference); absent in older reports. */
  validationScoreDeciles?: number[] | null;
  test: SubsetReport;
  lesionDisjointTest: SubsetReport | null;
  histoTest: SubsetReport | null;
  /** Images from other clinics/sources than the training data, when the caller gave some (never used for choices). */
  crossSource?: SubsetReport | null;
  /** How often the out-of-distribution check fires on each part (models with a detector only). */
  ood?: OodReport | null;
  excluded: { unlabelledImages: number };
  notes: string[];
}
