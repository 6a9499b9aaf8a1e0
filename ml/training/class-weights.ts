/**
 * Per-class loss weights against class imbalance (DermaMNIST's train split is 67% nevi, 1.1% dermatofibroma).
 * "balanced": n / (k * n_c), the inverse frequency; "sqrt": its square root, a milder push that keeps overall accuracy
 * higher while still lifting rare classes; "none": all ones. Weights are rescaled so their mean over training cases is
 * 1, so the loss keeps its scale and the learning rate keeps its meaning. A class absent from training gets weight 0.
 */
export type ClassWeighting = "none" | "balanced" | "sqrt";

export function classWeights(labels: ArrayLike<number>, classCount: number, weighting: ClassWeighting): Float32Array {
  const counts = new Float64Array(classCount);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classCount) throw new RangeError(`label ${y} at ${i} is not a class index`);
    counts[y] = counts[y]! + 1;
  }
  const n = labels.length;
  const raw = new Float64Array(classCount);
  for (let c = 0; c < classCount; c++) {
    const count = counts[c]!;
    if (count === 0) continue;
    const inverse = n / (classCount * count);
    raw[c] = weighting === "none" ? 1 : weighting === "balanced" ? inverse : Math.sqrt(inverse);
  }
  let meanOverCases = 0;
  for (let c = 0; c < classCount; c++) meanOverCases += (raw[c]! * counts[c]!) / n;
  const weights = new Float32Array(classCount);
  for (let c = 0; c < classCount; c++) weights[c] = meanOverCases > 0 ? raw[c]! / meanOverCases : 0;
  return weights;
}
