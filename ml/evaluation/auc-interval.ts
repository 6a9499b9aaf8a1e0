import { type BinaryLabels, readBinaryInput, type Scores } from "./binary-input";
import { type BootstrapInterval, bootstrapInterval } from "./bootstrap";
import { aucFromAscendingOrder, ascendingOrder } from "./ranking";

export interface AucIntervalOptions {
  readonly resamples?: number;
  readonly seed?: number;
  readonly confidence?: number;
  /** Cluster per case (the lesion): whole lesions are resampled, see BootstrapOptions.clusters. */
  readonly clusters?: ArrayLike<number | string>;
}

/**
 * Bootstrap interval for ROC AUC. Resampling is stratified by class (pROC's default): every resample keeps the
 * sample's numbers of positives and negatives, so none is undefined. The cases are sorted once and each resample
 * is scored from its multiplicities in O(n), so 1,000 resamples of 10,000 cases take a fraction of a second.
 * Null when one class is absent (the AUC itself is undefined).
 */
export function bootstrapAucInterval(
  scores: Scores,
  labels: BinaryLabels,
  options: AucIntervalOptions = {},
): BootstrapInterval | null {
  const input = readBinaryInput(scores, labels);
  if (input.positives === 0 || input.negatives === 0) return null;
  const order = ascendingOrder(input.scores);
  return bootstrapInterval(
    input.scores.length,
    (resample) => aucFromAscendingOrder(order, input.scores, input.positive, resample.counts),
    { ...options, strata: input.positive },
  );
}
