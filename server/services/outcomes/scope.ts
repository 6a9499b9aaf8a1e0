/**
 * What a dashboard request may ask for: which model version, which months, and what one biopsy costs. Validated
 * once here (the tRPC input and the page's search parameters both go through it).
 */
import { z } from "zod";

/** Used when neither the request nor the deployment setting says what a biopsy costs. An estimate, not a tariff. */
export const DEFAULT_COST_PER_BIOPSY = 300;

/** The Setting key an admin may set (a positive number, local currency) to change the default cost per biopsy. */
export const COST_PER_BIOPSY_SETTING = "costPerBiopsy";

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Use a month as YYYY-MM.");

export const outcomesQueryInput = z
  .object({
    /** Default: the active model version. */
    modelVersionId: z.string().min(1).max(64).optional(),
    /** First month included (YYYY-MM, UTC); default: no lower bound. */
    from: month.optional(),
    /** Last month included (YYYY-MM, UTC); default: no upper bound. */
    to: month.optional(),
    /** Default: the `costPerBiopsy` setting, else DEFAULT_COST_PER_BIOPSY. */
    costPerBiopsy: z.number().finite().min(0).max(10_000_000).optional(),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    message: "The first month must not be after the last month.",
    path: ["to"],
  });

export type OutcomesQuery = z.infer<typeof outcomesQueryInput>;

/** Calendar dates bounding a month range: [fromDate, toDateExclusive), as YYYY-MM-DD strings (null = unbounded). */
export interface DateBounds {
  readonly fromDate: string | null;
  readonly toDateExclusive: string | null;
}

export function monthBounds(from: string | undefined, to: string | undefined): DateBounds {
  return { fromDate: from ? `${from}-01` : null, toDateExclusive: to ? `${nextMonth(to)}-01` : null };
}

/** "2025-12" -> "2026-01". */
export function nextMonth(yearMonth: string): string {
  const [year, monthNumber] = yearMonth.split("-").map(Number) as [number, number];
  const [nextYear, nextMonthNumber] = monthNumber === 12 ? [year + 1, 1] : [year, monthNumber + 1];
  return `${String(nextYear).padStart(4, "0")}-${String(nextMonthNumber).padStart(2, "0")}`;
}
