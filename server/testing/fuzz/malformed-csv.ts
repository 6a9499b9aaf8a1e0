/**
 * The malformed-CSV corpus for the HAM10000-style importers (HAM10000_metadata.csv, DermaMNIST labels.csv): named
 * rows, each with its own lesion and image ids and its own real image file, and what the importer must do with it
 * (import it, skip it as a duplicate picture, or reject it with a reason matching a pattern); plus file-level cases
 * (empty file, missing column, broken CSV syntax ...) that must stop the import with one DatasetError.
 *
 * Seeded and deterministic: the seed picks diagnoses, ages, sexes and sites of the fabricated rows; the same seed
 * gives the same files.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { DIAGNOSES, isMalignantDiagnosis, type Diagnosis } from "@/ml/diagnoses";
import { DX_TYPES } from "@/ml/data/records";
import { DERMAMNIST_28_DIR } from "@/ml/data/shared-data";
import { hamSampleImage } from "@/server/services/images/test-images";
import { ascii, concat, prefix } from "./bytes";
import { seededRandom, type SeededRandom } from "./seeded-random";

export type CsvImporterKind = "ham10000" | "dermamnist";

/** A file put in the data set's image folder for a row; null in CsvRowCase.image means "no file". */
export type ImageFileSpec = { bytes: Uint8Array } | { directory: true };

export type RowExpectation =
  | { outcome: "imported" }
  /** The same picture as an imported row, under another image id: skipped, and no empty lesion created for it. */
  | { outcome: "duplicate" }
  | { outcome: "rejected"; reason: RegExp };

export interface CsvRowCase {
  name: string;
  /** Cell text by column name (columns left out are written empty). */
  cells: Readonly<Record<string, string>>;
  /** The row's lesion and image ids as written (possibly invalid), for checking the database afterwards. */
  lesionId: string;
  imageId: string;
  /** The file written for this row under images/, by name; null when the row's file must not exist. */
  imageFileName: string | null;
  image: ImageFileSpec | null;
  expect: RowExpectation;
}

export interface CsvDataset {
  kind: CsvImporterKind;
  /** "HAM10000_metadata.csv" or "labels.csv". */
  csvFileName: string;
  columns: readonly string[];
  rows: CsvRowCase[];
}

export const HAM10000_COLUMNS = ["lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"] as const;
export const DERMAMNIST_COLUMNS = ["file", "split", "index", "isic_image_id", "lesion_id", "dx", "dx_type", "age", "sex", "localization", "malignant"] as const;
const SITES = ["back", "trunk", "face", "lower extremity", "upper extremity", "abdomen", "scalp", "chest"];
const SEXES = ["male", "female"];

/** Real images for the rows: HAM10000 600x450 JPEGs, or DermaMNIST 28 px JPEGs (each a different picture). */
function realImage(kind: CsvImporterKind, index: number): Uint8Array {
  if (kind === "ham10000") return hamSampleImage(index);
  return readFileSync(path.join(DERMAMNIST_28_DIR, "images", `DermaMNIST_train_${String(index).padStart(5, "0")}.jpg`));
}

interface RowFields {
  lesionId: string;
  imageId: string;
  dx: string;
  dxType: string;
  age: string;
  sex: string;
  localization: string;
  /** DermaMNIST only: the image's file name (default `${imageId}.jpg`) and the malignant flag (default from dx). */
  file?: string;
  malignant?: string;
}

class RowFactory {
  private next = 0;
  readonly rows: CsvRowCase[] = [];

  constructor(
    readonly kind: CsvImporterKind,
    private readonly random: SeededRandom,
  ) {}

  /** Fresh ids, a seeded valid diagnosis/confirmation/age/sex/site, and the next real picture. */
  fresh(): RowFields & { picture: Uint8Array } {
    this.next += 1;
    const serial = String(9_000_000 + this.next);
    const dx: Diagnosis = this.random.pick(DIAGNOSES);
    const age = this.random.int(1, 17) * 5;
    return {
      lesionId: `HAM_${serial}`,
      imageId: `ISIC_${serial}`,
      dx,
      // In HAM10000 every malignant lesion was biopsied; benign ones were confirmed in any of the four ways.
      dxType: isMalignantDiagnosis(dx) ? "histo" : this.random.pick(DX_TYPES),
      age: this.kind === "dermamnist" ? `${age}.0` : String(age),
      sex: this.random.pick(SEXES),
      localization: this.random.pick(SITES),
      picture: realImage(this.kind, this.next - 1),
    };
  }

