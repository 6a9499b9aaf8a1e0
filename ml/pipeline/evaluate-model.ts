/**
 * evaluateModel: scores the validation and test images with a model (through the same Scorer that serves
 * predictions), chooses the operating threshold on validation for the target sensitivity (unless one is given), and
 * builds the full EvaluationReport on the test split and its lesion-disjoint and biopsied parts.
 */
import type { ImageRecord } from "../data";
import type { BinaryReportOptions } from "../evaluation";
import type { EngineKind } from "../inference/engines/engine";
import { createScorer, type Scorer } from "../inference/scorer";
import { artifactsOfLayersModel, type ModelArtifactsBundle, type SavableModel } from "../store/model-artifacts";
import type { Preprocessing } from "../store/model-files";
import type { EvaluationReport } from "./evaluation-report";
import { DIAGNOSES } from "../diagnoses";
import type { SubsetReport } from "./evaluation-report";
import { evaluateProbabilities, subsetReport } from "./evaluate-probabilities";

/** A model not yet saved: a tf.LayersModel (or its artifacts) and the preprocessing it was trained with. */
export interface UnsavedModel {
  model: SavableModel | ModelArtifactsBundle;
  preprocessing: Preprocessing;
  engine?: EngineKind;
}

export interface EvaluateModelOptions {
  /** A Scorer or Predictor (ml/inference), or an unsaved model to score through a temporary Scorer. */
  scorer: Pick<Scorer, "backend" | "scoreRecords"> | UnsavedModel;
  /** Records of every split; val and test are scored, train only defines which test lesions were seen. */
  records: readonly ImageRecord[];
  /** Sensitivity the threshold must reach on validation (default 0.95). */
  targetSensitivity?: number;
  /** A fixed threshold (e.g. the model's stored one) instead of choosing on validation. */
  threshold?: number;
  modelVersion?: string | null;
  labelMode?: "diagnosis" | "malignancy";
  /** Bootstrap resamples, seed and bins of the binary reports (default 1,000 resamples). */
  binary?: BinaryReportOptions;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function evaluateModel(options: EvaluateModelOptions): Promise<EvaluationReport> {
  if (!("scoreRecords" in options.scorer)) {
    const { model, preprocessing, engine } = options.scorer;
    const artifacts = "modelTopology" in model ? model : await artifactsOfLayersModel(model);
    const scorer = await createScorer(artifacts, preprocessing, { engine });
    try {
      return await evaluateModel({ ...options, scorer });
    } finally {
      await scorer.dispose();
    }
  }
  const { records, scorer, signal } = options;
  signal?.throwIfAborted();
  const toScore = records.filter((r) => (r.split === "val" || r.split === "test") && r.malignant !== null);
  const probabilities = await scorer.scoreRecords(toScore, { onProgress: options.onProgress });
  signal?.throwIfAborted();
  const k = probabilities.length / Math.max(1, toScore.length);
  const probabilitiesById = new Map(toScore.map((r, i) => [r.id, probabilities.subarray(i * k, (i + 1) * k)] as const));
  return evaluateProbabilities({
    records,
    probabilitiesById,
    targetSensitivity: options.targetSensitivity,
    threshold: options.threshold,
    modelVersion: options.modelVersion,
    backend: scorer.backend,
    labelMode: options.labelMode ?? (toScore.every((r) => r.diagnosis !== null) ? "diagnosis" : "malignancy"),
    binary: options.binary,
  });
}

/** The cross-source check: `records` (labelled ones) scored once and reported at a threshold chosen elsewhere. */
export async function crossSourceReport(
  scorer: Pick<Scorer, "scoreRecords">,
  records: readonly ImageRecord[],
  threshold: number,
  binary: BinaryReportOptions = {},
): Promise<SubsetReport | null> {
  const labelled = records.filter((r): r is ImageRecord & { malignant: boolean } => r.malignant !== null);
  if (labelled.length === 0) return null;
  const probabilities = await scorer.scoreRecords(labelled);
  const k = DIAGNOSES.length;
  const byId = new Map(labelled.map((r, i) => [r.id, probabilities.subarray(i * k, (i + 1) * k)] as const));
  return subsetReport("cross-source", labelled, byId, threshold, binary);
}
