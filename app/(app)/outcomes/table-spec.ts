/**
 * A dashboard table as data: columns with a kind that says how a value reads, and rows of raw values. The page
 * formats cells for reading; the CSV export writes the raw values (a proportion becomes its estimate and its 95%
 * interval bounds in three columns), so an exported table can be recomputed, not just re-read.
 */
import { type CsvCell, type CsvColumn, toCsv } from "./csv";
import { decimal, money, percent, wholeNumber } from "./format";

export type ColumnKind =
  /** Plain text. */
  | "text"
  | "count"
  | "percent"
  /** row[key] = estimate, row[`${key}Lower`], row[`${key}Upper`] = 95% interval; shown together. */
  | "proportion"
  | "decimal"
  /** Three decimals (AUC, ECE). */
  | "decimal3"
  | "money"
  /** Text shown as a link to row[`${key}Href`] (the link itself is not exported). */
  | "link"
  /** Per-row kind in row[`${key}Kind`] ("count" | "percent" | "decimal" | "decimal3" | "money"), for mixed figures. */
  | "figure";

export interface TableColumn {
  readonly key: string;
  readonly label: string;
  readonly kind: ColumnKind;
  /** Exported, not shown (e.g. internal ids). */
  readonly csvOnly?: boolean;
  /** Short values that must not break (dates, months, MRNs). */
  readonly nowrap?: boolean;
}

export type TableRow = Readonly<Record<string, CsvCell>>;

export interface TableSpec {
  readonly id: string;
  readonly title: string;
  /** Says what the rows are and how many cases lie behind them. */
  readonly caption: string;
  readonly columns: readonly TableColumn[];
  readonly rows: readonly TableRow[];
}

const NUMERIC_KINDS: ReadonlySet<ColumnKind> = new Set(["count", "percent", "proportion", "decimal", "decimal3", "money", "figure"]);

export function isNumericColumn(column: TableColumn): boolean {
  return NUMERIC_KINDS.has(column.kind);
}

function asNumber(value: CsvCell | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function formatByKind(kind: string, value: CsvCell | undefined): string {
  const number = asNumber(value);
  switch (kind) {
    case "count":
      return number === null ? "—" : wholeNumber(number);
    case "percent":
      return percent(number);
    case "decimal":
      return decimal(number);
    case "decimal3":
      return decimal(number, 3);
    case "money":
      return number === null ? "—" : money(number);
    default:
      return value === null || value === undefined || value === "" ? "—" : String(value);
  }
}

/** The text a cell shows. */
export function formatCell(column: TableColumn, row: TableRow): string {
  const value = row[column.key];
  switch (column.kind) {
    case "proportion": {
      const estimate = asNumber(value);
      if (estimate === null) return "—";
      return `${percent(estimate)} (${percent(asNumber(row[`${column.key}Lower`]))}–${percent(asNumber(row[`${column.key}Upper`]))})`;
    }
    case "figure":
      return formatByKind(String(row[`${column.key}Kind`] ?? "decimal"), value);
    case "link":
    case "text":
      return formatByKind("text", value);
    default:
      return formatByKind(column.kind, value);
  }
}

/** CSV columns: a proportion exports its estimate and both interval bounds. */
export function csvColumns(spec: TableSpec): CsvColumn[] {
  return spec.columns.flatMap((column) =>
    column.kind === "proportion"
      ? [
          { key: column.key, label: column.label },
          { key: `${column.key}Lower`, label: `${column.label} 95% CI lower` },
          { key: `${column.key}Upper`, label: `${column.label} 95% CI upper` },
        ]
      : [{ key: column.key, label: column.label }],
  );
}

export function tableCsv(spec: TableSpec): string {
  return toCsv(csvColumns(spec), spec.rows);
}

/** Spreads a proportion into the row fields a "proportion" column reads. */
export function proportionFields(
  key: string,
  value: { estimate: number | null; lower: number | null; upper: number | null },
): Record<string, number | null> {
  return { [key]: value.estimate, [`${key}Lower`]: value.lower, [`${key}Upper`]: value.upper };
}