  cells(fields: RowFields): Record<string, string> {
    const common = { lesion_id: fields.lesionId, dx: fields.dx, dx_type: fields.dxType, age: fields.age, sex: fields.sex, localization: fields.localization };
    if (this.kind === "ham10000") return { ...common, image_id: fields.imageId };
    const malignant = fields.malignant ?? (DIAGNOSES.includes(fields.dx as Diagnosis) && isMalignantDiagnosis(fields.dx as Diagnosis) ? "1" : "0");
    return { ...common, isic_image_id: fields.imageId, file: fields.file ?? `${fields.imageId}.jpg`, split: "train", index: String(this.rows.length), malignant };
  }

  /**
   * The file name the importer will look for; where the row's id or file cell is not a plain name (a path, a null
   * byte), a plain stand-in, so the picture is never written outside the data set's folder.
   */
  fileNameOf(fields: RowFields): string {
    const name = this.kind === "ham10000" ? `${fields.imageId}.jpg` : (fields.file ?? `${fields.imageId}.jpg`);
    return isPlainFileName(name) ? name : `stand-in-${this.next}.jpg`;
  }

  add(name: string, fields: RowFields, expect: RowExpectation, image: ImageFileSpec | null, imageFileName?: string | null): CsvRowCase {
    const row: CsvRowCase = {
      name,
      cells: this.cells(fields),
      lesionId: fields.lesionId,
      imageId: fields.imageId,
      imageFileName: image === null ? null : (imageFileName ?? this.fileNameOf(fields)),
      image,
      expect,
    };
    this.rows.push(row);
    return row;
  }

  /** A row that differs from a good one only in `overrides`, with its own real picture present. */
  variant(name: string, overrides: Partial<RowFields>, expect: RowExpectation): CsvRowCase {
    const { picture, ...fields } = this.fresh();
    return this.add(name, { ...fields, ...overrides }, expect, { bytes: picture });
  }
}

export function isPlainFileName(name: string): boolean {
  return name.length <= 200 && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name);
}

const imported: RowExpectation = { outcome: "imported" };
const rejected = (reason: RegExp): RowExpectation => ({ outcome: "rejected", reason });

