/**
 * Out-of-distribution score: the Mahalanobis distance of an image's pooled backbone features to the nearest
 * training class (Lee et al., NeurIPS 2018), with one covariance shared by the classes. An image unlike anything
 * the model was trained on (a photo that is not dermoscopy, another device's framing, a heavy artefact) lands far
 * from every class mean, whatever P(malignant) the classifier gives it; the flag policy then asks for a human read
 * instead of trusting the score.
 *
 * Fitted on the TRAINING split's features only; the threshold is a quantile of the VALIDATION split's scores (a
 * stated false-alarm rate on in-distribution images), so nothing here looks at test or cross-source data.
 *
 * Stored as a whitening matrix W (the inverse of the Cholesky factor of the shrunk covariance) and the whitened
 * class means, so a score is one triangular matrix-vector product and k short distances:
 *   score(x) = min_c || W x - W mu_c ||^2
 */
import { z } from "zod";

export const OOD_METHOD = "mahalanobis-min-class";

export const OodDetectorSchema = z
  .object({
    method: z.literal(OOD_METHOD),
    /** Which model output the features come from (the served model's second output). */
    features: z.string(),
    dim: z.number().int().positive(),
    /** Class indices that had training images, and their whitened means (classes.length x dim). */
    classes: z.array(z.number().int().nonnegative()).min(1),
    whitenedMeans: z.array(z.array(z.number())),
    /** Lower-triangular whitening matrix, row-major, dim x dim. */
    whitening: z.array(z.number()),
    /** Covariance shrinkage towards a scaled identity, alpha in (1 - alpha) S + alpha tr(S)/d I. */
    shrinkage: z.number().min(0).max(1),
    trainingImages: z.number().int().positive(),
    /** Scores above this are out of distribution. */
    threshold: z.number().positive(),
    thresholdChosenOn: z.literal("validation"),
    /** The share of validation images the threshold was set to flag. */
    validationFalseAlarmRate: z.number().gt(0).lt(1),
    validationImages: z.number().int().positive(),
  })
  .refine((d) => d.whitening.length === d.dim * d.dim, "whitening must be dim x dim")
  .refine((d) => d.whitenedMeans.length === d.classes.length && d.whitenedMeans.every((m) => m.length === d.dim), "one whitened mean of length dim per class");
export type OodDetector = z.infer<typeof OodDetectorSchema>;

/** The fitted part, before a threshold is chosen on validation. */
export type OodFit = Omit<OodDetector, "threshold" | "thresholdChosenOn" | "validationFalseAlarmRate" | "validationImages">;

export const DEFAULT_OOD_SHRINKAGE = 0.05;
/** 1% of in-distribution (validation) images sent to a human read: a cost the review queue can carry. */
export const DEFAULT_OOD_FALSE_ALARM_RATE = 0.01;

export interface FitMahalanobisOptions {
  /** count x dim features, row-major. */
  features: Float32Array;
  /** Class index per row. */
  labels: Int32Array;
  dim: number;
  featureOutput: string;
  shrinkage?: number;
}

export function fitMahalanobis(options: FitMahalanobisOptions): OodFit {
  const { features, labels, dim } = options;
  const count = labels.length;
  if (features.length !== count * dim) throw new RangeError(`expected ${count * dim} feature values, got ${features.length}`);
  const shrinkage = options.shrinkage ?? DEFAULT_OOD_SHRINKAGE;
  // Shrinkage keeps the covariance invertible however few images a (clinic) retraining has; without it, it needs more.
  if (count < 2 || (shrinkage === 0 && count <= dim)) throw new RangeError(`need more training images (${count}) than feature dimensions (${dim}) without shrinkage`);

  const sums = new Map<number, Float64Array>();
  const counts = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const c = labels[i]!;
    let sum = sums.get(c);
    if (!sum) sums.set(c, (sum = new Float64Array(dim)));
    for (let j = 0; j < dim; j++) sum[j]! += features[i * dim + j]!;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const classes = [...sums.keys()].sort((a, b) => a - b);
  const means = new Map(classes.map((c) => [c, sums.get(c)!.map((v) => v / counts.get(c)!)] as const));

  // Shared (within-class) covariance.
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    const mean = means.get(labels[i]!)!;
    for (let j = 0; j < dim; j++) centred[j] = features[i * dim + j]! - mean[j]!;
    for (let a = 0; a < dim; a++) {
      const ca = centred[a]!;
      if (ca === 0) continue;
      const row = a * dim;
      for (let b = 0; b <= a; b++) cov[row + b]! += ca * centred[b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b <= a; b++) cov[a * dim + b] = cov[a * dim + b]! / count;
    trace += cov[a * dim + a]!;
  }
  const ridge = (shrinkage * trace) / dim;
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b <= a; b++) cov[a * dim + b] = (1 - shrinkage) * cov[a * dim + b]!;
    cov[a * dim + a]! += ridge;
  }

  const whitening = invertLowerTriangular(cholesky(cov, dim), dim);
  return {
    method: OOD_METHOD,
    features: options.featureOutput,
    dim,
    classes,
    whitenedMeans: classes.map((c) => Array.from(multiplyLower(whitening, means.get(c)!, dim))),
    whitening: Array.from(whitening),
    shrinkage,
    trainingImages: count,
  };
}

/** Scores for count x dim features (higher = further from the training data). */
export function mahalanobisScores(detector: Pick<OodFit, "dim" | "whitening" | "whitenedMeans">, features: Float32Array, count: number): Float64Array {
  const { dim } = detector;
  if (features.length !== count * dim) throw new RangeError(`expected ${count * dim} feature values, got ${features.length}`);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const z = multiplyLower(detector.whitening, features.subarray(i * dim, (i + 1) * dim), dim);
    let best = Infinity;
    for (const mean of detector.whitenedMeans) {
      let d = 0;
      for (let j = 0; j < dim; j++) {
        const diff = z[j]! - mean[j]!;
        d += diff * diff;
      }
      if (d < best) best = d;
    }
    out[i] = best;
  }
  return out;
}

/**
 * The threshold that flags `falseAlarmRate` of the validation images: the smallest validation score above which
 * at most that share lies (so the stated rate is never exceeded on validation).
 */
export function chooseOodThreshold(fit: OodFit, validationScores: Float64Array, falseAlarmRate = DEFAULT_OOD_FALSE_ALARM_RATE): OodDetector {
  if (validationScores.length === 0) throw new RangeError("no validation scores to set the OOD threshold on");
  const sorted = Float64Array.from(validationScores).sort();
  const allowed = Math.floor(falseAlarmRate * sorted.length);
  const threshold = sorted[sorted.length - 1 - allowed]!;
  return { ...fit, threshold, thresholdChosenOn: "validation", validationFalseAlarmRate: falseAlarmRate, validationImages: sorted.length };
}

/** Lower-triangular L with L L^T = a (a's lower triangle is read). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError("covariance is not positive definite");
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  return l;
}

function invertLowerTriangular(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let col = 0; col < n; col++) {
    inv[col * n + col] = 1 / l[col * n + col]!;
    for (let i = col + 1; i < n; i++) {
      let sum = 0;
      for (let k = col; k < i; k++) sum -= l[i * n + k]! * inv[k * n + col]!;
      inv[i * n + col] = sum / l[i * n + i]!;
    }
  }
  return inv;
}

function multiplyLower(lower: ArrayLike<number>, x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    const row = i * n;
    for (let j = 0; j <= i; j++) sum += lower[row + j]! * x[j]!;
    out[i] = sum;
  }
  return out;
}
