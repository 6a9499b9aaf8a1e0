/** File-system checks shared by the dataset readers, each failing with a DatasetError that names the path. */
import { readdirSync, statSync } from "node:fs";
import { DatasetError } from "./dataset-error";

export function assertDirectory(dir: string, what: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new DatasetError(dir, `${what} folder not found`);
  }
  if (!isDirectory) throw new DatasetError(dir, `${what} is not a folder`);
}

export function assertFile(file: string, what: string): void {
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new DatasetError(file, `${what} not found`);
  }
  if (!isFile) throw new DatasetError(file, `${what} is not a file`);
}

/** Plain file names directly in `dir` (one readdir instead of a stat per CSV row). */
export function listFileNames(dir: string): Set<string> {
  return new Set(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name),
  );
}
