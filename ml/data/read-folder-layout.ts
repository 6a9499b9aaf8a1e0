/**
 * The seed project's layout: `{train,test}/{benign,malignant,unknown}/*.jpg|png`. The folder is the label
 * (`unknown` = no confirmed outcome, malignant null, never a label). An optional `labels.csv` beside the folders
 * (columns: file, and optionally malignant, ham10000_lesion_id, ham10000_dx_type) adds lesion ids, so that the
 * validation split carved from train is lesion-aware, and dx_type (histo = biopsied).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { assertUniqueIds, parseCsvRow, readCsvFile } from "./csv";
import { dxTypeField, hamLesionIdField } from "./csv-fields";
import { DatasetError } from "./dataset-error";
import { assertDirectory } from "./dataset-files";
import type { DxType, ImageRecord } from "./records";
import { lesionAwareSplit } from "./splits";

const SPLIT_FOLDERS = ["train", "test"] as const;
const CLASS_FOLDERS = { benign: false, malignant: true, unknown: null } as const;
type ClassFolder = keyof typeof CLASS_FOLDERS;

/** What sharp decodes. BMP is not among them (libvips in sharp's npm build has no BMP loader). */
const IMAGE_EXTENSION = /\.(jpe?g|png|tiff?|webp|bmp)$/i;
const IGNORED_FILES = new Set(["Thumbs.db", "desktop.ini"]);

export interface ReadFolderLayoutOptions {
  /** Share of the training images (by lesion) moved to "val", in [0, 1). */
  valFraction: number;
  /** Seed for the val carve; the same seed and files give the same split. */
  seed: number;
}

interface LabelInfo {
  lesionId: string | null;
  dxType: DxType | null;
}

const LabelsRowSchema = z.object({
  file: z.string().regex(/^(train|test)\/(benign|malignant|unknown)\/[^/\\]+$/, "expected train|test/<class>/<name>"),
  malignant: z.enum(["0", "1", ""]).optional(),
  ham10000_lesion_id: z.union([z.literal(""), hamLesionIdField]).optional(),
  ham10000_dx_type: z.union([z.literal(""), dxTypeField]).optional(),
});

export function readFolderLayout(root: string, options: ReadFolderLayoutOptions): ImageRecord[] {
  const { valFraction, seed } = options;
  if (!(valFraction >= 0 && valFraction < 1)) {
    throw new RangeError(`readFolderLayout: valFraction must be in [0, 1), got ${valFraction}`);
  }
  const absoluteRoot = path.resolve(root);
  assertDirectory(absoluteRoot, "folder-layout dataset");

  const records: ImageRecord[] = [];
  // A data set's folder, known only at run time: the ignore comments keep Next.js's build (the web routes import
  // this reader) from tracing the whole project for it.
  for (const split of SPLIT_FOLDERS) {
    const splitDir = path.join(/* turbopackIgnore: true */ absoluteRoot, split);
    assertDirectory(splitDir, `"${split}"`);
    const classFolders = listClassFolders(splitDir);
    for (const folder of classFolders) {
      for (const name of listImageNames(path.join(/* turbopackIgnore: true */ splitDir, folder))) {
        records.push({
          id: `${split}/${folder}/${name}`,
          file: path.join(/* turbopackIgnore: true */ splitDir, folder, name),
          split,
          diagnosis: null,
          malignant: CLASS_FOLDERS[folder],
          lesionId: null,
          dxType: null,
          age: null,
          sex: null,
          site: null,
        });
      }
    }
  }

  const labels = readOptionalLabels(absoluteRoot, records);
  const labelled = records.map((r) => {
    const info = labels.get(r.id);
    return info ? { ...r, lesionId: info.lesionId, dxType: info.dxType } : r;
  });

  const train = labelled.filter((r) => r.split === "train");
  const carved = lesionAwareSplit(train, { train: 1 - valFraction, val: valFraction }, seed);
  return [...carved, ...labelled.filter((r) => r.split === "test")];
}

function listClassFolders(splitDir: string): ClassFolder[] {
  const folders: ClassFolder[] = [];
  for (const entry of readdirSync(splitDir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || IGNORED_FILES.has(entry.name)) continue;
    if (!entry.isDirectory()) continue;
    if (!Object.hasOwn(CLASS_FOLDERS, entry.name)) {
      // A misspelt class folder would otherwise drop its images silently.
      throw new DatasetError(path.join(splitDir, entry.name), "unexpected folder; expected benign, malignant or unknown");
    }
    folders.push(entry.name as ClassFolder);
  }
  if (folders.length === 0) throw new DatasetError(splitDir, "no benign, malignant or unknown folder inside");
  const order = Object.keys(CLASS_FOLDERS);
  return folders.sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

function listImageNames(dir: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || IGNORED_FILES.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (!entry.isFile()) throw new DatasetError(full, "expected only image files in a class folder");
    if (!IMAGE_EXTENSION.test(entry.name)) {
      throw new DatasetError(full, "not a supported image (.jpg, .jpeg, .png, .tif, .webp, .bmp)");
    }
    names.push(entry.name);
  }
  return names.sort();
}

function readOptionalLabels(root: string, records: readonly ImageRecord[]): Map<string, LabelInfo> {
  const labelsFile = path.join(root, "labels.csv");
  const byId = new Map(records.map((r) => [r.id, r]));
  const labels = new Map<string, LabelInfo>();
  if (!existsSync(labelsFile)) return labels;
  const parsedRows = readCsvFile(labelsFile, ["file"]).map((row) => ({ row, parsed: parseCsvRow(LabelsRowSchema, row, labelsFile) }));
  assertUniqueIds(parsedRows.map(({ row, parsed }) => ({ id: parsed.file, line: row.line })), labelsFile);
  for (const { row, parsed } of parsedRows) {
    const record = byId.get(parsed.file);
    if (!record) throw new DatasetError(labelsFile, `"${parsed.file}" is not an image in the folders`, row.line);
    if (parsed.malignant !== undefined) {
      const fromCsv = parsed.malignant === "" ? null : parsed.malignant === "1";
      if (fromCsv !== record.malignant) {
        throw new DatasetError(labelsFile, `malignant = "${parsed.malignant}" contradicts the folder of "${parsed.file}"`, row.line);
      }
    }
    labels.set(parsed.file, {
      lesionId: parsed.ham10000_lesion_id || null,
      dxType: parsed.ham10000_dx_type || null,
    });
  }
  return labels;
}
