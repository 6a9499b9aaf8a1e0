/**
 * DermaMNIST (HAM10000 at 28x28, MedMNIST v2 official split) from `labels.csv` + `images/`. Diagnosis, malignancy,
 * lesion id and dx_type come from the CSV; `malignant` is cross-checked against the diagnosis vocabulary.
 */
import path from "node:path";
import { z } from "zod";
import { isMalignantDiagnosis } from "../diagnoses";
import { assertUniqueIds, parseCsvRow, readCsvFile } from "./csv";
import {
  ageField,
  diagnosisField,
  dxTypeField,
  fileNameField,
  hamLesionIdField,
  isicImageIdField,
  malignantFlagField,
  optionalTextField,
} from "./csv-fields";
import { DatasetError } from "./dataset-error";
import { assertDirectory, listFileNames } from "./dataset-files";
import { SplitSchema, type ImageRecord } from "./records";

export const DERMAMNIST_COLUMNS = [
  "file",
  "split",
  "index",
  "isic_image_id",
  "lesion_id",
  "dx",
  "dx_type",
  "age",
  "sex",
  "localization",
  "malignant",
] as const;

const DermamnistRowSchema = z
  .object({
    file: fileNameField,
    split: SplitSchema,
    index: z.string().regex(/^\d+$/, "expected a non-negative integer"),
    isic_image_id: isicImageIdField,
    lesion_id: hamLesionIdField,
    dx: diagnosisField,
    dx_type: dxTypeField,
    age: ageField,
    sex: optionalTextField,
    localization: optionalTextField,
    malignant: malignantFlagField,
  })
  .refine((row) => row.malignant === isMalignantDiagnosis(row.dx), {
    path: ["malignant"],
    message: "disagrees with dx (malignant = akiec, bcc, mel)",
  });

/** Reads `root/labels.csv` (columns DERMAMNIST_COLUMNS) and checks each image exists in `root/images/`. */
export function readDermamnist(root: string): ImageRecord[] {
  const absoluteRoot = path.resolve(root);
  assertDirectory(absoluteRoot, "DermaMNIST dataset");
  const imagesDir = path.join(absoluteRoot, "images");
  assertDirectory(imagesDir, "DermaMNIST images");
  const labelsFile = path.join(absoluteRoot, "labels.csv");
  const available = listFileNames(imagesDir);

  const rows = readCsvFile(labelsFile, DERMAMNIST_COLUMNS).map((row) => {
    const parsed = parseCsvRow(DermamnistRowSchema, row, labelsFile);
    if (!available.has(parsed.file)) {
      throw new DatasetError(labelsFile, `image "${parsed.file}" is not in ${imagesDir}`, row.line);
    }
    const record: ImageRecord = {
      id: parsed.isic_image_id,
      file: path.join(imagesDir, parsed.file),
      split: parsed.split,
      diagnosis: parsed.dx,
      malignant: parsed.malignant,
      lesionId: parsed.lesion_id,
      dxType: parsed.dx_type,
      age: parsed.age,
      sex: parsed.sex,
      site: parsed.localization,
    };
    return { record, line: row.line };
  });
  assertUniqueIds(rows.map(({ record, line }) => ({ id: record.id, line })), labelsFile);
  return rows.map(({ record }) => record);
}
