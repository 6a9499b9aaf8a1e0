/** What every importer reports back, and how it reports progress. */

export interface ImportRejection {
  /** Line in the data set's CSV (1 = header), when the problem is a CSV row. */
  row?: number;
  /** The image file (absolute path), when known. */
  file?: string;
  reason: string;
}

export interface ImportSummary {
  /**
   * Entries considered (after --limit): imported + skippedDuplicate + rejected.length. Mostly images; a rejected
   * entry can also be a CSV row or a stray folder.
   */
  total: number;
  /** New LesionImage rows. */
  imported: number;
  /** Already in the database: the same data-set image id, or the same picture (content hash). */
  skippedDuplicate: number;
  /** In CSV line order, then by file. */
  rejected: ImportRejection[];
  patientsCreated: number;
  lesionsCreated: number;
  /** Confirmed outcomes created (BiopsyOutcome rows; see `confirmation` for how each was confirmed). */
  outcomesCreated: number;
}

/** The outcome so far, as the ImportRun row stores it: the admin page shows it while the import runs. */
export interface ImportCounts {
  imported: number;
  skippedDuplicate: number;
  rejectedCount: number;
}

export type ImportProgress = (done: number, total: number, counts: ImportCounts) => void;

export function emptySummary(): ImportSummary {
  return { total: 0, imported: 0, skippedDuplicate: 0, rejected: [], patientsCreated: 0, lesionsCreated: 0, outcomesCreated: 0 };
}
