/**
 * Fuzzing the CSV importers (HAM10000 metadata, DermaMNIST labels) with the seeded malformed-CSV corpus
 * (server/testing/fuzz/malformed-csv.ts), each row with its own real image in a temp copy of the data set's layout:
 * a row-level problem never stops the import, each bad row is rejected with its reason, good rows are imported,
 * nothing partial is left (no patient, lesion, outcome, image or blob for a rejected row), and a re-run adds nothing.
 * File-level problems stop the import with one DatasetError before anything is written.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError } from "@/ml/data/dataset-error";
import { DEFAULT_IMAGE_LIMITS } from "@/server/services/images/image-limits";
import { LocalImageStore } from "@/server/services/images/local-image-store";
import { tempFolder } from "@/server/services/images/test-images";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { csvFileCases, writeCsvDataset, type CsvFileCase } from "@/server/testing/fuzz/csv-dataset-files";
import { buildCsvDataset, type CsvDataset, type CsvImporterKind } from "@/server/testing/fuzz/malformed-csv";
import { filesInStore, findPartialWrites } from "@/server/testing/fuzz/store-consistency";
import type { Db } from "@/server/db/client";
import { importDermamnist } from "./import-dermamnist";
import { importHam10000 } from "./import-ham10000";
import type { ImporterOptions } from "./importer-options";
import type { ImportSummary } from "./import-summary";

const SEED = 20_250_808;
const limits = DEFAULT_IMAGE_LIMITS;
const folder = tempFolder("import-fuzz-");

const IMPORTERS: Record<CsvImporterKind, { name: string; code: string; run: (options: ImporterOptions) => Promise<ImportSummary> }> = {
  ham10000: { name: "importHam10000", code: "HAM", run: importHam10000 },
  dermamnist: { name: "importDermamnist", code: "DERMAMNIST", run: importDermamnist },
};

afterAll(() => folder.remove());

async function databaseCounts(db: Db) {
  return {
    patients: await db.patient.count(),
    lesions: await db.lesion.count(),
    outcomes: await db.biopsyOutcome.count(),
    images: await db.lesionImage.count(),
    audit: await db.auditLog.count(),
  };
}

/** Runs the importer as the CLI would; a throw fails the calling test (a row-level problem must never stop an import). */
async function runImport(kind: CsvImporterKind, db: Db, store: LocalImageStore, dir: string): Promise<ImportSummary> {
  // Two lesions at a time: enough to overlap decoding and database waits, without starving the other test files.
  return IMPORTERS[kind].run({ db, store, folder: dir, limits, concurrency: 2 });
}

