/** What the training process reports to the UI (stored in TrainingRun.progress), and one overall progress bar. */
import { z } from "zod";
import type { PipelineProgress } from "@/ml/pipeline";

export const RUN_PHASES = ["prepare-data", "load-data", "decode", "train", "evaluate", "compare", "save", "verify", "done"] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

const measure = z.number().nullable();

/** TrainingRun.progress as the training process writes it (progressFromPipeline); the runs list parses it. */
export const trainingRunProgressSchema = z.object({
  phase: z.enum(RUN_PHASES),
  message: z.string(),
  /** 0..1 over the whole run, for the progress bar. */
  overall: z.number(),
  epoch: measure,
  epochs: measure,
  loss: measure,
  valAuc: measure,
  /** Training seconds left (measured by the trainer), null when not yet measurable or after training. */
  etaSeconds: measure,
  imagesPerSecond: measure,
  elapsedSeconds: z.number(),
});
export type TrainingRunProgress = z.infer<typeof trainingRunProgressSchema>;

/** Share of the run's wall time each phase takes, roughly (training dominates). */
const PHASE_WEIGHTS: Record<RunPhase, number> = {
  "prepare-data": 0.04,
  "load-data": 0.01,
  decode: 0.05,
  train: 0.76,
  evaluate: 0.08,
  compare: 0.04,
  save: 0.01,
  verify: 0.01,
  done: 0,
};

export function overallFraction(phase: RunPhase, fraction: number | null): number {
  let before = 0;
  for (const name of RUN_PHASES) {
    if (name === phase) break;
    before += PHASE_WEIGHTS[name];
  }
  if (phase === "done") return 1;
  return Math.min(1, before + PHASE_WEIGHTS[phase] * Math.max(0, Math.min(1, fraction ?? 0)));
}

export function progressFromPipeline(event: PipelineProgress, elapsedSeconds: number, previous: TrainingRunProgress | null): TrainingRunProgress {
  const training = event.training;
  return {
    phase: event.phase,
    message: event.message,
    overall: overallFraction(event.phase, event.fraction),
    epoch: training?.epoch ?? previous?.epoch ?? null,
    epochs: training ? training.epochs : (previous?.epochs ?? null),
    loss: training?.loss ?? previous?.loss ?? null,
    valAuc: training?.valAuc ?? previous?.valAuc ?? null,
    etaSeconds: event.phase === "train" ? (training?.etaSeconds ?? null) : null,
    imagesPerSecond: training?.imagesPerSecond ?? previous?.imagesPerSecond ?? null,
    elapsedSeconds,
  };
}