/** Rows every HAM10000-style importer must judge the same way. */
function sharedRows(f: RowFactory): void {
  const idColumn = f.kind === "ham10000" ? "image_id" : "isic_image_id";
  const col = (name: string) => new RegExp(`column "${name}" = `);

  // Good rows, some of them unusual but valid.
  const first = f.variant("good", {}, imported);
  const lesion = f.fresh();
  f.add("good-lesion-with-two-images-first", lesion, imported, { bytes: lesion.picture });
  const second = f.fresh();
  f.add("good-lesion-with-two-images-second", { ...second, lesionId: lesion.lesionId, dx: lesion.dx, dxType: lesion.dxType }, imported, { bytes: second.picture });
  f.variant("good-age-empty", { age: "" }, imported);
  f.variant("good-age-with-spaces", { age: " 50 " }, imported);
  f.variant("good-sex-and-site-unknown", { sex: "unknown", localization: "unknown" }, imported);
  f.variant("good-sex-uppercase", { sex: "MALE" }, imported);
  f.variant("good-site-quoted-with-comma-and-quotes", { localization: 'lower extremity, "left" side' }, imported);
  f.variant("good-site-quoted-over-two-lines", { localization: "upper back\nnear the scapula" }, imported);
  f.variant("good-site-unicode", { localization: "épaule gauche 肩 🩺" }, imported);
  // Repetitive, so it compresses far under the index's size limit; random text this long is refused (oversizedRows).
  f.variant("good-site-100000-characters", { localization: "back ".repeat(20_000).trim() }, imported);
  f.variant("good-site-sql-and-formula-text", { localization: "'; DROP TABLE \"Lesion\"; -- =HYPERLINK(\"http://x\")" }, imported);

  // Wrong types and values.
  for (const [name, age] of [["abc", "abc"], ["minus-5", "-5"], ["200", "200"], ["NaN", "NaN"], ["Infinity", "Infinity"], ["1e999", "1e999"]] as const) {
    f.variant(`age-${name}`, { age }, rejected(/column "age" = .*expected an age/));
  }
  // Number() reads hexadecimal: "0x2d" is taken as 45 today (lenient, reported; the row is otherwise valid).
  f.variant("age-hexadecimal-read-as-a-number", { age: "0x2d" }, imported);
  for (const [name, dx] of [["unknown", "banana"], ["uppercase", "MEL"], ["empty", ""], ["trailing-space", "mel "], ["melanoma-in-words", "melanoma"]] as const) {
    f.variant(`dx-${name}`, { dx }, rejected(col("dx")));
  }
  for (const [name, dxType] of [["unknown", "biopsy"], ["empty", ""], ["uppercase", "HISTO"]] as const) {
    f.variant(`dx-type-${name}`, { dxType }, rejected(col("dx_type")));
  }
  for (const [name, imageId] of [
    ["path-traversal", "../../etc/passwd"],
    ["path-traversal-after-an-id", "ISIC_9999001/../../../etc/passwd"],
    ["absolute-path", "/etc/passwd"],
    ["with-extension", "ISIC_9999002.jpg"],
    ["with-null-byte", "ISIC_99\u000099003"],
    ["lowercase", "isic_9999004"],
    ["empty", ""],
    ["windows-path", "..\\..\\windows\\win.ini"],
  ] as const) {
    f.variant(`image-id-${name}`, { imageId }, rejected(col(idColumn)));
  }
  for (const [name, lesionId] of [["path-traversal", "../HAM_0000001"], ["with-null-byte", "HAM_00\u000000002"], ["empty", ""], ["negative", "HAM_-3"]] as const) {
    f.variant(`lesion-id-${name}`, { lesionId }, rejected(col("lesion_id")));
  }
  // PostgreSQL text cannot hold NUL: a NUL in free text must reject the row, not fail its lesion's insert.
  f.variant("sex-with-null-byte", { sex: "ma\u0000le" }, rejected(/column "sex" = .*contains a NUL character/));
  f.variant("site-with-null-byte", { localization: "back\u0000side" }, rejected(/column "localization" = .*contains a NUL character/));
  {
    const { picture, ...fields } = f.fresh();
    f.add("all-cells-empty", { lesionId: "", imageId: "", dx: "", dxType: "", age: "", sex: "", localization: "", ...(f.kind === "dermamnist" ? { file: "", malignant: "" } : {}) }, rejected(/column "lesion_id".*; /), { bytes: picture }, f.fileNameOf(fields));
  }

  // Conflicts between rows.
  f.add("image-id-listed-again", { ...f.fresh(), imageId: first.imageId }, rejected(/is listed again \(first at line \d+\)/), null);
  {
    const other = f.fresh();
    f.add("lesion-with-another-diagnosis", { ...other, lesionId: lesion.lesionId, dx: lesion.dx === "nv" ? "mel" : "nv", dxType: "histo" }, rejected(/is .* at line \d+ but .* here/), { bytes: other.picture });
  }

  // The row is fine, its file is not.
  f.add("image-file-missing", f.fresh(), rejected(/^image file not found$/), null);
  const damaged = f.fresh();
  f.add("image-file-truncated", damaged, rejected(/^CORRUPT: /), { bytes: prefix(damaged.picture, Math.floor(damaged.picture.length / 3)) });
  f.add("image-file-empty", f.fresh(), rejected(/^EMPTY: /), { bytes: new Uint8Array() });
  f.add("image-file-is-text", f.fresh(), rejected(/^UNSUPPORTED_TYPE: .*text/), { bytes: ascii("lesion_id,image_id\nnot an image\n") });
  f.add("image-file-is-html-then-jpeg", f.fresh(), rejected(/^UNSUPPORTED_TYPE: /), { bytes: concat("<html><body>", realImage(f.kind, 1)) });
  f.add("image-file-is-a-folder", f.fresh(), rejected(/found a folder/), { directory: true });
  const mixed = f.fresh();
  f.add("lesion-with-a-good-image", mixed, imported, { bytes: mixed.picture });
  const mixedBad = f.fresh();
  f.add("lesion-with-a-corrupt-image", { ...mixedBad, lesionId: mixed.lesionId, dx: mixed.dx, dxType: mixed.dxType }, rejected(/^CORRUPT: /), {
    bytes: prefix(mixedBad.picture, 400),
  });
  // The same picture as the first good row under a new image id, in a lesion of its own: a duplicate, and no empty lesion.
  f.add("same-picture-as-another-row", f.fresh(), { outcome: "duplicate" }, first.image);
}

