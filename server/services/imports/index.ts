/** Data-set importers: each idempotent, each lesion in its own transaction, bad rows reported and skipped. */
export { importDermamnist, DERMAMNIST_SIDE } from "./import-dermamnist";
export { importFolderLayout, defaultFolderDatasetCode, ARCHIVE_DIAGNOSIS_CODES, type FolderLayoutImporterOptions } from "./import-folder-layout";
export { importHam10000, HAM10000_METADATA_FILE } from "./import-ham10000";
export type { ImporterOptions } from "./importer-options";
export type { ImportProgress, ImportRejection, ImportSummary } from "./import-summary";
