/**
 * The seed project's layout: `{train,test}/{benign,malignant,unknown}/<image files>`, with an optional `labels.csv`
 * beside the folders (columns: file (required), image_id, diagnosis, malignant, ham10000_lesion_id, ham10000_dx_type).
 *
 * What the folder label means, and how it is stored (honestly):
 * - The folder is a confirmed diagnosis from the ISIC archive, but not necessarily a biopsy. Only when labels.csv
 *   gives the HAM10000 dx_type `histo` is the outcome stored as a biopsy (confirmation "histo"). A HAM10000
 *   follow_up / consensus / confocal dx_type is stored as that confirmation; an archive label with no dx_type is
 *   stored with confirmation "archive-label". Readers counting biopsies must filter on confirmation = "histo".
 * - `unknown` holds lesions with no confirmed diagnosis: they are imported with no outcome at all.
 * - Diagnosis: the archive's words mapped to the ml/diagnoses.ts code where one fits (melanoma -> mel, ...), its own
 *   words otherwise (squamous cell carcinoma), and "benign"/"malignant" when labels.csv is absent.
 * - Lesions: images sharing a `ham10000_lesion_id` form one lesion; other images are a lesion each.
 * - Report date: the HAM10000 publication date for HAM10000 outcomes; otherwise not recorded anywhere, so the date
 *   of the import (or `outcomeDate` when given).
 * The image type is decided from the file's bytes, so any file in a class folder is tried (BMP included) and a
 * non-image is reported as rejected, not skipped silently.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { dxTypeField, hamLesionIdField } from "@/ml/data/csv-fields";
import { DatasetError } from "@/ml/data/dataset-error";
import { assertDirectory } from "@/ml/data/dataset-files";
import type { DxType } from "@/ml/data/records";
import { isDiagnosis, isMalignantDiagnosis } from "@/ml/diagnoses";
import { env } from "@/server/env";
import { imageLimitsFromEnv } from "@/server/services/images/image-limits";
import { readCsvRows, validateRow } from "./csv-rows";
import type { ImportPlan, PlannedLesion, PlannedOutcome } from "./import-plan";
import type { ImportRejection, ImportSummary } from "./import-summary";
import type { ImporterOptions } from "./importer-options";
import { HAM10000_PUBLICATION_DATE, namespacedId, researchMrn, researchPatientName } from "./research-subject";
import { runImportPlan } from "./run-import-plan";

const SPLITS = ["train", "test"] as const;
const CLASSES = ["benign", "malignant", "unknown"] as const;
type ClassFolder = (typeof CLASSES)[number];
const IGNORED_NAMES = new Set(["Thumbs.db", "desktop.ini"]);

/** ISIC archive diagnosis -> ml/diagnoses.ts code (HAM10000's bkl covers seborrheic keratoses and solar lentigines). */
export const ARCHIVE_DIAGNOSIS_CODES: Readonly<Record<string, string>> = {
  melanoma: "mel",
  "basal cell carcinoma": "bcc",
  "actinic keratosis": "akiec",
  nevus: "nv",
  "pigmented benign keratosis": "bkl",
  "seborrheic keratosis": "bkl",
  dermatofibroma: "df",
  "vascular lesion": "vasc",
};

const LabelsRowSchema = z.object({
  file: z.string().regex(/^(train|test)\/(benign|malignant|unknown)\/[^/\\]+$/, "expected train|test/benign|malignant|unknown/<file name>"),
  // ISIC ids, and also the archive's "ISIC_0025509(1)" for a second copy.
  image_id: z.string().max(200).regex(/^[^/\\]*$/, "must not contain / or \\").optional(),
  diagnosis: z.string().max(200).optional(),
  malignant: z.enum(["", "0", "1"]).optional(),
  ham10000_lesion_id: z.union([z.literal(""), hamLesionIdField]).optional(),
  ham10000_dx_type: z.union([z.literal(""), dxTypeField]).optional(),
});
type LabelsRow = z.output<typeof LabelsRowSchema>;

