/**
 * HAM10000 full-size images (600x450) with the official `HAM10000_metadata.csv`. The sample in shared/data is a
 * demo/import set: every image in it is also in DermaMNIST (some in its test split), so it is not an independent
 * test set. There is no split column; the caller says which split to put the records in.
 */
import path from "node:path";
import { z } from "zod";
import { assertUniqueIds, parseCsvRow, readCsvFile } from "./csv";
import { ageField, diagnosisField, dxTypeField, hamLesionIdField, isicImageIdField, optionalTextField } from "./csv-fields";
import { DatasetError } from "./dataset-error";
import { assertDirectory, listFileNames } from "./dataset-files";
import { isMalignantDiagnosis } from "../diagnoses";
import type { ImageRecord, Split } from "./records";

export const HAM10000_COLUMNS = ["lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"] as const;

const HamRowSchema = z.object({
  lesion_id: hamLesionIdField,
  image_id: isicImageIdField,
  dx: diagnosisField,
  dx_type: dxTypeField,
  age: ageField,
  sex: optionalTextField,
  localization: optionalTextField,
});

/** HAM10000 ships JPEGs; other extensions are accepted so a re-encoded copy still reads. */
const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".bmp"] as const;

export interface ReadHam10000Options {
  /** Split given to every record (default "train"). */
  split?: Split;
}

/** Reads `root/HAM10000_metadata.csv` and finds `root/images/<image_id>.jpg` (or .jpeg/.png) for every row. */
export function readHam10000(root: string, options: ReadHam10000Options = {}): ImageRecord[] {
  const absoluteRoot = path.resolve(root);
  assertDirectory(absoluteRoot, "HAM10000 dataset");
  const imagesDir = path.join(absoluteRoot, "images");
  assertDirectory(imagesDir, "HAM10000 images");
  const metadataFile = path.join(absoluteRoot, "HAM10000_metadata.csv");
  const available = listFileNames(imagesDir);
  const split = options.split ?? "train";

  const rows = readCsvFile(metadataFile, HAM10000_COLUMNS).map((row) => {
    const parsed = parseCsvRow(HamRowSchema, row, metadataFile);
    const fileName = IMAGE_EXTENSIONS.map((ext) => parsed.image_id + ext).find((name) => available.has(name));
    if (fileName === undefined) {
      throw new DatasetError(metadataFile, `no image ${parsed.image_id}.jpg (or .jpeg/.png) in ${imagesDir}`, row.line);
    }
    const record: ImageRecord = {
      id: parsed.image_id,
      file: path.join(imagesDir, fileName),
      split,
      diagnosis: parsed.dx,
      malignant: isMalignantDiagnosis(parsed.dx),
      lesionId: parsed.lesion_id,
      dxType: parsed.dx_type,
      age: parsed.age,
      sex: parsed.sex,
      site: parsed.localization,
    };
    return { record, line: row.line };
  });
  assertUniqueIds(rows.map(({ record, line }) => ({ id: record.id, line })), metadataFile);
  return rows.map(({ record }) => record);
}
