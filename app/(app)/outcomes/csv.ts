/**
 * CSV export of a dashboard table, built in the browser from the rows the page already shows (RFC 4180 quoting).
 * Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) are prefixed with an
 * apostrophe: exported tables hold body sites and MRNs typed by users. Numbers are written as they are.
 */
export type CsvCell = string | number | boolean | null;

export interface CsvColumn {
  readonly key: string;
  readonly label: string;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = typeof value === "boolean" ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns: readonly CsvColumn[], rows: readonly Readonly<Record<string, CsvCell>>[]): string {
  const lines = [columns.map((column) => csvCell(column.label)).join(",")];
  for (const row of rows) lines.push(columns.map((column) => csvCell(row[column.key] ?? null)).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** "outcomes-model-vs-clinician-2025-01-to-2025-03.csv": safe in every file system. */
export function csvFileName(...parts: readonly string[]): string {
  const slug = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${slug || "table"}.csv`;
}