function dermamnistRows(f: RowFactory): void {
  for (const [name, file] of [
    ["path-traversal", "../../etc/passwd"],
    ["windows-path-traversal", "..\\..\\labels.csv"],
    ["absolute-path", "/etc/passwd"],
    ["subfolder", "sub/ISIC_9999101.jpg"],
    ["dot-dot", ".."],
    ["dot", "."],
    ["empty", ""],
  ] as const) {
    f.variant(`file-${name}`, { file }, rejected(/column "file" = .*expected a bare file name|column "file" = "": /));
  }
  f.variant("file-with-null-byte", { file: "ISIC_9999102\u0000.jpg" }, rejected(/column "file" = .*contains a NUL character/));
  f.variant("malignant-2", { malignant: "2" }, rejected(/column "malignant" = "2"/));
  f.variant("malignant-disagrees-with-dx", { dx: "mel", dxType: "histo", malignant: "0" }, rejected(/column "malignant" = "0": disagrees with dx/));
  f.variant("malignant-yes", { malignant: "yes" }, rejected(/column "malignant" = "yes"/));
}

function hamRows(f: RowFactory): void {
  // HAM10000 also looks for <image_id>.png; the bytes, not the name, decide the type (this one is a JPEG).
  const png = f.fresh();
  f.add("good-file-found-by-png-extension", png, imported, { bytes: png.picture }, `${png.imageId}.png`);
}

/**
 * Values no validation rule bounds, too long for a unique or plain index (PostgreSQL's b-tree limit is 2704 bytes; random
 * text, because a run of one character compresses to a few bytes in the index and would pass): the database refuses the
 * lesion, and the import must report that row and go on.
 */
function oversizedRows(f: RowFactory, random: SeededRandom): void {
  const digits = (count: number) => Array.from({ length: count }, () => random.int(0, 9)).join("");
  const letters = (count: number) => Array.from({ length: count }, () => String.fromCharCode(random.int(97, 122))).join("");
  const refusedByDatabase = rejected(/could not be saved \(P2039\): Database error\. Code: `54000`/);
  f.variant("lesion-id-5000-digits", { lesionId: `HAM_${digits(5000)}` }, refusedByDatabase);
  f.variant("site-5000-random-letters", { localization: letters(5000) }, refusedByDatabase);
  if (f.kind === "ham10000") {
    // The file name would be the id: too long for the file system, so the file cannot even be looked for.
    f.variant("image-id-5000-digits", { imageId: `ISIC_${digits(5000)}` }, rejected(/^cannot read the file: ENAMETOOLONG/));
  } else {
    f.variant("image-id-5000-digits", { imageId: `ISIC_${digits(5000)}`, file: "long-image-id.jpg" }, refusedByDatabase);
  }
}

export function buildCsvDataset(kind: CsvImporterKind, seed: number): CsvDataset {
  const random = seededRandom(seed);
  const factory = new RowFactory(kind, random);
  sharedRows(factory);
  if (kind === "ham10000") hamRows(factory);
  else dermamnistRows(factory);
  oversizedRows(factory, random);
  const names = new Set(factory.rows.map((row) => row.name));
  if (names.size !== factory.rows.length) throw new Error("duplicate CSV fuzz case name");
  return {
    kind,
    csvFileName: kind === "ham10000" ? "HAM10000_metadata.csv" : "labels.csv",
    columns: kind === "ham10000" ? HAM10000_COLUMNS : DERMAMNIST_COLUMNS,
    rows: factory.rows,
  };
}
