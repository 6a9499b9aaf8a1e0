/**
 * HAM10000 as published: `HAM10000_metadata.csv` and the JPEGs, either in `images/` (the sample in shared/data) or
 * in the two folders of the original download (`HAM10000_images_part_1`, `HAM10000_images_part_2`).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ageField, diagnosisField, dxTypeField, hamLesionIdField, isicImageIdField, optionalTextField } from "@/ml/data/csv-fields";
import { DatasetError } from "@/ml/data/dataset-error";
import { assertDirectory } from "@/ml/data/dataset-files";
import { env } from "@/server/env";
import { imageLimitsFromEnv } from "@/server/services/images/image-limits";
import { readCsvRows, validateRow } from "./csv-rows";
import type { ImportRejection, ImportSummary } from "./import-summary";
import type { ImporterOptions } from "./importer-options";
import { planHamStyleRows, type HamStyleRow } from "./plan-ham-style-rows";
import { HAM10000_PUBLICATION_DATE, HAM10000_PUBLICATION_YEAR } from "./research-subject";
import { runImportPlan } from "./run-import-plan";

export const HAM10000_METADATA_FILE = "HAM10000_metadata.csv";
const IMAGE_FOLDERS = ["images", "HAM10000_images_part_1", "HAM10000_images_part_2"];
const EXTENSIONS = [".jpg", ".jpeg", ".png"];
const REQUIRED_COLUMNS = ["lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization"];

const RowSchema = z.object({
  lesion_id: hamLesionIdField,
  image_id: isicImageIdField,
  dx: diagnosisField,
  dx_type: dxTypeField,
  age: ageField,
  sex: optionalTextField,
  localization: optionalTextField,
});

/** File name -> path over the image folders present (one readdir each instead of a stat per row). */
function indexImageFiles(folder: string): Map<string, string> {
  const index = new Map<string, string>();
  // The import folder is chosen at run time: the ignore comments keep Next.js's build from tracing the whole project.
  const dirs = IMAGE_FOLDERS.map((name) => path.join(/* turbopackIgnore: true */ folder, name)).filter((dir) => existsSync(/* turbopackIgnore: true */ dir));
  if (dirs.length === 0) {
    throw new DatasetError(folder, `no image folder: expected one of ${IMAGE_FOLDERS.join(", ")}`);
  }
  for (const dir of dirs) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isFile() && !index.has(entry.name)) index.set(entry.name, path.join(dir, entry.name));
    }
  }
  return index;
}

export async function importHam10000(options: ImporterOptions): Promise<ImportSummary> {
  const folder = path.resolve(options.folder);
  assertDirectory(folder, "HAM10000");
  const files = indexImageFiles(folder);
  const metadataFile = path.join(folder, HAM10000_METADATA_FILE);

  const rejected: ImportRejection[] = [];
  const rows: HamStyleRow[] = [];
  for (const row of readCsvRows(metadataFile, REQUIRED_COLUMNS, options.limit)) {
    const result = validateRow(RowSchema, row);
    if (!result.ok) {
      rejected.push({ row: row.line, reason: result.reason });
      continue;
    }
    const value = result.value;
    const file = EXTENSIONS.map((ext) => files.get(value.image_id + ext)).find((found) => found !== undefined);
    rows.push({
      line: row.line,
      imageId: value.image_id,
      lesionId: value.lesion_id,
      // A missing file is reported by the runner as "image file not found", with this path.
      file: file ?? path.join(folder, "images", `${value.image_id}.jpg`),
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
      code: options.datasetCode ?? "HAM",
      name: "HAM10000",
      referenceYear: HAM10000_PUBLICATION_YEAR,
      outcomeDate: HAM10000_PUBLICATION_DATE,
    },
    rejected,
  );
  return runImportPlan(plan, { ...options, limits: options.limits ?? imageLimitsFromEnv(env()) });
}
