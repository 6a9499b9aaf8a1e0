import { createRng as mulberry32 } from "../random";

/** The default seed, so two runs of an evaluation report the same interval unless a caller asks otherwise. */
export const DEFAULT_BOOTSTRAP_SEED = 20240607;

/**
 * One bootstrap resample. The buffers are reused between resamples for speed: read them inside the statistic,
 * never keep them.
 */
export interface BootstrapResample {
  /**
   * The drawn case indices (with repetition): one per original case, or, with `clusters`, every member of each
   * drawn cluster (so the length varies between resamples).
   */
  readonly indices: Uint32Array;
  /** How many times each original case was drawn, indexed by case. */
  readonly counts: Uint32Array;
}

export interface BootstrapOptions {
  /** Number of resamples; default 1,000. */
  readonly resamples?: number;
  /** PRNG seed; default DEFAULT_BOOTSTRAP_SEED. */
  readonly seed?: number;
  /** Central coverage of the interval; default 0.95. */
  readonly confidence?: number;
  /**
   * Optional stratum per case (e.g. the class label): each resample then draws within each stratum, keeping its
   * size, so that (for AUC) no resample loses a class.
   */
  readonly strata?: ArrayLike<number | boolean>;
  /**
   * Optional cluster per case (e.g. the lesion id: several images of one lesion are not independent). Whole
   * clusters are then drawn with replacement, all their cases together; with `strata` too, clusters are drawn
   * within the stratum of their first case (a lesion has one diagnosis), keeping each stratum's cluster count.
   */
  readonly clusters?: ArrayLike<number | string>;
}

/**
 * Percentile bootstrap interval. `lower`/`upper` are null only when no resample gave a value (the statistic
 * returned null every time). `validResamples` < `resamples` means some resamples were undefined and skipped.
 */
export interface BootstrapInterval {
  readonly lower: number | null;
  readonly upper: number | null;
  readonly confidence: number;
  readonly resamples: number;
  readonly validResamples: number;
  readonly seed: number;
}

/**
 * Percentile bootstrap confidence interval of `statistic` over `caseCount` cases, deterministic for a given seed.
 * The statistic returns null for a resample where it is undefined (e.g. AUC with one class); such resamples are
 * skipped and counted.
 */
export function bootstrapInterval(
  caseCount: number,
  statistic: (resample: BootstrapResample) => number | null,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(caseCount) || caseCount < 0) throw new RangeError(`caseCount must be a non-negative integer, got ${caseCount}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);

  // Units drawn: single cases, or clusters of cases; grouped by stratum.
  const units = groupUnits(caseCount, options.clusters);
  const strata = groupByStratum(units.length, options.strata === undefined ? undefined : checkedStrata(options.strata, caseCount, units));
  const random = mulberry32(seed);
  let indices = new Uint32Array(caseCount);
  const counts = new Uint32Array(caseCount);
  const resample = { indices, counts };
  const values = new Float64Array(resamples);
  let valid = 0;

  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    let position = 0;
    for (const members of strata) {
      const size = members.length;
      for (let j = 0; j < size; j++) {
        const unit = units[members[Math.floor(random() * size)]!]!;
        if (position + unit.length > indices.length) {
          const grown = new Uint32Array(Math.max(indices.length * 2, position + unit.length));
          grown.set(indices.subarray(0, position));
          indices = grown;
        }
        for (const drawn of unit) {
          indices[position++] = drawn;
          counts[drawn]!++;
        }
      }
    }
    resample.indices = indices.subarray(0, position);
    const value = statistic(resample);
    if (value !== null && !Number.isNaN(value)) values[valid++] = value;
  }

  if (valid === 0) return { lower: null, upper: null, confidence, resamples, validResamples: 0, seed };
  const sorted = values.subarray(0, valid).sort();
  const tail = (1 - confidence) / 2;
  return {
    lower: quantileOfSorted(sorted, tail),
    upper: quantileOfSorted(sorted, 1 - tail),
    confidence,
    resamples,
    validResamples: valid,
    seed,
  };
}

/** Quantile with linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantileOfSorted(sorted: ArrayLike<number>, probability: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of an empty sample");
  if (!(probability >= 0 && probability <= 1)) throw new RangeError(`probability must be in [0, 1], got ${probability}`);
  const position = (sorted.length - 1) * probability;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below]! + (sorted[above]! - sorted[below]!) * fraction;
}

/** Indices 0..count-1 grouped by key (groups in order of first appearance). */
function groupIndicesByKey<K>(keys: ArrayLike<K>, what: string, count: number): Uint32Array[] {
  if (keys.length !== count) throw new RangeError(`${what} (${keys.length}) must have one entry per case (${count})`);
  const groups = new Map<K, number[]>();
  for (let i = 0; i < count; i++) {
    const members = groups.get(keys[i]!);
    if (members === undefined) groups.set(keys[i]!, [i]);
    else members.push(i);
  }
  return [...groups.values()].map((members) => Uint32Array.from(members));
}

/** Each unit's case indices: one per case, or the members of each cluster. */
function groupUnits(caseCount: number, clusters: ArrayLike<number | string> | undefined): Uint32Array[] {
  if (clusters === undefined) return Array.from({ length: caseCount }, (_, i) => Uint32Array.of(i));
  return groupIndicesByKey(clusters, "clusters", caseCount);
}

/** Per-unit strata from per-case strata (a cluster takes its first case's stratum). */
function checkedStrata(strata: ArrayLike<number | boolean>, caseCount: number, units: readonly Uint32Array[]): (number | boolean)[] {
  if (strata.length !== caseCount) throw new RangeError(`strata (${strata.length}) must have one entry per case (${caseCount})`);
  return units.map((members) => strata[members[0]!]!);
}

function groupByStratum(unitCount: number, strata: ArrayLike<number | boolean> | undefined): Uint32Array[] {
  if (strata === undefined) return [Uint32Array.from({ length: unitCount }, (_, i) => i)];
  return groupIndicesByKey(strata, "strata", unitCount);
}
