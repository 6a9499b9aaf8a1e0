/**
 * How often the out-of-distribution check fires on each part of the data: the evaluation report's `ood` section.
 * On validation it fires at the rate its threshold was set to; on test (same source, never seen) it should fire
 * about as often; on images from other clinics more often; on pictures that are not dermoscopy almost always.
 */
import type { Scorer } from "../inference/scorer";
import { mahalanobisScores, type OodDetector } from "./mahalanobis";

export interface OodSubsetRate {
  name: string;
  n: number;
  flagged: number;
  rate: number | null;
  medianScore: number | null;
}

export interface OodReport {
  method: OodDetector["method"];
  features: string;
  dim: number;
  threshold: number;
  thresholdChosenOn: "validation";
  validationFalseAlarmRate: number;
  subsets: OodSubsetRate[];
}

export function oodSubsetRate(detector: OodDetector, name: string, features: Float32Array, count: number): OodSubsetRate {
  const scores = mahalanobisScores(detector, features, count);
  const sorted = Float64Array.from(scores).sort();
  const flagged = scores.reduce((n, s) => n + (s > detector.threshold ? 1 : 0), 0);
  return { name, n: count, flagged, rate: count === 0 ? null : flagged / count, medianScore: count === 0 ? null : sorted[Math.floor(count / 2)]! };
}

export function buildOodReport(detector: OodDetector, subsets: OodSubsetRate[]): OodReport {
  return {
    method: detector.method,
    features: detector.features,
    dim: detector.dim,
    threshold: detector.threshold,
    thresholdChosenOn: detector.thresholdChosenOn,
    validationFalseAlarmRate: detector.validationFalseAlarmRate,
    subsets,
  };
}

/**
 * A Scorer view whose scoreRecords also keeps each record's pooled features (by file), so that one scoring pass
 * serves both the evaluation report and the OOD figures.
 */
export function recordingFeatures(scorer: Pick<Scorer, "backend" | "featureSize" | "scoreRecordsWithFeatures">) {
  const byFile = new Map<string, Float32Array>();
  const d = scorer.featureSize;
  return {
    scorer: {
      backend: scorer.backend,
      async scoreRecords(records: readonly { file: string }[], options?: Parameters<Scorer["scoreRecords"]>[1]) {
        const out = await scorer.scoreRecordsWithFeatures(records, options);
        if (out.features) records.forEach((r, i) => byFile.set(r.file, out.features!.slice(i * d, (i + 1) * d)));
        return out.probabilities;
      },
    },
    /** count x d features of `records` (all must have been scored), or null when the model has no feature output. */
    featuresOf(records: readonly { file: string }[]): Float32Array | null {
      if (d === 0) return null;
      const out = new Float32Array(records.length * d);
      records.forEach((r, i) => {
        const f = byFile.get(r.file);
        if (f === undefined) throw new Error(`no features recorded for ${r.file}`);
        out.set(f, i * d);
      });
      return out;
    },
  };
}
