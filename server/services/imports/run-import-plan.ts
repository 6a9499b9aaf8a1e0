/**
 * Runs an import plan: skips images already imported (one batched query by external id), then decodes, stores and
 * saves lesion by lesion with bounded concurrency, each lesion in its own transaction (save-lesion-group.ts). Images
 * of one lesion are handled by one worker, so two workers never race to create the same lesion.
 *
 * A bad file (unreadable, refused by the image pipeline) is reported with its reason and the rest goes on. A
 * database refusal of one lesion's rows (a constraint) rejects that lesion's images and the rest goes on. Anything
 * else (database unreachable, disk full) stops the import: it would fail every remaining row the same way, and a
 * re-run resumes where it stopped because the import is idempotent.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { forEachWithConcurrency } from "@/ml/data/pool";
import type { Db } from "@/server/db/client";
import { Prisma } from "@/server/db/generated/client";
import { isImageRejectedError } from "@/server/services/images/image-rejected-error";
import type { ImageLimits } from "@/server/services/images/image-limits";
import type { ImageStore } from "@/server/services/images/image-store";
import { prepareImage } from "@/server/services/images/prepare-image";
import { countPlannedImages, type ImportPlan, type PlannedImage } from "./import-plan";
import { emptySummary, type ImportProgress, type ImportRejection, type ImportSummary } from "./import-summary";
import { saveLesionGroup, type PreparedPlannedImage } from "./save-lesion-group";

export interface RunImportOptions {
  db: Db;
  store: ImageStore;
  /** Audited as the importer; null for a system import (CLI without a user). */
  actorId?: string | null;
  limits: ImageLimits;
  /** Lesions in flight at once (default: 4 per CPU core, at least 8): overlaps decoding, disk and database waits. */
  concurrency?: number;
  onProgress?: ImportProgress;
}

/** Prisma error codes that concern the rows being written, not the database's health. */
const ROW_LEVEL_DB_ERRORS = new Set(["P2000", "P2002", "P2003", "P2004", "P2007", "P2011", "P2012", "P2020"]);

/**
 * Also row-level: PostgreSQL errors Prisma has no code for (P2039) whose SQLSTATE concerns the values written, class
 * 22 (data exception, e.g. a NUL byte in text) or 54000 (e.g. a value too long for a unique index). Not class 53 (disk
 * full, out of memory), which would fail every row.
 */
function isRowLevelDbError(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (ROW_LEVEL_DB_ERRORS.has(error.code)) return true;
  const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause;
  const sqlState = typeof cause?.originalCode === "string" ? cause.originalCode : "";
  return error.code === "P2039" && (sqlState.startsWith("22") || sqlState === "54000");
}

const ID_QUERY_CHUNK = 5_000;

function describeReadError(error: unknown): string {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  if (code === "ENOENT") return "image file not found";
  if (code === "EISDIR") return "expected an image file, found a folder";
  return `cannot read the file: ${error instanceof Error ? error.message : String(error)}`;
}

/** Runs `query` over `keys` in chunks and merges the key -> id pairs it returns. */
async function lookUpInChunks(
  keys: readonly string[],
  query: (chunk: string[]) => Promise<{ key: string | null; id: string }[]>,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let start = 0; start < keys.length; start += ID_QUERY_CHUNK) {
    for (const row of await query(keys.slice(start, start + ID_QUERY_CHUNK))) if (row.key !== null) found.set(row.key, row.id);
  }
  return found;
}

const existingImages = (db: Db, externalIds: readonly string[]) =>
  lookUpInChunks(externalIds, async (chunk) =>
    (await db.lesionImage.findMany({ where: { externalId: { in: chunk } }, select: { id: true, externalId: true } })).map((r) => ({ key: r.externalId, id: r.id })),
  );

