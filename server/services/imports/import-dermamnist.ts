/**
 * DermaMNIST (HAM10000 at 28x28): `labels.csv` + `images/`. Images are 28 px by design, so the minimum image side
 * is lowered to 28 for this import only.
 */
import path from "node:path";
import { z } from "zod";
import { isMalignantDiagnosis } from "@/ml/diagnoses";
import {
  ageField,
  diagnosisField,
  dxTypeField,
  fileNameField,
  hamLesionIdField,
  isicImageIdField,
  malignantFlagField,
  optionalTextField,
} from "@/ml/data/csv-fields";
import { assertDirectory } from "@/ml/data/dataset-files";
import { env } from "@/server/env";
import { imageLimitsFromEnv } from "@/server/services/images/image-limits";
import { readCsvRows, validateRow } from "./csv-rows";
import type { ImportRejection, ImportSummary } from "./import-summary";
import type { ImporterOptions } from "./importer-options";
import { planHamStyleRows, type HamStyleRow } from "./plan-ham-style-rows";
import { HAM10000_PUBLICATION_DATE, HAM10000_PUBLICATION_YEAR } from "./research-subject";
import { runImportPlan } from "./run-import-plan";

export const DERMAMNIST_SIDE = 28;
const REQUIRED_COLUMNS = ["file", "isic_image_id", "lesion_id", "dx", "dx_type", "age", "sex", "localization", "malignant"];

const RowSchema = z
  .object({
    file: fileNameField,
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

export async function importDermamnist(options: ImporterOptions): Promise<ImportSummary> {
  const folder = path.resolve(options.folder);
  assertDirectory(folder, "DermaMNIST");
  const imagesDir = path.join(folder, "images");
  assertDirectory(imagesDir, "DermaMNIST images");
  const labelsFile = path.join(folder, "labels.csv");

  const rejected: ImportRejection[] = [];
  const rows: HamStyleRow[] = [];
  for (const row of readCsvRows(labelsFile, REQUIRED_COLUMNS, options.limit)) {
    const result = validateRow(RowSchema, row);
    if (!result.ok) {
      rejected.push({ row: row.line, reason: result.reason });
      continue;
    }
    const value = result.value;
    rows.push({
      line: row.line,
      imageId: value.isic_image_id,
      lesionId: value.lesion_id,
      file: path.join(imagesDir, value.file),
      dx: value.dx,
      dxType: value.dx_type,
      age: value.age,
      sex: value.sex,
      site: value.localization,
    });
  }
  const plan = planHamStyleRows(
    rows,
    {
      code: options.datasetCode ?? "DERMAMNIST",
      name: "DermaMNIST",
      referenceYear: HAM10000_PUBLICATION_YEAR,
      outcomeDate: HAM10000_PUBLICATION_DATE,
    },
    rejected,
  );
  const configured = options.limits ?? imageLimitsFromEnv(env());
  return runImportPlan(plan, { ...options, limits: { ...configured, minDimension: Math.min(configured.minDimension, DERMAMNIST_SIDE) } });
}
