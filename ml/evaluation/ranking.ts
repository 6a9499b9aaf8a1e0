/**
 * The rank-based core of ROC AUC, shared by rocAuc and the bootstrap so both use exactly the same tie rule.
 * Not part of the public API.
 */

/** Case indices ordered by ascending score. */
export function ascendingOrder(scores: Float64Array): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => scores[a]! - scores[b]!);
}

/**
 * Mann-Whitney AUC over cases already in ascending score order: P(score of a random positive > score of a random
 * negative), a tie counting 1/2. `weights` (cases' multiplicities, indexed by case) lets the bootstrap score a
 * resample in O(n) without re-sorting. Returns null when either class has zero weight.
 */
export function aucFromAscendingOrder(
  order: Uint32Array,
  scores: Float64Array,
  positive: Uint8Array,
  weights?: Uint32Array,
): number | null {
  const n = order.length;
  let negativesBelow = 0;
  let positivesSeen = 0;
  let area = 0;
  let i = 0;
  while (i < n) {
    const score = scores[order[i]!]!;
    let groupPositives = 0;
    let groupNegatives = 0;
    // A tie group: every positive in it beats all negatives below and ties (1/2) with the negatives in it.
    while (i < n && scores[order[i]!] === score) {
      const k = order[i]!;
      const w = weights === undefined ? 1 : weights[k]!;
      if (positive[k] === 1) groupPositives += w;
      else groupNegatives += w;
      i++;
    }
    area += groupPositives * (negativesBelow + groupNegatives / 2);
    negativesBelow += groupNegatives;
    positivesSeen += groupPositives;
  }
  if (positivesSeen === 0 || negativesBelow === 0) return null;
  return area / (positivesSeen * negativesBelow);
}
