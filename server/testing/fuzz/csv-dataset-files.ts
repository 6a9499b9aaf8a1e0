/**
 * Writing a CSV fuzz data set to disk the way the importers read it (`<csv file>` + `images/`), and the file-level
 * cases: whole CSV files that are empty, lack a column, break CSV syntax, or are fine but unusually encoded.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DERMAMNIST_28_DIR } from "@/ml/data/shared-data";
import { hamSampleImage } from "@/server/services/images/test-images";
import { ascii, concat } from "./bytes";
import { DERMAMNIST_COLUMNS, HAM10000_COLUMNS, isPlainFileName, type CsvDataset, type CsvImporterKind } from "./malformed-csv";

export interface CsvTextOptions {
  bom?: boolean;
  newline?: "\n" | "\r\n" | "\r";
}

/** A cell as CSV text: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV text and, for each row, the line its record ends on (the line csv-parse reports; the header is line 1). */
export function csvText(columns: readonly string[], rows: readonly Readonly<Record<string, string>>[], options: CsvTextOptions = {}): { text: string; lines: number[] } {
  const newline = options.newline ?? "\n";
  const records = [columns.join(","), ...rows.map((row) => columns.map((column) => csvCell(row[column] ?? "")).join(","))];
  const lines: number[] = [];
  let line = 1;
  for (const record of records.slice(1)) {
    line += 1 + (record.match(/\r\n|\r|\n/g)?.length ?? 0);
    lines.push(line);
  }
  return { text: `${options.bom ? "\ufeff" : ""}${records.join(newline)}${newline}`, lines };
}

function writeImage(imagesDir: string, name: string, spec: { bytes: Uint8Array } | { directory: true }): void {
  if (!isPlainFileName(name)) throw new Error(`refusing to write image file ${JSON.stringify(name)}`);
  const target = path.join(imagesDir, name);
  if ("directory" in spec) mkdirSync(target);
  else writeFileSync(target, spec.bytes);
}

/** Writes the data set into `dir` (created); returns each row case's CSV line by name. */
export function writeCsvDataset(dir: string, dataset: CsvDataset, options: CsvTextOptions = {}): Map<string, number> {
  const imagesDir = path.join(dir, "images");
  mkdirSync(imagesDir, { recursive: true });
  for (const row of dataset.rows) {
    if (row.image && row.imageFileName) writeImage(imagesDir, row.imageFileName, row.image);
  }
  const { text, lines } = csvText(dataset.columns, dataset.rows.map((row) => row.cells), options);
  writeFileSync(path.join(dir, dataset.csvFileName), text);
  return new Map(dataset.rows.map((row, i) => [row.name, lines[i]!]));
}

export type CsvFileExpectation =
  /** The import stops before writing anything, with a DatasetError whose message matches. */
  | { error: RegExp }
  /** The import runs: this many images imported, nothing rejected. */
  | { imported: number };

export interface CsvFileCase {
  name: string;
  /** The CSV file's bytes; "directory": a folder in its place; "missing": no CSV file. */
  csv: Uint8Array | "directory" | "missing";
  /** Whether the images folder exists; it then holds `picture`. */
  imagesFolder: boolean;
  /** The real image of the case's one row (each case has its own ids and picture, so cases can share a database). */
  picture: { fileName: string; bytes: Uint8Array };
  expect: CsvFileExpectation;
}

/** Valid row number `n` (own ids, own real picture), around which a file-level case is built. */
function goodRow(kind: CsvImporterKind, n: number): { cells: Record<string, string>; fileName: string; picture: Uint8Array } {
  const serial = String(8_000_000 + n);
  const common = { lesion_id: `HAM_${serial}`, dx: "mel", dx_type: "histo", age: "60", sex: "female", localization: "back" };
  const fileName = `ISIC_${serial}.jpg`;
  if (kind === "ham10000") return { cells: { ...common, image_id: `ISIC_${serial}` }, fileName, picture: hamSampleImage(69 - n) };
  return {
    cells: { ...common, age: "60.0", file: fileName, split: "test", index: String(n), isic_image_id: `ISIC_${serial}`, malignant: "1" },
    fileName,
    picture: readFileSync(path.join(DERMAMNIST_28_DIR, "images", `DermaMNIST_test_${String(n).padStart(5, "0")}.jpg`)),
  };
}

type CaseContent = Pick<CsvFileCase, "csv" | "expect"> & { imagesFolder?: boolean };

