import { describe, expect, it } from "vitest";
import { createRng } from "../random";
import { chooseOodThreshold, fitMahalanobis, mahalanobisScores, OodDetectorSchema } from "./mahalanobis";

/** count points per class around `centres`, with correlated noise (x1 follows x0). */
function sample(centres: number[][], count: number, seed: number) {
  const rng = createRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const dim = centres[0]!.length;
  const features = new Float32Array(centres.length * count * dim);
  const labels = new Int32Array(centres.length * count);
  let row = 0;
  centres.forEach((centre, c) => {
    for (let i = 0; i < count; i++, row++) {
      const shared = gauss();
      for (let j = 0; j < dim; j++) features[row * dim + j] = centre[j]! + (j < 2 ? shared : 0) + 0.3 * gauss();
      labels[row] = c;
    }
  });
  return { features, labels, dim };
}

/** Direct (x - mu)^T S^-1 (x - mu) with S inverted by Gauss-Jordan: the reference the whitened form must equal. */
function directScore(features: Float32Array, labels: Int32Array, dim: number, x: number[], shrinkage: number): number {
  const n = labels.length;
  const classes = [...new Set(labels)];
  const means = classes.map((c) => {
    const rows = [...labels.keys()].filter((i) => labels[i] === c);
    return Array.from({ length: dim }, (_, j) => rows.reduce((s, i) => s + features[i * dim + j]!, 0) / rows.length);
  });
  const s = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
  for (let i = 0; i < n; i++) {
    const m = means[classes.indexOf(labels[i]!)]!;
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) s[a]![b]! += ((features[i * dim + a]! - m[a]!) * (features[i * dim + b]! - m[b]!)) / n;
  }
  const trace = s.reduce((t, row, i) => t + row[i]!, 0);
  const shrunk = s.map((row, a) => row.map((v, b) => (1 - shrinkage) * v + (a === b ? (shrinkage * trace) / dim : 0)));
  const inv = invert(shrunk);
  return Math.min(
    ...means.map((m) => {
      const d = x.map((v, j) => v - m[j]!);
      return d.reduce((sum, da, a) => sum + da * d.reduce((t, db, b) => t + inv[a]![b]! * db, 0), 0);
    }),
  );
}

function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    const pivot = a[col]![col]!;
    for (let j = 0; j < 2 * n; j++) a[col]![j]! /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[col]![j]!;
    }
  }
  return a.map((row) => row.slice(n));
}

describe("Mahalanobis out-of-distribution score", () => {
  const centres = [
    [0, 0, 0, 0],
    [3, 3, 0, 1],
    [0, 4, 2, 0],
  ];
  const train = sample(centres, 200, 1);
  const fit = fitMahalanobis({ ...train, featureOutput: "features", shrinkage: 0.05 });

  it("equals the textbook distance to the nearest class mean under the shared, shrunk covariance", () => {
    for (const x of [
      [0.1, -0.2, 0.3, 0],
      [3, 2.5, 0.2, 1.4],
      [8, -5, 3, 3],
    ]) {
      const [score] = mahalanobisScores(fit, Float32Array.from(x), 1);
      expect(score).toBeCloseTo(directScore(train.features, train.labels, train.dim, x, 0.05), 6);
    }
  });

  it("respects the covariance: a step along the correlated direction costs less than the same step across it", () => {
    const [along, across] = mahalanobisScores(fit, Float32Array.from([1, 1, 0, 0, 1, -1, 0, 0]), 2);
    expect(along!).toBeLessThan(across! / 5);
  });

  it("scores new points of the training classes low and points far from every class high", () => {
    const fresh = sample(centres, 100, 2);
    const inScores = mahalanobisScores(fit, fresh.features, fresh.labels.length);
    const outliers = sample([[10, -10, 10, -10]], 50, 3);
    const outScores = mahalanobisScores(fit, outliers.features, 50);
    expect(Math.min(...outScores)).toBeGreaterThan(Math.max(...inScores));
  });

  it("sets the threshold so that at most the stated share of validation images is flagged", () => {
    const validation = sample(centres, 100, 4);
    const scores = mahalanobisScores(fit, validation.features, validation.labels.length);
    const detector = chooseOodThreshold(fit, scores, 0.05);
    const flagged = scores.filter((s) => s > detector.threshold).length;
    expect(flagged).toBeLessThanOrEqual(Math.floor(0.05 * scores.length));
    expect(flagged).toBeGreaterThanOrEqual(Math.floor(0.05 * scores.length) - 1);
    expect(OodDetectorSchema.parse(JSON.parse(JSON.stringify(detector)))).toEqual(detector);
  });

  it("refuses too few images for the feature dimension and mismatched lengths", () => {
    expect(() => fitMahalanobis({ features: new Float32Array(12), labels: new Int32Array(3), dim: 4, featureOutput: "f", shrinkage: 0 })).toThrow(/more training images/);
    // With the default shrinkage a small clinic's few images still give an invertible covariance.
    const few = sample([centres[0]!], 3, 5);
    expect(() => fitMahalanobis({ ...few, featureOutput: "f" })).not.toThrow();
    expect(() => mahalanobisScores(fit, new Float32Array(5), 1)).toThrow(RangeError);
  });
});
