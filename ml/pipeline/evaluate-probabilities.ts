/**
 * The evaluation arithmetic, given records and the model's probabilities for them: no model, no I/O. Shared by
 * evaluateModel (which produces the probabilities) and tests (which can feed known ones).
 */
import type { ImageRecord } from "../data";
import { lesionDisjointTestRecords, lesionKey } from "../data";
import { DIAGNOSES, malignantProbability, type Diagnosis } from "../diagnoses";
import {
  AGE_BANDS,
  accuracy,
  ageBand,
  argmaxRows,
  avoidableBiopsyStats,
  binaryCounts,
  binaryReport,
  confusionMatrix,
  macroOneVsRestAuc,
  selectOperatingThreshold,
  subgroupMetrics,
  type BiopsyCase,
  type BinaryReportOptions,
} from "../evaluation";
import {
  REPORT_SCHEMA_VERSION,
  type BiopsyReport,
  type EvaluationReport,
  type MulticlassReport,
  type SubgroupReport,
  type SubsetName,
  type SubsetReport,
  type ThresholdChoice,
} from "./evaluation-report";

export const DEFAULT_TARGET_SENSITIVITY = 0.95;

export interface EvaluateProbabilitiesOptions {
  /** Every record of every split (train and val lesion ids define the lesion-disjoint test part). */
  records: readonly ImageRecord[];
  /** Probabilities by record id for at least the val and test records. */
  probabilitiesById: ReadonlyMap<string, ArrayLike<number>>;
  targetSensitivity?: number;
  /** Use this threshold instead of choosing one on validation. */
  threshold?: number;
  modelVersion?: string | null;
  backend: string;
  labelMode: "diagnosis" | "malignancy";
  binary?: BinaryReportOptions;
  now?: Date;
}

type Labelled = ImageRecord & { malignant: boolean };

const DESCRIPTIONS: Record<SubsetName, string> = {
  validation: "Validation split: used to choose the operating threshold (and epochs); not an unbiased estimate.",
  test: "Official test split (per image, as published): comparable with MedMNIST tables, but about a third of its images show a lesion also in train/val.",
  "test-lesion-disjoint":
    "Test images whose lesion is in neither train nor val: no lesion seen in training. Different case mix (mostly single-image lesions, many followed-up nevi).",
  "test-histo": "Biopsied test images (dx_type histo): every lesion here looked suspicious enough to a clinician to cut out. The hardest, most telling subset.",
  "cross-source":
    "Images from other sources than the training data, at the threshold chosen on validation: what a new clinic would see. Never used to train or choose anything.",
};

function labelled(records: readonly ImageRecord[]): Labelled[] {
  return records.filter((r): r is Labelled => r.malignant !== null);
}

function scoredOf(records: readonly Labelled[], probabilitiesById: ReadonlyMap<string, ArrayLike<number>>): { record: Labelled; p: ArrayLike<number>; score: number }[] {
  return records.map((record) => {
    const p = probabilitiesById.get(record.id);
    if (p === undefined) throw new RangeError(`no probabilities for record ${record.id}`);
    if (p.length !== DIAGNOSES.length) throw new RangeError(`record ${record.id}: ${p.length} probabilities, expected ${DIAGNOSES.length}`);
    return { record, p, score: malignantProbability(p) };
  });
}

function multiclassOf(cases: readonly { record: Labelled; p: ArrayLike<number> }[]): MulticlassReport | null {
  if (cases.length === 0 || cases.some((c) => c.record.diagnosis === null)) return null;
  const k = DIAGNOSES.length;
  const flat = new Float64Array(cases.length * k);
  cases.forEach((c, i) => {
    for (let j = 0; j < k; j++) flat[i * k + j] = c.p[j]!;
  });
  const actual = cases.map((c) => DIAGNOSES.indexOf(c.record.diagnosis as Diagnosis));
  const predicted = argmaxRows(flat, k);
  const auc = macroOneVsRestAuc(flat, actual, k);
  return {
    n: cases.length,
    accuracy: accuracy(predicted, actual),
    macroAuc: auc.macroAuc,
    perClassAuc: Object.fromEntries(DIAGNOSES.map((dx, i) => [dx, auc.perClass[i] ?? null])) as Record<Diagnosis, number | null>,
    classesEvaluated: auc.classesEvaluated,
    confusionMatrix: { labels: DIAGNOSES, rows: confusionMatrix(predicted, actual, k) },
  };
}

function subgroupsOf(cases: readonly { record: Labelled; score: number }[], threshold: number): SubgroupReport {
  const by = (group: (r: Labelled) => string, order?: readonly string[]) =>
    subgroupMetrics(
      cases.map((c) => ({ score: c.score, malignant: c.record.malignant, group: group(c.record) })),
      threshold,
      { order },
    );
  return {
    sex: by((r) => r.sex ?? "unknown", ["female", "male", "unknown"]),
    ageBand: by((r) => ageBand(r.age), AGE_BANDS),
    site: by((r) => r.site ?? "unknown"),
    fitzpatrick: null,
  };
}

function biopsyOf(cases: readonly { record: Labelled; score: number }[], threshold: number): BiopsyReport | null {
  const biopsied = cases.filter((c) => c.record.dxType === "histo");
  if (biopsied.length === 0) return null;
  const perImage: BiopsyCase[] = biopsied.map((c) => ({ score: c.score, malignant: c.record.malignant, biopsied: true }));
  const lesions = new Map<string, { score: number; malignant: boolean }>();
  for (const c of biopsied) {
    const key = lesionKey(c.record);
    const seen = lesions.get(key);
    lesions.set(key, { score: Math.max(seen?.score ?? -Infinity, c.score), malignant: (seen?.malignant ?? false) || c.record.malignant });
  }
  const perLesion: BiopsyCase[] = [...lesions.values()].map((l) => ({ ...l, biopsied: true }));
  return { perImage: avoidableBiopsyStats(perImage, threshold), perLesion: avoidableBiopsyStats(perLesion, threshold) };
}

