/**
 * Linear warm-up then cosine decay to `finalFraction` of the peak, as a function of training progress in [0, 1].
 * Progress (not step count) so that a time-budgeted run, whose step count is unknown in advance, still anneals.
 */
export interface CosineSchedule {
  peak: number;
  /** Fraction of training spent warming up linearly from 0 (default 0.03). */
  warmupFraction?: number;
  /** Learning rate at the end, as a fraction of the peak (default 0.01). */
  finalFraction?: number;
}

export function cosineLearningRate(progress: number, schedule: CosineSchedule): number {
  const { peak, warmupFraction = 0.03, finalFraction = 0.01 } = schedule;
  const p = Math.min(1, Math.max(0, progress));
  if (warmupFraction > 0 && p < warmupFraction) return peak * Math.max(p / warmupFraction, 0.01);
  const t = warmupFraction >= 1 ? 1 : (p - warmupFraction) / (1 - warmupFraction);
  const floor = peak * finalFraction;
  return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
}
