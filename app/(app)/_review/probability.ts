/** Probabilities as a reviewer reads them: percentages with one decimal, "—" when there is no score. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${(100 * value).toFixed(1)}%`;
}