function describeRowCorpus(kind: CsvImporterKind, dataset: CsvDataset): void {
  const { name, code } = IMPORTERS[kind];
  const dir = path.join(folder.dir, `${kind}-rows`);
  const store = new LocalImageStore(path.join(folder.dir, `${kind}-rows-store`));
  const expected = {
    imported: dataset.rows.filter((row) => row.expect.outcome === "imported"),
    duplicate: dataset.rows.filter((row) => row.expect.outcome === "duplicate"),
    rejected: dataset.rows.filter((row) => row.expect.outcome === "rejected"),
  };
  const importedLesions = new Set(expected.imported.map((row) => row.lesionId));
  let database: TestDatabase;
  let lines: Map<string, number>;
  let first: ImportSummary;

  describe(`${name} over the ${dataset.rows.length}-row malformed CSV corpus (seed ${SEED}: ${expected.imported.length} good, ${expected.duplicate.length} duplicate picture, ${expected.rejected.length} bad)`, () => {
    beforeAll(async () => {
      database = await createTestDatabase();
      lines = writeCsvDataset(dir, dataset, { newline: "\r\n" });
      first = await runImport(kind, database.db, store, dir);
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("rejects each bad row once with its reason, skips the duplicate picture and imports every good row", async () => {
      const byLine = new Map<number, string[]>();
      for (const rejection of first.rejected) {
        expect(rejection.row, `a rejection without a CSV line: ${JSON.stringify(rejection)}`).toBeTypeOf("number");
        byLine.set(rejection.row!, [...(byLine.get(rejection.row!) ?? []), rejection.reason]);
      }
      const mismatches: string[] = [];
      for (const row of dataset.rows) {
        const line = lines.get(row.name)!;
        const reasons = byLine.get(line) ?? [];
        if (row.expect.outcome === "rejected") {
          if (reasons.length !== 1 || !row.expect.reason.test(reasons[0]!)) {
            mismatches.push(`${row.name} (line ${line}): expected one rejection matching ${row.expect.reason}, got ${JSON.stringify(reasons)}`);
          }
        } else if (reasons.length > 0) {
          mismatches.push(`${row.name} (line ${line}): expected ${row.expect.outcome}, got rejected: ${JSON.stringify(reasons)}`);
        }
      }
      expect(mismatches).toEqual([]);
      expect(first).toMatchObject({
        total: dataset.rows.length,
        imported: expected.imported.length,
        skippedDuplicate: expected.duplicate.length,
        lesionsCreated: importedLesions.size,
        patientsCreated: importedLesions.size,
        outcomesCreated: importedLesions.size,
      });
      expect(first.rejected).toHaveLength(expected.rejected.length);

      const stored = await database.db.lesionImage.findMany({ select: { externalId: true } });
      expect(stored.map((image) => image.externalId).sort()).toEqual(expected.imported.map((row) => `${code}:${row.imageId}`).sort());
    });

    it("leaves nothing partial: no patient, lesion, outcome, image or blob for a rejected row", async () => {
      const { db } = database;
      const lesions = await db.lesion.findMany({
        select: { externalId: true, patient: { select: { mrn: true } }, _count: { select: { images: true, biopsyOutcomes: true } } },
      });
      // Only the lesions of imported rows exist, each with its research patient, one outcome and at least one image.
      expect(lesions.map((lesion) => lesion.externalId).sort()).toEqual([...importedLesions].map((id) => `${code}:${id}`).sort());
      for (const lesion of lesions) {
        expect(lesion._count.biopsyOutcomes, lesion.externalId!).toBe(1);
        expect(lesion._count.images, lesion.externalId!).toBeGreaterThan(0);
        expect(lesion.patient.mrn).toBe(`${code}-${lesion.externalId!.slice(code.length + 1)}`);
      }
      expect(await databaseCounts(db)).toMatchObject({ patients: importedLesions.size, lesions: importedLesions.size, outcomes: importedLesions.size });
      // Every imported row is audited: its image, and once per lesion its patient, lesion and outcome.
      expect(await db.auditLog.count({ where: { action: "IMPORT" } })).toBe(expected.imported.length + 3 * importedLesions.size);
      expect(await findPartialWrites(db, store)).toEqual([]);
    });

    it("imports nothing new when run again, and reports the same rejections", async () => {
      const { db } = database;
      const before = { counts: await databaseCounts(db), files: filesInStore(store) };
      const again = await runImport(kind, db, store, dir);
      expect(again).toMatchObject({
        total: dataset.rows.length,
        imported: 0,
        skippedDuplicate: expected.imported.length + expected.duplicate.length,
        lesionsCreated: 0,
        patientsCreated: 0,
        outcomesCreated: 0,
      });
      expect(again.rejected).toEqual(first.rejected);
      expect({ counts: await databaseCounts(db), files: filesInStore(store) }).toEqual(before);
    });
  });
}

function writeFileCase(dir: string, fileCase: CsvFileCase, csvFileName: string): void {
  mkdirSync(dir, { recursive: true });
  if (fileCase.imagesFolder) {
    mkdirSync(path.join(dir, "images"));
    writeFileSync(path.join(dir, "images", fileCase.picture.fileName), fileCase.picture.bytes);
  }
  if (fileCase.csv === "directory") mkdirSync(path.join(dir, csvFileName));
  else if (fileCase.csv !== "missing") writeFileSync(path.join(dir, csvFileName), fileCase.csv);
}

function describeFileCases(kind: CsvImporterKind, csvFileName: string): void {
  const { name } = IMPORTERS[kind];
  const cases = csvFileCases(kind);
  let database: TestDatabase;

  describe(`${name} over ${cases.length} malformed or unusual ${csvFileName} files`, () => {
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(async () => {
      await database?.drop();
    });

    for (const fileCase of cases) {
      const outcome = "error" in fileCase.expect ? `stops with a DatasetError matching ${fileCase.expect.error}` : `imports ${fileCase.expect.imported}`;
      it(`${fileCase.name}: ${outcome}`, async () => {
        const dir = path.join(folder.dir, `${kind}-file-${fileCase.name}`);
        writeFileCase(dir, fileCase, csvFileName);
        const store = new LocalImageStore(path.join(dir, "store"));
        const { db } = database;
        const before = await databaseCounts(db);
        if ("error" in fileCase.expect) {
          const error = await runImport(kind, db, store, dir).then(
            (summary) => new Error(`expected a DatasetError, got a summary: ${JSON.stringify(summary)}`),
            (caught: unknown) => caught,
          );
          expect(error).toBeInstanceOf(DatasetError);
          const message = (error as DatasetError).message;
          expect(message).toMatch(fileCase.expect.error);
          // The message starts with the path to open (the CSV file, or the folder that is wrong).
          expect(message.startsWith(dir), message).toBe(true);
          expect(await databaseCounts(db)).toEqual(before);
          expect(filesInStore(store)).toEqual([]);
        } else {
          // Each case has its own ids and picture, so its row is new to the shared database.
          const count = fileCase.expect.imported;
          const summary = await runImport(kind, db, store, dir);
          expect(summary).toMatchObject({ imported: count, total: count, skippedDuplicate: 0, rejected: [], lesionsCreated: count });
          const after = await databaseCounts(db);
          expect([after.images - before.images, after.lesions - before.lesions]).toEqual([count, count]);
          expect(filesInStore(store)).toHaveLength(3 * count);
        }
      });
    }
  });
}

for (const kind of ["ham10000", "dermamnist"] as const) {
  const dataset = buildCsvDataset(kind, SEED);
  describeRowCorpus(kind, dataset);
  describeFileCases(kind, dataset.csvFileName);
}
