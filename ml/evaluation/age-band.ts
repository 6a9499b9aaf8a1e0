/** Age bands for subgroup reporting, in display order. */
export const AGE_BANDS = ["<30", "30-44", "45-59", "60-74", "75+", "unknown"] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/**
 * The band an age (in years) falls in. Missing, non-finite or negative ages are "unknown" so they stay visible as
 * a subgroup instead of being dropped. Fractional ages fall in the band of their whole years (44.9 -> 30-44).
 */
export function ageBand(age: number | null | undefined): AgeBand {
  if (age === null || age === undefined || !Number.isFinite(age) || age < 0) return "unknown";
  if (age < 30) return "<30";
  if (age < 45) return "30-44";
  if (age < 60) return "45-59";
  if (age < 75) return "60-74";
  return "75+";
}
