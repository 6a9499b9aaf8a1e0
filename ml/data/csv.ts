/**
 * CSV reading for dataset metadata: csv-parse for the grammar, zod for each row, and errors that name the file,
 * the line and the column so a damaged labels file can be fixed without a debugger.
 */
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { DatasetError } from "./dataset-error";
import { assertFile } from "./dataset-files";

export interface CsvRow {
  /** 1-based line in the file where the record ends (the header is line 1). */
  line: number;
  values: Readonly<Record<string, string>>;
}

const ParsedRecordsSchema = z.array(z.object({ record: z.array(z.string()), info: z.object({ lines: z.number() }) }));

/** Reads a CSV with a header line; throws if the file is missing, malformed or lacks any required column. */
export function readCsvFile(file: string, requiredColumns: readonly string[]): CsvRow[] {
  assertFile(file, "CSV file");
  let parsed: z.infer<typeof ParsedRecordsSchema>;
  try {
    // `info: true` wraps each record with its line number; the typings do not model that, hence the schema.
    parsed = ParsedRecordsSchema.parse(parse(readFileSync(file), { bom: true, skip_empty_lines: true, info: true }));
  } catch (error) {
    throw new DatasetError(file, `cannot parse CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [header, ...records] = parsed;
  if (!header) throw new DatasetError(file, "CSV file is empty (no header line)");
  const columns = header.record.map((name) => name.trim());
  const missing = requiredColumns.filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    throw new DatasetError(
      file,
      `missing column(s) ${missing.map((m) => `"${m}"`).join(", ")}; header has ${columns.join(",")}`,
      1,
    );
  }
  return records.map(({ record, info }) => ({
    line: info.lines,
    values: Object.fromEntries(columns.map((name, i) => [name, record[i] ?? ""])),
  }));
}

/** Validates one row; the error names the file, line, offending column(s) and the value found there. */
export function parseCsvRow<Schema extends z.ZodType>(schema: Schema, row: CsvRow, file: string): z.output<Schema> {
  const result = schema.safeParse(row.values);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const column = issue.path[0];
    if (typeof column !== "string") return issue.message;
    return `column "${column}" = ${JSON.stringify(row.values[column] ?? null)}: ${issue.message}`;
  });
  throw new DatasetError(file, `bad row: ${problems.join("; ")}`, row.line);
}

/** Fails on the first id seen twice: every reader promises unique ids. */
export function assertUniqueIds(rows: readonly { id: string; line?: number }[], file: string): void {
  const seen = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.id)) throw new DatasetError(file, `duplicate id "${row.id}"`, row.line);
    seen.add(row.id);
  }
}