export function subsetReport(
  name: SubsetName,
  records: readonly Labelled[],
  probabilitiesById: ReadonlyMap<string, ArrayLike<number>>,
  threshold: number,
  binaryOptions: BinaryReportOptions = {},
): SubsetReport {
  const cases = scoredOf(records, probabilitiesById);
  const scores = cases.map((c) => c.score);
  const labels = cases.map((c) => c.record.malignant);
  const malignant = labels.filter(Boolean).length;
  return {
    name,
    description: DESCRIPTIONS[name],
    n: cases.length,
    malignant,
    benign: cases.length - malignant,
    lesions: new Set(records.map(lesionKey)).size,
    multiclass: multiclassOf(cases),
    // Intervals resample lesions, not images: DermaMNIST/HAM10000 images share lesions.
    binary: binaryReport(scores, labels, threshold, { ...binaryOptions, clusters: cases.map((c) => lesionKey(c.record)) }),
    subgroups: subgroupsOf(cases, threshold),
    biopsy: biopsyOf(cases, threshold),
  };
}

function chooseThreshold(
  val: readonly Labelled[],
  probabilitiesById: ReadonlyMap<string, ArrayLike<number>>,
  targetSensitivity: number,
  given: number | undefined,
): ThresholdChoice {
  const cases = scoredOf(val, probabilitiesById);
  const scores = cases.map((c) => c.score);
  const labels = cases.map((c) => c.record.malignant);
  if (given !== undefined) {
    if (!(given >= 0 && given <= 1)) throw new RangeError(`threshold must be in [0, 1], got ${given}`);
    if (cases.length === 0) return { value: given, targetSensitivity, chosenOn: "given", validation: null };
    const counts = binaryCounts(scores, labels, given);
    return {
      value: given,
      targetSensitivity,
      chosenOn: "given",
      validation: {
        n: counts.total,
        positives: counts.positives,
        negatives: counts.negatives,
        sensitivity: counts.positives === 0 ? null : counts.tp / counts.positives,
        specificity: counts.negatives === 0 ? null : counts.tn / counts.negatives,
      },
    };
  }
  if (cases.length === 0) throw new RangeError("no labelled validation images: cannot choose an operating threshold (pass one explicitly)");
  const point = selectOperatingThreshold(scores, labels, targetSensitivity);
  return {
    value: point.threshold,
    targetSensitivity,
    chosenOn: "validation",
    validation: {
      n: point.counts.total,
      positives: point.counts.positives,
      negatives: point.counts.negatives,
      sensitivity: point.sensitivity,
      specificity: point.specificity,
    },
  };
}

/**
 * The 9 cut points that split validation P(malignant) into 10 equally full bins: the reference a deployment's score
 * distribution is compared with (drift, server/services/safety). Null below 20 validation images.
 */
export function scoreDeciles(scores: readonly number[]): number[] | null {
  if (scores.length < 20) return null;
  const sorted = [...scores].sort((a, b) => a - b);
  return Array.from({ length: 9 }, (_, i) => sorted[Math.min(sorted.length - 1, Math.floor(((i + 1) * sorted.length) / 10))]!);
}

export function evaluateProbabilities(options: EvaluateProbabilitiesOptions): EvaluationReport {
  const { records, probabilitiesById } = options;
  const targetSensitivity = options.targetSensitivity ?? DEFAULT_TARGET_SENSITIVITY;
  const val = labelled(records.filter((r) => r.split === "val"));
  const test = labelled(records.filter((r) => r.split === "test"));
  if (test.length === 0) throw new RangeError("no labelled test images to evaluate");
  const threshold = chooseThreshold(val, probabilitiesById, targetSensitivity, options.threshold);
  const t = threshold.value;
  const disjoint = labelled(lesionDisjointTestRecords(records));
  const histo = test.filter((r) => r.dxType === "histo");
  const evaluated = records.filter((r) => r.split !== "train");
  const notes = [
    "P(malignant) = P(akiec) + P(bcc) + P(mel); a case is called malignant when P(malignant) >= threshold.",
    "Fitzpatrick skin type is not recorded in HAM10000/DermaMNIST: no skin-type subgroup can be reported.",
  ];
  if (options.labelMode === "malignancy") notes.push("Trained on benign/malignant labels only: per-diagnosis probabilities are not meaningful, only P(malignant).");
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    modelVersion: options.modelVersion ?? null,
    backend: options.backend,
    labelMode: options.labelMode,
    threshold,
    validation: val.length > 0 ? subsetReport("validation", val, probabilitiesById, t, options.binary) : null,
    validationScoreDeciles: scoreDeciles(scoredOf(val, probabilitiesById).map((c) => c.score)),
    test: subsetReport("test", test, probabilitiesById, t, options.binary),
    lesionDisjointTest: disjoint.length > 0 ? subsetReport("test-lesion-disjoint", disjoint, probabilitiesById, t, options.binary) : null,
    histoTest: histo.length > 0 ? subsetReport("test-histo", histo, probabilitiesById, t, options.binary) : null,
    excluded: { unlabelledImages: evaluated.length - labelled(evaluated).length },
    notes,
  };
}
