/**
 * Imports launched from the admin UI: the admin picks a data set found under the import root (SHARED_DATA_DIR; never
 * an arbitrary server path), an ImportRun row records it, and a background job runs the importer, writing progress
 * and the summary back to the row.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DomainError } from "../domain-error";
import type PgBoss from "pg-boss";
import type { Db } from "../../db/client";
import type { ImportKind } from "../../db/generated/client";
import { env } from "../../env";
import { QUEUES, type ImportDatasetPayload } from "../../jobs/queues";
import { recordAudit } from "../audit/record-audit";
import { createImageStoreFromEnv } from "../images/create-image-store";
import { importDermamnist } from "./import-dermamnist";
import { importFolderLayout } from "./import-folder-layout";
import { importHam10000, HAM10000_METADATA_FILE } from "./import-ham10000";
import type { ImporterOptions, ImportSummary } from "./index";
import type { ImportRunView } from "./schemas";

type ImportRejection = z.infer<typeof importRejectionsSchema>[number];

export interface AvailableDataset {
  kind: ImportKind;
  /** Folder name under the import root. */
  source: string;
  description: string;
}

const IMPORTERS: Record<ImportKind, (options: ImporterOptions) => Promise<ImportSummary>> = {
  HAM10000: importHam10000,
  DERMAMNIST: importDermamnist,
  FOLDER_LAYOUT: importFolderLayout,
};

const KIND_DESCRIPTIONS: Record<ImportKind, string> = {
  HAM10000: "HAM10000-style metadata CSV + image folder",
  DERMAMNIST: "DermaMNIST labels.csv + images",
  FOLDER_LAYOUT: "Folder layout train|test / benign|malignant|unknown",
};

export function importRoot(): string {
  return path.resolve(env().SHARED_DATA_DIR);
}

function detectKind(folder: string): ImportKind | null {
  if (existsSync(path.join(folder, HAM10000_METADATA_FILE))) return "HAM10000";
  if (existsSync(path.join(folder, "labels.csv")) && existsSync(path.join(folder, "images"))) return "DERMAMNIST";
  if (["train", "test"].some((split) => existsSync(path.join(folder, split)))) return "FOLDER_LAYOUT";
  return null;
}

/** Data sets under the import root, recognised by their layout. */
export function listAvailableDatasets(root: string = importRoot()): AvailableDataset[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => statSync(path.join(root, name)).isDirectory())
    .sort()
    .flatMap((name) => {
      const kind = detectKind(path.join(root, name));
      return kind ? [{ kind, source: name, description: KIND_DESCRIPTIONS[kind] }] : [];
    });
}

export async function startImportRun(options: {
  db: Db;
  boss: PgBoss;
  actorId: string;
  kind: ImportKind;
  source: string;
}) {
  const { db, boss, actorId, kind, source } = options;
  const available = listAvailableDatasets().find((dataset) => dataset.source === source && dataset.kind === kind);
  if (!available) {
    throw new DomainError("BAD_REQUEST", `No ${KIND_DESCRIPTIONS[kind]} data set named "${source}" under the import folder.`);
  }
  const running = await db.importRun.findFirst({ where: { source, status: { in: ["QUEUED", "RUNNING"] } }, select: { id: true } });
  if (running) throw new DomainError("CONFLICT", `An import of ${source} is already queued or running.`);
  const run = await db.$transaction(async (tx) => {
    const created = await tx.importRun.create({ data: { kind, source, requestedById: actorId } });
    await recordAudit(tx, { actorId, action: "IMPORT", entityType: "ImportRun", entityId: created.id, after: { kind, source } });
    return created;
  });
  const payload: ImportDatasetPayload = { importRunId: run.id };
  await boss.send(QUEUES.importDataset, payload, { singletonKey: run.id });
  return run;
}

/** The admin page's recent imports, newest first, with their kept rejections parsed. */
export async function listImportRuns(options: { db: Db; take?: number }): Promise<ImportRunView[]> {
  const runs = await options.db.importRun.findMany({
    orderBy: { createdAt: "desc" },
    take: options.take ?? 20,
    select: {
      id: true,
      source: true,
      status: true,
      total: true,
      done: true,
      imported: true,
      skippedDuplicate: true,
      rejectedCount: true,
      rejections: true,
      error: true,
      createdAt: true,
    },
  });
  return runs.map((run) => ({ ...run, rejections: importRejectionsSchema.nullable().parse(run.rejections) ?? [] }));
}

const REJECTIONS_KEPT = 200;

/** ImportRun.rejections: the first rejected rows and files, by line and file name only (never a server path). */
export const importRejectionsSchema = z.array(z.object({ row: z.number().int().nullable(), file: z.string().nullable(), reason: z.string() }));

/**
 * What the admin page shows for a failed import: a system error (the image store cannot be written, the disk is
 * full) by its code, never with the server's paths; other errors by their message.
 */
export function describeImportFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof Error && typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    return `The import stopped: the server could not write or read its files (${code}). Nothing partial was kept; run it again once the storage is fixed.`;
  }
  return error instanceof Error ? error.message : String(error);
}
const PROGRESS_WRITE_INTERVAL_MS = 1_000;

/** Runs an ImportRun (called by the import job; safe to run again after a crash: importers are idempotent). */
export async function executeImportRun(options: { db: Db; importRunId: string }): Promise<void> {
  const { db, importRunId } = options;
  const run = await db.importRun.findUnique({ where: { id: importRunId } });
  if (!run || run.status === "SUCCEEDED") return;
  await db.importRun.update({ where: { id: run.id }, data: { status: "RUNNING", startedAt: new Date(), error: null } });
  let lastWrite = 0;
  let pending: Promise<unknown> = Promise.resolve();
  try {
    const summary = await IMPORTERS[run.kind]({
      db,
      store: createImageStoreFromEnv(),
      actorId: run.requestedById,
      folder: path.join(importRoot(), run.source),
      // The counts go with the progress, so the admin page shows what was imported as it happens, not only at the end.
      onProgress: (done, total, counts) => {
        const now = Date.now();
        if (now - lastWrite < PROGRESS_WRITE_INTERVAL_MS && done < total) return;
        lastWrite = now;
        pending = pending.then(() => db.importRun.update({ where: { id: run.id }, data: { done, total, ...counts } }));
      },
    });
    await pending;
    await db.importRun.update({
      where: { id: run.id },
      data: {
        status: "SUCCEEDED",
        finishedAt: new Date(),
        total: summary.total,
        done: summary.total,
        imported: summary.imported,
        skippedDuplicate: summary.skippedDuplicate,
        rejectedCount: summary.rejected.length,
        rejections: summary.rejected.slice(0, REJECTIONS_KEPT).map((rejection): ImportRejection => ({
          row: rejection.row ?? null,
          // Only the file's name inside the data set: server paths stay on the server.
          file: rejection.file ? path.basename(rejection.file) : null,
          reason: rejection.reason,
        })),
      },
    });
  } catch (error) {
    await pending.catch(() => {});
    await db.importRun.update({
      where: { id: run.id },
      data: { status: "FAILED", finishedAt: new Date(), error: describeImportFailure(error) },
    });
    throw error;
  }
}
