/**
 * One error type for broken datasets, so callers (CLI scripts, the importer) can tell "your data folder is wrong"
 * apart from a bug, and so every message starts with the file (and line) to open.
 */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
  constructor(
    readonly file: string,
    detail: string,
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${detail}`);
  }
}
