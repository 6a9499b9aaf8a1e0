/**
 * Pure parts of the "new clinic" replay (bench/new-clinic.ts): which isic2019-180 rows play the clinic, the order
 * their biopsy results arrive in, how each archive diagnosis is entered as a histopathology result, and when the
 * local-validation acceptance criteria held along the replay. No database, no files: tested in new-clinic-support.test.ts.
 */
import { parse } from "csv-parse/sync";
import { createRng } from "@/ml/random";
import { ARCHIVE_DIAGNOSIS_CODES } from "@/server/services/imports/import-folder-layout";
import { histopathologyOf, type HistopathologyCode } from "@/server/services/clinical/vocabulary";

export interface ClinicCase {
  /** ISIC image id: one image per lesion here (these rows carry no lesion id). */
  imageId: string;
  /** Path under isic2019-180/. */
  file: string;
  diagnosis: string;
  malignant: boolean;
}

/**
 * The cross-source rows of isic2019-180's labels.csv: an empty `ham10000_lesion_id`, i.e. images from other ISIC 2019
 * contributors than HAM10000. Refuses a row whose `malignant` column is not 0 or 1.
 */
export function crossSourceCases(labelsCsv: string): ClinicCase[] {
  const rows = parse(labelsCsv, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  return rows
    .filter((row) => (row.ham10000_lesion_id ?? "") === "")
    .map((row) => {
      if (row.malignant !== "0" && row.malignant !== "1") throw new Error(`labels.csv: ${row.image_id}: malignant must be 0 or 1, got "${row.malignant}"`);
      if (!row.image_id || !row.file || !row.diagnosis) throw new Error(`labels.csv: a cross-source row lacks image_id, file or diagnosis`);
      return { imageId: row.image_id, file: row.file, diagnosis: row.diagnosis, malignant: row.malignant === "1" };
    });
}

export type ReplayOrder = { kind: "id" } | { kind: "shuffle"; seed: number };

export function describeOrder(order: ReplayOrder): string {
  return order.kind === "id"
    ? "sorted by ISIC image id (the archive's accession order; contributor batches follow each other)"
    : `seeded shuffle: Fisher-Yates over the cases sorted by ISIC image id, ml/random createRng(${order.seed})`;
}

/** The order the clinic's cases arrive in: deterministic for a given order (and seed). */
export function orderCases<T extends { imageId: string }>(cases: readonly T[], order: ReplayOrder): T[] {
  const sorted = [...cases].sort((a, b) => (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0));
  if (order.kind === "id") return sorted;
  const random = createRng(order.seed);
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
  }
  return sorted;
}

/**
 * The histopathology result a clinician would enter for an archive diagnosis: the importer's own mapping
 * (melanoma -> mel, nevus -> nv, ...) plus squamous cell carcinoma -> scc, which the entry form has and HAM10000's
 * seven classes lack. Throws when the archive's word has no entry, or when the entry's malignancy contradicts the
 * data set's `malignant` column.
 */
export function histopathologyCodeFor(diagnosis: string, malignant: boolean): HistopathologyCode {
  const words = diagnosis.trim().toLowerCase();
  const code = words === "squamous cell carcinoma" ? "scc" : ARCHIVE_DIAGNOSIS_CODES[words];
  const entry = code === undefined ? null : histopathologyOf(code);
  if (!entry) throw new Error(`no histopathology code for the archive diagnosis "${diagnosis}"`);
  if (entry.malignant !== malignant) throw new Error(`"${diagnosis}" maps to ${entry.code}, whose malignancy contradicts malignant=${malignant ? 1 : 0}`);
  return entry.code;
}

/** The local-validation state after one biopsy result (the platform's computeLocalValidation, read back). */
export interface CriteriaPoint {
  /** 1-based: this many results had arrived. */
  outcome: number;
  criteriaMet: boolean;
  /** Every check but the unacknowledged-safety-events one holds: what the criteria say once the events are acknowledged. */
  metIgnoringSafetyEvents: boolean;
}

export interface CriteriaTimeline {
  /** The first result after which the criteria held; null if they never did. */
  firstMetAfter: number | null;
  /** The first result after which they no longer held, having held before; null if they never stopped holding. */
  firstLostAfter: number | null;
  /** From this result on they held to the end of the replay; null if they did not hold at the end. */
  heldFromThenOn: number | null;
  /** How many results left the criteria met. */
  outcomesMet: number;
  /** Runs of consecutive results with the criteria met, as [first, last] result numbers. */
  stretches: [number, number][];
}

/** When the criteria held along the replay; `field` picks the strict verdict or the one ignoring safety events. */
export function criteriaTimeline(points: readonly CriteriaPoint[], field: "criteriaMet" | "metIgnoringSafetyEvents" = "criteriaMet"): CriteriaTimeline {
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.outcome <= points[i - 1]!.outcome) throw new Error("criteria points must be in increasing outcome order");
  }
  const stretches: [number, number][] = [];
  let firstLostAfter: number | null = null;
  let previous = false;
  for (const point of points) {
    const met = point[field];
    if (met && !previous) stretches.push([point.outcome, point.outcome]);
    else if (met) stretches.at(-1)![1] = point.outcome;
    else if (previous && firstLostAfter === null) firstLostAfter = point.outcome;
    previous = met;
  }
  const last = points.at(-1);
  const lastStretch = stretches.at(-1);
  return {
    firstMetAfter: stretches[0]?.[0] ?? null,
    firstLostAfter,
    heldFromThenOn: last && lastStretch && lastStretch[1] === last.outcome ? lastStretch[0] : null,
    outcomesMet: points.filter((point) => point[field]).length,
    stretches,
  };
}
