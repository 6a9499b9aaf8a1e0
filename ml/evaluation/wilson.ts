/** Two-sided 95% normal quantile (qnorm(0.975)); the default z for every interval in this module. */
export const Z_95 = 1.959963984540054;

/**
 * A proportion with its Wilson score interval. With zero trials there is nothing to estimate: estimate and both
 * bounds are null (rather than [0, 1]) so a dashboard cannot print a number for an empty cell by accident.
 */
export type ProportionEstimate =
  | {
      readonly successes: number;
      readonly trials: number;
      readonly estimate: number;
      readonly lower: number;
      readonly upper: number;
    }
  | {
      readonly successes: 0;
      readonly trials: 0;
      readonly estimate: null;
      readonly lower: null;
      readonly upper: null;
    };

/**
 * Wilson score interval for successes / trials. Chosen over the Wald interval because sensitivities near 1 on a
 * few hundred malignant cases are the normal case here, where Wald collapses to zero width or leaves [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, z: number = Z_95): ProportionEstimate {
  if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`trials must be a non-negative integer, got ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`successes must be an integer in [0, ${trials}], got ${successes}`);
  }
  if (!Number.isFinite(z) || z <= 0) throw new RangeError(`z must be a positive number, got ${z}`);
  if (trials === 0) return { successes: 0, trials: 0, estimate: null, lower: null, upper: null };

  const p = successes / trials;
  const z2n = (z * z) / trials;
  const denominator = 1 + z2n;
  const centre = (p + z2n / 2) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  // The bounds at 0/n and n/n are exactly 0 and 1 in exact arithmetic; pin them so rounding cannot show "-0.0000".
  const lower = successes === 0 ? 0 : Math.max(0, centre - halfWidth);
  const upper = successes === trials ? 1 : Math.min(1, centre + halfWidth);
  return { successes, trials, estimate: p, lower, upper };
}