interface FolderImage {
  relative: string;
  file: string;
  folderClass: ClassFolder;
}

export interface FolderLayoutImporterOptions extends ImporterOptions {
  /** Report date for outcomes whose data set records none (default: the day of the import). */
  outcomeDate?: Date;
}

function walk(folder: string, rejected: ImportRejection[]): FolderImage[] {
  // The import folder is chosen at run time: the ignore comments keep Next.js's build from tracing the whole project.
  const splits = SPLITS.filter((split) => existsSync(/* turbopackIgnore: true */ path.join(/* turbopackIgnore: true */ folder, split)));
  if (splits.length === 0) throw new DatasetError(folder, "no train or test folder: expected train|test/benign|malignant|unknown/");
  const images: FolderImage[] = [];
  for (const split of splits) {
    const splitDir = path.join(folder, split);
    for (const entry of readdirSync(splitDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".") || IGNORED_NAMES.has(entry.name)) continue;
      const folderClass = CLASSES.find((name) => name === entry.name);
      if (!entry.isDirectory() || !folderClass) {
        rejected.push({ file: path.join(splitDir, entry.name), reason: "unexpected entry: expected only the folders benign, malignant and unknown" });
        continue;
      }
      const classDir = path.join(splitDir, folderClass);
      for (const file of readdirSync(classDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (file.name.startsWith(".") || IGNORED_NAMES.has(file.name)) continue;
        if (!file.isFile()) {
          rejected.push({ file: path.join(classDir, file.name), reason: "expected only image files in a class folder" });
          continue;
        }
        images.push({ relative: `${split}/${folderClass}/${file.name}`, file: path.join(classDir, file.name), folderClass });
      }
    }
  }
  return images;
}

/**
 * labels.csv rows by relative file. A row for a file that is not there is rejected; a bad row for a file that is
 * there rejects that image (reported once, with the row's line, when the image is reached).
 */
function readLabels(folder: string, images: readonly FolderImage[], rejected: ImportRejection[]) {
  const labels = new Map<string, { line: number; value: LabelsRow }>();
  const badLabel = new Map<string, { line: number; reason: string }>();
  const labelsFile = path.join(folder, "labels.csv");
  if (!existsSync(labelsFile)) return { labels, badLabel };
  const known = new Set(images.map((image) => image.relative));
  for (const row of readCsvRows(labelsFile, ["file"])) {
    const relative = row.values.file ?? "";
    const result = validateRow(LabelsRowSchema, row);
    if (!result.ok) {
      if (known.has(relative) && !badLabel.has(relative)) badLabel.set(relative, { line: row.line, reason: `labels.csv: ${result.reason}` });
      else rejected.push({ row: row.line, reason: result.reason });
      continue;
    }
    if (!known.has(relative)) {
      rejected.push({ row: row.line, reason: `"${relative}" is not an image file in the folders` });
      continue;
    }
    const earlier = labels.get(relative);
    if (earlier) {
      rejected.push({ row: row.line, file: path.join(folder, relative), reason: `"${relative}" is labelled again (first at line ${earlier.line})` });
      continue;
    }
    labels.set(relative, { line: row.line, value: result.value });
  }
  return { labels, badLabel };
}

function outcomeFor(
  folderClass: ClassFolder,
  diagnosisText: string | null,
  dxType: DxType | null,
  outcomeDate: Date,
): PlannedOutcome | { error: string } | null {
  if (folderClass === "unknown") return null;
  const malignant = folderClass === "malignant";
  const words = diagnosisText?.trim().toLowerCase() || null;
  const code = words === null ? null : ARCHIVE_DIAGNOSIS_CODES[words];
  if (code && isDiagnosis(code) && isMalignantDiagnosis(code) !== malignant) {
    return { error: `diagnosis "${words}" contradicts the ${folderClass} folder` };
  }
  return {
    histopathologyDiagnosis: code ?? words ?? folderClass,
    malignant,
    confirmation: dxType ?? "archive-label",
    reportDate: dxType ? HAM10000_PUBLICATION_DATE : outcomeDate,
  };
}

