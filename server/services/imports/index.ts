/** Data-set importers: each idempotent, each lesion in its own transaction, bad rows reported and skipped. */
export { importDermamnist } from "./import-dermamnist";
export { importFolderLayout } from "./import-folder-layout";
export { importHam10000 } from "./import-ham10000";
export type { ImporterOptions } from "./importer-options";
export type { ImportSummary } from "./import-summary";
