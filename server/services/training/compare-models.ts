/**
 * Candidate vs active model on the same locked test cases. The candidate's report comes from its own evaluation in
 * trainAndEvaluate; the active model is scored here on exactly the same records, at the operating point in force at
 * this deployment (its validation threshold, or a local one an admin adopted: what it actually does here), through a
 * predictor loaded only if its files match the registry's hash.
 */
import type { ImageRecord } from "@/ml/data";
import { loadPredictor } from "@/ml/inference";
import { evaluateModel, type EvaluationReport } from "@/ml/pipeline";
import type { Db } from "../../db/client";
import { inForce, operatingPointInForceSelect } from "../models/operating-point-in-force";
import type { ModelOnTestSet } from "./training-run-result";

export type { ModelComparison, ModelOnTestSet } from "./training-run-result";

export function summariseOnTestSet(version: string, report: EvaluationReport): ModelOnTestSet {
  const binary = report.test.binary;
  return {
    version,
    threshold: binary.threshold,
    auc: binary.auc,
    aucLower: binary.aucInterval?.lower ?? null,
    aucUpper: binary.aucInterval?.upper ?? null,
    sensitivity: binary.metrics.sensitivity.estimate,
    specificity: binary.metrics.specificity.estimate,
    avoidableBiopsyRate: report.test.biopsy?.perLesion.avoidableRate?.estimate ?? null,
    missedMalignant: binary.counts.fn,
    ece: binary.ece,
  };
}

/** The active model's evaluation on these records' test split, or null when none is active. */
export async function evaluateActiveModel(options: {
  db: Db;
  records: readonly ImageRecord[];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}): Promise<{ version: string; report: EvaluationReport } | null> {
  const active = await options.db.modelVersion.findFirst({
    where: { status: "ACTIVE" },
    select: { version: true, storagePath: true, sha256: true, ...operatingPointInForceSelect },
  });
  if (!active) return null;
  const predictor = await loadPredictor(active.storagePath);
  try {
    if (predictor.manifestSha256 !== active.sha256) {
      throw new Error(`Active model ${active.version} on disk does not match the registry (manifest hash differs).`);
    }
    const report = await evaluateModel({
      scorer: predictor,
      records: options.records,
      threshold: inForce(active).threshold,
      modelVersion: active.version,
      labelMode: predictor.labelMode,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    return { version: active.version, report };
  } finally {
    await predictor.dispose();
  }
}
