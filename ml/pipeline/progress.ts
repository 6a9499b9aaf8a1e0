/** Progress of trainAndEvaluate, for the CLI's progress bar and for background jobs reporting to the UI. */
import type { TrainingProgress } from "../training/training-types";

export const PIPELINE_PHASES = ["load-data", "decode", "train", "evaluate", "save", "verify", "done"] as const;
export type PipelinePhase = (typeof PIPELINE_PHASES)[number];

export interface PipelineProgress {
  phase: PipelinePhase;
  message: string;
  /** Progress within the phase, 0..1, when measurable. */
  fraction: number | null;
  /** Set during "train": the trainer's own event (epoch, loss, validation metrics, throughput, ETA). */
  training?: TrainingProgress;
}