export function defaultFolderDatasetCode(folder: string): string {
  return path.basename(path.resolve(folder)).toUpperCase().replace(/[^A-Z0-9]+/g, "-") || "FOLDER";
}

function planFolderLayout(folder: string, options: FolderLayoutImporterOptions): ImportPlan {
  const rejected: ImportRejection[] = [];
  const all = walk(folder, rejected);
  const { labels, badLabel } = readLabels(folder, all, rejected);
  const images = options.limit === undefined ? all : all.slice(0, options.limit);
  const code = options.datasetCode ?? defaultFolderDatasetCode(folder);
  const datasetName = path.basename(folder);
  const today = new Date();
  const outcomeDate = options.outcomeDate ?? new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));

  const lesions = new Map<string, { lesion: PlannedLesion; folderClass: ClassFolder; dxType: DxType | null; first: string }>();
  const imageIds = new Map<string, string>();
  for (const image of images) {
    const bad = badLabel.get(image.relative);
    if (bad) {
      rejected.push({ row: bad.line, file: image.file, reason: bad.reason });
      continue;
    }
    const label = labels.get(image.relative);
    const row = label ? { row: label.line } : {};
    const value = label?.value;
    const imageId = value?.image_id || path.parse(image.relative).name;
    const firstWithId = imageIds.get(imageId);
    if (firstWithId) {
      rejected.push({ ...row, file: image.file, reason: `image id ${imageId} is also ${firstWithId}` });
      continue;
    }
    if (value?.malignant && (value.malignant === "1") !== (image.folderClass === "malignant")) {
      rejected.push({ ...row, file: image.file, reason: `malignant = ${value.malignant} contradicts the ${image.folderClass} folder` });
      continue;
    }
    const dxType = value?.ham10000_dx_type || null;
    const lesionId = value?.ham10000_lesion_id || imageId;
    const existing = lesions.get(lesionId);
    if (existing) {
      if (existing.folderClass !== image.folderClass || existing.dxType !== dxType) {
        rejected.push({
          ...row,
          file: image.file,
          reason: `lesion ${lesionId} is ${existing.folderClass}/${existing.dxType ?? "no dx_type"} in ${existing.first} but ${image.folderClass}/${dxType ?? "no dx_type"} here`,
        });
        continue;
      }
      imageIds.set(imageId, image.relative);
      existing.lesion.images.push({ externalId: namespacedId(code, imageId), file: image.file, ...row });
      continue;
    }
    const outcome = outcomeFor(image.folderClass, value?.diagnosis ?? null, dxType, outcomeDate);
    if (outcome && "error" in outcome) {
      rejected.push({ ...row, file: image.file, reason: outcome.error });
      continue;
    }
    imageIds.set(imageId, image.relative);
    lesions.set(lesionId, {
      folderClass: image.folderClass,
      dxType,
      first: image.relative,
      lesion: {
        externalId: namespacedId(code, lesionId),
        patient: { mrn: researchMrn(code, lesionId), name: researchPatientName(datasetName, lesionId), sex: "UNKNOWN", birthDate: null },
        bodySite: "unspecified",
        label: lesionId,
        outcome,
        images: [{ externalId: namespacedId(code, imageId), file: image.file, ...row }],
      },
    });
  }
  return { lesions: [...lesions.values()].map((entry) => entry.lesion), rejected };
}

export async function importFolderLayout(options: FolderLayoutImporterOptions): Promise<ImportSummary> {
  const folder = path.resolve(options.folder);
  assertDirectory(folder, "folder-layout data set");
  const plan = planFolderLayout(folder, options);
  return runImportPlan(plan, { ...options, limits: options.limits ?? imageLimitsFromEnv(env()) });
}
