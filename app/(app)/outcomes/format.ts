/**
 * How the dashboard's numbers read: percentages with one decimal, 95% intervals beside every proportion, "—" for a
 * quantity that is undefined (no cases), never a made-up 0.
 */
import type { z } from "zod";
import type { proportionSchema } from "@/server/services/outcomes/schemas";

export type Proportion = z.infer<typeof proportionSchema>;

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${(100 * value).toFixed(1)}%`;
}

/** "12.5% (95% CI 3.1–40.2%)", or "—" with no cases. */
export function proportionWithInterval(value: Proportion): string {
  if (value.estimate === null) return "—";
  return `${percent(value.estimate)} (95% CI ${percent(value.lower)}–${percent(value.upper)})`;
}

/** "3 / 24" */
export function fraction(value: Proportion): string {
  return `${value.successes} / ${value.trials}`;
}

export function decimal(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return value.toFixed(digits);
}

export function wholeNumber(value: number): string {
  return value.toLocaleString("en-GB");
}

/** An amount in the deployment's own currency (no symbol: the cost per biopsy is configured without one). */
export function money(value: number): string {
  return value.toLocaleString("en-GB", { maximumFractionDigits: 0 });
}
