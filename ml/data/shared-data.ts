/**
 * Where the project's real datasets live: `../shared/data` beside the repository (never copied into it). Resolved
 * from this file's location so tests and scripts work from any working directory.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const SHARED_DATA_DIR = path.resolve(repoRoot, "../shared/data");
export const DERMAMNIST_28_DIR = path.join(SHARED_DATA_DIR, "dermamnist-28");
/** All 10,015 HAM10000 images at 200x150 with dermamnist-28's labels.csv (official split, lesion ids, dx_type). */
export const HAM10000_200_DIR = path.join(SHARED_DATA_DIR, "ham10000-200");
export const HAM10000_SAMPLE_DIR = path.join(SHARED_DATA_DIR, "ham10000-sample");
export const ISIC2019_180_DIR = path.join(SHARED_DATA_DIR, "isic2019-180");
