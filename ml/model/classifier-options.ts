/**
 * Options of the lesion classifier's architecture. Defaults are the configuration chosen on DermaMNIST's validation
 * split (see ml/training/README.md for what was measured); every field can be overridden for experiments.
 */
export interface ClassifierOptions {
  /** Square input side in pixels (default 28). */
  inputSize?: number;
  /** Input channels (default 3, RGB). */
  channels?: number;
  /** Output classes (default 7, DIAGNOSES order). */
  classCount?: number;
  /** Seeds every initialiser, so the same options give the same initial weights (default 0). */
  seed?: number;
  /** Filters of each stage; a 2x2 max-pool sits between stages (default [32, 64, 128]). */
  stageWidths?: readonly number[];
  /** 3x3 conv + batch-norm + ReLU units per stage (default [1, 2, 2]). */
  convsPerStage?: readonly number[];
  /** Adds an identity (or 1x1-projected) shortcut around each stage's convs after the first (default false). */
  residual?: boolean;
  /** Batch-norm moving-average momentum; 0.99 collapsed to one class with few steps here, 0.9 did not (default 0.9). */
  batchNormMomentum?: number;
  /** Hidden units of a dense layer between pooling and the logits; 0 for none (default 0). */
  headUnits?: number;
}

export type ResolvedClassifierOptions = Required<ClassifierOptions>;

export const DEFAULT_CLASSIFIER_OPTIONS: ResolvedClassifierOptions = {
  inputSize: 28,
  channels: 3,
  classCount: 7,
  seed: 0,
  stageWidths: [32, 64, 128],
  convsPerStage: [1, 2, 2],
  residual: false,
  batchNormMomentum: 0.9,
  headUnits: 0,
};

export function resolveClassifierOptions(options: ClassifierOptions = {}): ResolvedClassifierOptions {
  const resolved: ResolvedClassifierOptions = { ...DEFAULT_CLASSIFIER_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt("inputSize", resolved.inputSize);
  positiveInt("channels", resolved.channels);
  if (!Number.isInteger(resolved.classCount) || resolved.classCount < 2) {
    throw new RangeError(`classCount must be an integer >= 2, got ${resolved.classCount}`);
  }
  if (!Number.isInteger(resolved.seed)) throw new RangeError(`seed must be an integer, got ${resolved.seed}`);
  if (resolved.stageWidths.length === 0 || resolved.stageWidths.length !== resolved.convsPerStage.length) {
    throw new RangeError("stageWidths and convsPerStage must be non-empty and of equal length");
  }
  resolved.stageWidths.forEach((w, i) => positiveInt(`stageWidths[${i}]`, w));
  resolved.convsPerStage.forEach((n, i) => positiveInt(`convsPerStage[${i}]`, n));
  if (resolved.inputSize >> (resolved.stageWidths.length - 1) < 1) {
    throw new RangeError(`inputSize ${resolved.inputSize} is too small for ${resolved.stageWidths.length} stages`);
  }
  if (!(resolved.batchNormMomentum > 0 && resolved.batchNormMomentum < 1)) {
    throw new RangeError(`batchNormMomentum must be in (0, 1), got ${resolved.batchNormMomentum}`);
  }
  if (!Number.isInteger(resolved.headUnits) || resolved.headUnits < 0) {
    throw new RangeError(`headUnits must be an integer >= 0, got ${resolved.headUnits}`);
  }
  return resolved;
}
