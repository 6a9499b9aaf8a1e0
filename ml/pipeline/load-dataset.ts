/**
 * Which dataset a folder holds, and its records: DermaMNIST-style (`labels.csv` + `images/`, 7-class labels and
 * the official split) or the seed project's folder layout (`train|test/benign|malignant|unknown`, binary labels,
 * validation carved from train by lesion). Problems surface as ml/data's DatasetError, naming the file at fault.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { DatasetError, readDermamnist, readFolderLayout, type ImageRecord } from "../data";

export type DatasetFormat = "dermamnist" | "folder";

export interface DatasetSource {
  root: string;
  /** Default: detected from the folder's contents. */
  format?: DatasetFormat;
  /** Folder layout only: share of train lesions moved to validation (default 0.15). */
  valFraction?: number;
  /** Folder layout only: seed of the validation carve (default 0). */
  splitSeed?: number;
}

export interface LoadedDataset {
  format: DatasetFormat;
  root: string;
  records: ImageRecord[];
  /** One line for model metadata and cards. */
  description: string;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export function detectDatasetFormat(root: string): DatasetFormat {
  const dir = path.resolve(root);
  if (!isDir(dir)) throw new DatasetError(dir, "data folder not found");
  if (isDir(path.join(dir, "images")) && existsSync(path.join(dir, "labels.csv"))) return "dermamnist";
  if (isDir(path.join(dir, "train")) && isDir(path.join(dir, "test"))) return "folder";
  throw new DatasetError(dir, "not a dataset: expected labels.csv + images/ (DermaMNIST) or train/ and test/ folders with benign|malignant|unknown inside");
}

export function loadDataset(source: DatasetSource): LoadedDataset {
  const root = path.resolve(source.root);
  const format = source.format ?? detectDatasetFormat(root);
  if (format === "dermamnist") {
    const records = readDermamnist(root);
    return { format, root, records, description: `DermaMNIST (HAM10000 at 28x28, official MedMNIST split) from ${path.basename(root)}` };
  }
  const valFraction = source.valFraction ?? 0.15;
  const records = readFolderLayout(root, { valFraction, seed: source.splitSeed ?? 0 });
  return {
    format,
    root,
    records,
    description: `Folder layout (benign/malignant labels) from ${path.basename(root)}; validation = ${valFraction} of train by lesion, seed ${source.splitSeed ?? 0}`,
  };
}