const existingLesions = (db: Db, externalIds: readonly string[]) =>
  lookUpInChunks(externalIds, async (chunk) =>
    (await db.lesion.findMany({ where: { externalId: { in: chunk } }, select: { id: true, externalId: true } })).map((r) => ({ key: r.externalId, id: r.id })),
  );

const existingPatients = (db: Db, mrns: readonly string[]) =>
  lookUpInChunks(mrns, async (chunk) =>
    (await db.patient.findMany({ where: { mrn: { in: chunk } }, select: { id: true, mrn: true } })).map((r) => ({ key: r.mrn, id: r.id })),
  );

export async function runImportPlan(plan: ImportPlan, options: RunImportOptions): Promise<ImportSummary> {
  const { db, store, limits, onProgress } = options;
  const actorId = options.actorId ?? null;
  const concurrency = options.concurrency ?? Math.max(8, availableParallelism() * 4);
  const summary = emptySummary();
  summary.rejected.push(...plan.rejected);
  summary.total = countPlannedImages(plan) + plan.rejected.length;
  let done = plan.rejected.length;
  const report = () =>
    onProgress?.(done, summary.total, { imported: summary.imported, skippedDuplicate: summary.skippedDuplicate, rejectedCount: summary.rejected.length });
  const advance = (count: number) => {
    done += count;
    if (count > 0) report();
  };
  report();

  const alreadyImported = await existingImages(db, plan.lesions.flatMap((lesion) => lesion.images.map((image) => image.externalId)));
  const work = plan.lesions
    .map((lesion) => ({ lesion, images: lesion.images.filter((image) => !alreadyImported.has(image.externalId)) }))
    .filter((group) => group.images.length > 0);
  const lesionIds = await existingLesions(db, work.map((group) => group.lesion.externalId));
  const patientIds = await existingPatients(db, work.map((group) => group.lesion.patient.mrn));
  summary.skippedDuplicate += alreadyImported.size;
  advance(alreadyImported.size);

  const reject = (image: PlannedImage, reason: string): ImportRejection => ({
    ...(image.row === undefined ? {} : { row: image.row }),
    file: image.file,
    reason,
  });

  await forEachWithConcurrency(work.length, concurrency, async (index) => {
    const group = work[index]!;
    const prepared: PreparedPlannedImage[] = [];
    for (const image of group.images) {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(image.file);
      } catch (error) {
        summary.rejected.push(reject(image, describeReadError(error)));
        continue;
      }
      try {
        prepared.push({ planned: image, prepared: await prepareImage(bytes, limits) });
      } catch (error) {
        if (!isImageRejectedError(error)) throw error;
        summary.rejected.push(reject(image, `${error.code}: ${error.reason}`));
      }
    }
    const refused = group.images.length - prepared.length;
    if (prepared.length > 0) {
      try {
        const known = {
          lesionId: lesionIds.get(group.lesion.externalId) ?? null,
          patientId: patientIds.get(group.lesion.patient.mrn) ?? null,
        };
        const saved = await saveLesionGroup({ db, store, actorId, lesion: group.lesion, known, images: prepared });
        summary.imported += saved.imported;
        summary.skippedDuplicate += saved.duplicates;
        summary.patientsCreated += Number(saved.patientCreated);
        summary.lesionsCreated += Number(saved.lesionCreated);
        summary.outcomesCreated += Number(saved.outcomeCreated);
      } catch (error) {
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && isRowLevelDbError(error))) throw error;
        const reason = `lesion ${group.lesion.externalId} could not be saved (${error.code}): ${error.message.split("\n").at(-1)}`;
        for (const { planned } of prepared) summary.rejected.push(reject(planned, reason));
      }
    }
    advance(refused + prepared.length);
  });
  // Lesions finish in any order: sort, so that two runs over the same data report the same list.
  summary.rejected.sort((a, b) => (a.row ?? Infinity) - (b.row ?? Infinity) || (a.file ?? "").localeCompare(b.file ?? ""));
  return summary;
}
