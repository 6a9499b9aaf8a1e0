/**
 * CSV rows for importers: the file and its header must be right (else the whole import stops with a DatasetError
 * naming the file and the missing columns), but each row is judged alone, so one bad value rejects one row with a
 * reason and the rest is imported. Parsing is ml/data's (csv-parse, line numbers, BOM handling).
 */
import type { z } from "zod";
import { readCsvFile, type CsvRow } from "@/ml/data/csv";

export type { CsvRow };

/** The data rows (after the header), the first `limit` of them when given. */
export function readCsvRows(file: string, requiredColumns: readonly string[], limit?: number): CsvRow[] {
  const rows = readCsvFile(file, requiredColumns);
  return limit === undefined ? rows : rows.slice(0, limit);
}

export type RowResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Columns of a validated row whose text holds U+0000. */
function columnsWithNul(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([column, cell]) => (typeof cell === "string" && cell.includes("\u0000") ? [column] : []));
}

/** Validates one row; the reason names each bad column and the value found there. */
export function validateRow<Schema extends z.ZodType>(schema: Schema, row: CsvRow): RowResult<z.output<Schema>> {
  const result = schema.safeParse(row.values);
  if (result.success) {
    // PostgreSQL text cannot hold U+0000: such a cell would fail its lesion's insert and stop the whole import.
    const nul = columnsWithNul(result.data);
    if (nul.length === 0) return { ok: true, value: result.data };
    const problems = nul.map((column) => `column "${column}" = ${JSON.stringify(row.values[column] ?? "")}: contains a NUL character, which cannot be stored`);
    return { ok: false, reason: problems.join("; ") };
  }
  const problems = result.error.issues.map((issue) => {
    const column = issue.path[0];
    if (typeof column !== "string") return issue.message;
    return `column "${column}" = ${JSON.stringify(row.values[column] ?? "")}: ${issue.message}`;
  });
  return { ok: false, reason: problems.join("; ") };
}
