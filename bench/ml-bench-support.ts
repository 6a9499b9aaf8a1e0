/**
 * Shared by the ml benchmarks: a description of the machine (benchmarks are only comparable on the same one, and
 * the load average says whether other work shared the CPU), simple statistics, the headline figures of a training
 * run, and writing the results file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EvaluationReport, SubsetReport } from "../ml/pipeline/evaluation-report";
import type { TrainAndEvaluateResult } from "../ml/pipeline/train-and-evaluate";

export const BENCH_RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "results");

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gib: number;
  platform: string;
  node: string;
  /** 1-minute load average when the benchmark started; above the core count means the CPU was shared. */
  load_average_1m_at_start: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism?.() ?? cpus.length,
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    load_average_1m_at_start: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function summary(values: readonly number[]): { mean: number; std: number; min: number; max: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}

/** `--seeds 0,1,2` (default "0") as whole numbers. */
export function parseSeeds(value: string | undefined): number[] {
  const seeds = (value ?? "0").split(",").map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--seeds must be whole numbers, got ${value}`);
  return seeds;
}

export const round = (v: number | null, digits = 4): number | null => (v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));

export function writeResults(file: string, results: unknown): string {
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(results, null, 2)}\n`);
  return target;
}

/** The headline figures of one trainAndEvaluate run, as the accuracy benchmarks report them. */
export function runFigures(seed: number, r: TrainAndEvaluateResult) {
  const { report, training, timings } = r;
  return {
    seed,
    model_version: r.saved.version,
    ...reportFigures(report),
    epochs_run: training.epochsRun,
    best_epoch: training.bestEpoch,
    stopped_by: training.stoppedBy,
    train_seconds: round(timings.trainSeconds, 1),
    train_images_per_second: round(training.imagesPerSecond, 1),
    test_time_augmentation: training.testTimeAugmentation.mode,
  };
}

export type RunFigures = ReturnType<typeof runFigures>;

/** How often the out-of-distribution check fired, per part (null without a detector). */
function oodFigures(ood: EvaluationReport["ood"] | null) {
  const rate = (name: string) => round(ood?.subsets.find((s) => s.name === name)?.rate ?? null);
  return {
    ood_threshold: ood ? round(ood.threshold, 3) : null,
    ood_validation_false_alarm_target: ood?.validationFalseAlarmRate ?? null,
    ood_rate_validation: rate("validation"),
    ood_rate_test: rate("test"),
    ood_rate_histo: rate("test-histo"),
    ood_rate_cross_source: rate("cross-source"),
  };
}

/** The figures of one evaluation report (a trained run's, or a saved model evaluated again). */
export function reportFigures(report: EvaluationReport) {
  const biopsy = report.test.biopsy?.perImage ?? null;
  return {
    threshold: round(report.threshold.value, 6),
    val_sensitivity_at_threshold: round(report.threshold.validation?.sensitivity ?? null),
    val_specificity_at_threshold: round(report.threshold.validation?.specificity ?? null),
    // Validation figures: what choosing between recipes may look at (test and cross-source may not).
    val_binary_auc: round(report.validation?.binary.auc ?? null),
    val_macro_auc: round(report.validation?.multiclass?.macroAuc ?? null),
    test_macro_auc: round(report.test.multiclass?.macroAuc ?? null),
    test_accuracy: round(report.test.multiclass?.accuracy ?? null),
    test_binary_auc: round(report.test.binary.auc),
    test_binary_auc_ci95: report.test.binary.aucInterval ? [round(report.test.binary.aucInterval.lower), round(report.test.binary.aucInterval.upper)] : null,
    histo_binary_auc: round(report.histoTest?.binary.auc ?? null),
    lesion_disjoint_binary_auc: round(report.lesionDisjointTest?.binary.auc ?? null),
    lesion_disjoint_macro_auc: round(report.lesionDisjointTest?.multiclass?.macroAuc ?? null),
    lesion_disjoint_accuracy: round(report.lesionDisjointTest?.multiclass?.accuracy ?? null),
    sensitivity_at_val_threshold: round(report.test.binary.metrics.sensitivity.estimate),
    specificity_at_val_threshold: round(report.test.binary.metrics.specificity.estimate),
    histo_sensitivity_at_val_threshold: round(report.histoTest?.binary.metrics.sensitivity.estimate ?? null),
    histo_specificity_at_val_threshold: round(report.histoTest?.binary.metrics.specificity.estimate ?? null),
    avoidable_benign_biopsy_rate: round(biopsy?.avoidableRate.estimate ?? null),
    benign_biopsied: biopsy?.benignBiopsied ?? null,
    missed_malignant_histo: biopsy?.malignantMissed ?? null,
    malignant_histo: biopsy?.malignantBiopsied ?? null,
    test_ece: round(report.test.binary.ece),
    inference_backend: report.backend,
    ...crossSourceFigures(report.crossSource ?? null),
    ...oodFigures(report.ood ?? null),
  };
}

function crossSourceFigures(cross: SubsetReport | null) {
  if (cross === null) return {};
  return {
    cross_source_images: cross.n,
    cross_source_malignant: cross.malignant,
    cross_source_binary_auc: round(cross.binary.auc),
    cross_source_binary_auc_ci95: cross.binary.aucInterval ? [round(cross.binary.aucInterval.lower), round(cross.binary.aucInterval.upper)] : null,
    cross_source_sensitivity_at_val_threshold: round(cross.binary.metrics.sensitivity.estimate),
    cross_source_specificity_at_val_threshold: round(cross.binary.metrics.specificity.estimate),
    cross_source_malignant_called_benign: cross.binary.counts.fn,
    cross_source_macro_auc: round(cross.multiclass?.macroAuc ?? null),
  };
}