export function csvFileCases(kind: CsvImporterKind): CsvFileCase[] {
  const columns = kind === "ham10000" ? HAM10000_COLUMNS : DERMAMNIST_COLUMNS;
  const header = columns.join(",");
  const fails = (error: RegExp): CsvFileExpectation => ({ error });
  const specs: [string, (good: ReturnType<typeof goodRow>, line: string) => CaseContent][] = [
    ["empty-file", () => ({ csv: new Uint8Array(), expect: fails(/CSV file is empty \(no header line\)/) })],
    ["blank-lines-only", () => ({ csv: ascii("\n\n\n"), expect: fails(/CSV file is empty \(no header line\)/) })],
    ["spaces-only", () => ({ csv: ascii("   \n"), expect: fails(/:1: missing column\(s\) "/) })],
    ["header-only", () => ({ csv: ascii(`${header}\n`), expect: { imported: 0 } })],
    ["header-only-without-newline", () => ({ csv: ascii(header), expect: { imported: 0 } })],
    ["missing-required-column-dx", (good) => ({ csv: csvBytes(columns.filter((column) => column !== "dx"), [good.cells]), expect: fails(/:1: missing column\(s\) "dx"; header has /) })],
    ["header-in-uppercase", (_, line) => ({ csv: ascii(`${header.toUpperCase()}\n${line}\n`), expect: fails(/:1: missing column\(s\) "/) })],
    ["header-with-null-byte", (_, line) => ({ csv: ascii(`${header.replace("dx_type", "dx_type\u0000")}\n${line}\n`), expect: fails(/missing column\(s\) "dx_type"/) })],
    ["a-jpeg-named-as-the-csv", (good) => ({ csv: good.picture, expect: fails(/missing column\(s\)|cannot parse CSV/) })],
    // One row with a cell too many or too few, or broken quoting, stops the whole file today (csv-parse's strict mode).
    ["row-with-an-extra-cell", (_, line) => ({ csv: ascii(`${header}\n${line}\n${line},extra\n`), expect: fails(/cannot parse CSV: Invalid Record Length: .* on line 3/) })],
    ["row-with-a-cell-missing", (_, line) => ({ csv: ascii(`${header}\n${line}\n${line.slice(0, line.lastIndexOf(","))}\n`), expect: fails(/cannot parse CSV: Invalid Record Length: .* on line 3/) })],
    ["quote-left-open", (_, line) => ({ csv: ascii(`${header}\n${line}\n"${line}\n${line}\n`), expect: fails(/cannot parse CSV: Quote Not Closed/) })],
    ["stray-quote-inside-a-cell", (_, line) => ({ csv: ascii(`${header}\n${line}\n${line.replace(",back", ',back 5" mole')}\n`), expect: fails(/cannot parse CSV: Invalid Opening Quote: .* at line 3/) })],
    ["csv-is-a-folder", () => ({ csv: "directory", expect: fails(/CSV file is not a file/) })],
    ["csv-missing", () => ({ csv: "missing", expect: fails(/CSV file not found/) })],
    ["images-folder-missing", (_, line) => ({ csv: ascii(`${header}\n${line}\n`), imagesFolder: false, expect: fails(kind === "ham10000" ? /no image folder/ : /images folder not found/) })],
    // Unusual but valid files: the one row is imported.
    ["bom-and-crlf", (good) => ({ csv: csvBytes(columns, [good.cells], { bom: true, newline: "\r\n" }), expect: { imported: 1 } })],
    // csv-parse recognises the UTF-16LE byte-order mark (bom: true) and decodes the file.
    ["utf16le-with-bom", (_, line) => ({ csv: concat(Uint8Array.of(0xff, 0xfe), new Uint8Array(Buffer.from(`${header}\n${line}\n`, "utf16le"))), expect: { imported: 1 } })],
    ["cr-only-line-ends", (good) => ({ csv: csvBytes(columns, [good.cells], { newline: "\r" }), expect: { imported: 1 } })],
    ["blank-lines-between-rows", (_, line) => ({ csv: ascii(`\n${header}\n\n\n${line}\n\n`), expect: { imported: 1 } })],
    ["columns-in-another-order", (good) => ({ csv: csvBytes([...columns].reverse(), [good.cells]), expect: { imported: 1 } })],
    ["an-extra-unknown-column", (good) => ({ csv: csvBytes([...columns, "notes"], [{ ...good.cells, notes: "seen 2019" }]), expect: { imported: 1 } })],
    ["spaces-around-column-names", (_, line) => ({ csv: ascii(`${columns.map((c) => ` ${c} `).join(",")}\n${line}\n`), expect: { imported: 1 } })],
  ];
  return specs.map(([name, build], n) => {
    const good = goodRow(kind, n);
    const content = build(good, columns.map((column) => csvCell(good.cells[column] ?? "")).join(","));
    return { name, csv: content.csv, imagesFolder: content.imagesFolder ?? true, picture: { fileName: good.fileName, bytes: good.picture }, expect: content.expect };
  });
}

function csvBytes(columns: readonly string[], rows: Record<string, string>[], options?: CsvTextOptions): Uint8Array {
  return ascii(csvText(columns, rows, options).text);
}
