/**
 * Round trip on real data: a database migrated by `prisma migrate deploy`, filled through the real services (HAM10000
 * sample import, users, a registered and promoted model, predictions, an assessment and its flag), backed up and
 * restored into a brand-new database, image store and model store elsewhere; then every table's rows and every blob's
 * bytes are compared. Then the refusals: damaged backups, non-empty targets, newer migrations.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAM10000_SAMPLE_DIR } from "@/ml/data/shared-data";
import { readModelDirectory } from "@/ml/store/read-model";
import { createPrismaClient, type Db } from "@/server/db/client";
import { applyMigrations } from "@/server/runtime/database";
import { createLesion, recordAssessment } from "@/server/services/clinical/lesions";
import { createPatient } from "@/server/services/clinical/patients";
import { DEFAULT_IMAGE_LIMITS } from "@/server/services/images/image-limits";
import { ImageBlobNotFoundError, type ImageStore } from "@/server/services/images/image-store";
import { ingestImage } from "@/server/services/images/ingest-image";
import { LocalImageStore } from "@/server/services/images/local-image-store";
import { isicImage } from "@/server/services/images/test-images";
import { importHam10000 } from "@/server/services/imports";
import { disposePredictors } from "@/server/services/inference/predictors";
import { scoreImages } from "@/server/services/inference/score-images";
import { promoteModelVersion, registerModelVersion } from "@/server/services/models/registry";
import { DERIVED_TABLES } from "@/server/services/backup/public-tables";
import { recordReview } from "@/server/services/review/record-review";
import { createUser } from "@/server/services/users/users";
import { createTestDatabase } from "@/server/testing/database";
import { saveFixtureModel } from "@/server/testing/model-fixtures";
import { sha256Of } from "./backup-files";
import { createBareDatabase, queryOnce, type BareDatabase } from "./bare-database.test-helper";
import { createBackup, restoreBackup, type BackupSummary } from "./index";
import { committedMigrationNames } from "./migrations";

const MODEL_VERSION = "tiny-backup";
const scratch = mkdtempSync(path.join(os.tmpdir(), "dermflag-backup-"));
const sourceStore = new LocalImageStore(path.join(scratch, "source", "images"));
const cleanups: (() => Promise<void>)[] = [];
let source: BareDatabase;
let db: Db;
let backupDir: string;
let summary: BackupSummary;

async function bare(): Promise<BareDatabase> {
  const database = await createBareDatabase();
  cleanups.push(database.drop);
  return database;
}

async function publicTables(url: string): Promise<string[]> {
  const rows = await queryOnce<{ name: string }>(
    url,
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  return rows.map((row) => row.name);
}

/** md5 over the table's rows as text, in a fixed order; `without` leaves columns out of the comparison. */
async function tableDigest(url: string, table: string, without: string[] = []): Promise<{ rows: number; digest: string | null }> {
  const columns = (
    await queryOnce<{ name: string }>(url, "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position", [table])
  )
    .map((row) => row.name)
    .filter((name) => !without.includes(name))
    .map((name) => `"${name}"`);
  const [result] = await queryOnce<{ rows: string; digest: string | null }>(
    url,
    `SELECT count(*) AS rows, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM (SELECT ${columns.join(", ")} FROM "${table}") t`,
  );
  return { rows: Number(result!.rows), digest: result!.digest };
}

/** Every file under root, by path relative to it. */
function filesUnder(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (!existsSync(root)) return files;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(root, full), readFileSync(full));
    }
  }
  return files;
}

function copyOfBackup(name: string): string {
  const copy = path.join(scratch, "copies", name);
  cpSync(backupDir, copy, { recursive: true });
  return copy;
}

/** Rewrites a copy's manifest (and its checksum), as a backup that really had that content would have it. */
function rewriteManifest(dir: string, edit: (manifest: Record<string, unknown>) => void): void {
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as Record<string, unknown>;
  edit(manifest);
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(dir, "manifest.json"), text);
  writeFileSync(path.join(dir, "manifest.sha256"), `${sha256Of(text)}  manifest.json\n`);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  source = await bare();
  await applyMigrations(source.url);
  db = createPrismaClient(source.url, { max: 4 });
  const admin = await createUser({ db, actorId: null, input: { email: "admin@backup.example", name: "Backup Admin", role: "ADMIN", password: "a long enough password" } });
  const dermatologist = await createUser({
    db,
    actorId: admin.id,
    input: { email: "derm@backup.example", name: "Dr Backup", role: "DERMATOLOGIST", password: "another long password" },
  });
  const imported = await importHam10000({ db, store: sourceStore, folder: HAM10000_SAMPLE_DIR, limits: DEFAULT_IMAGE_LIMITS, actorId: admin.id });
  expect(imported.imported).toBe(70);
  const { saved } = await saveFixtureModel({ modelsDir: path.join(scratch, "source", "models"), version: MODEL_VERSION, threshold: 0.0001 });
  const registered = await registerModelVersion({ db, modelDir: saved.dir, gateResults: { passed: true, checks: [] } });
  await promoteModelVersion({ db, actorId: admin.id, modelVersionId: registered.id });
  // A clinic case beside the research import: uploaded image, scores, an assessment that raises a flag, a review.
  const patient = await createPatient({
    db,
    actorId: dermatologist.id,
    input: { mrn: "CLINIC-1", name: "Ada O'Brien, Jr.", birthDate: "1961-02-03", sex: "FEMALE", fitzpatrickType: 2 },
  });
  const lesion = await createLesion({ db, actorId: dermatologist.id, patientId: patient.id, input: { bodySite: "back", label: "left scapula, 2 cm" } });
  const uploaded = await ingestImage({ db, store: sourceStore, actorId: dermatologist.id, lesionId: lesion.id, bytes: isicImage(), limits: DEFAULT_IMAGE_LIMITS });
  if (uploaded.status !== "created") throw new Error("expected a new image");
  const hamImages = await db.lesionImage.findMany({ take: 3, where: { externalId: { not: null } }, orderBy: { externalId: "asc" }, select: { id: true } });
  const imageIds = [uploaded.image.id, ...hamImages.map((image) => image.id)];
  expect((await scoreImages({ db, store: sourceStore, imageIds })).scored).toBe(4);
  await recordAssessment({
    db,
    actorId: dermatologist.id,
    lesionId: lesion.id,
    input: { impression: "BENIGN", plan: "DISCHARGE", suspectedDiagnosis: "nv", note: 'a note with a comma, "quotes",\na newline and ünïcode' },
  });
  const flag = await db.flag.findFirstOrThrow({ where: { lesionId: lesion.id, status: "OPEN" } });
  const followUpDate = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  await recordReview({ db, actorId: dermatologist.id, input: { flagId: flag.id, decision: "DEFER_MONITOR", reason: "stable pattern", note: null, followUpDate } });
  await db.setting.create({ data: { key: "backup.test", value: { nested: [1, 2.5, "é"], empty: null } } });
  // One flag still open, so that the open-flag counts a restore rebuilds are not all zero.
  await db.flag.create({ data: { lesionId: lesion.id, kind: "REVIEW_REQUIRED", reason: "a flag left open for the backup" } });
  // pg-boss's schema lives in the same database; the backup must leave it out.
  await queryOnce(source.url, "CREATE SCHEMA pgboss; CREATE TABLE pgboss.job (id int); INSERT INTO pgboss.job VALUES (1)");

  backupDir = path.join(scratch, "backups", "first");
  summary = await createBackup({ databaseUrl: source.url, imageStore: sourceStore, targetDir: backupDir });
}, 240_000);

afterAll(async () => {
  await disposePredictors();
  await db?.$disconnect();
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe("createBackup", () => {
  it("writes one finished folder covering every public table, every referenced blob and the model, and no pg-boss state", async () => {
    const tables = await publicTables(source.url);
    expect(summary.tables.map((table) => table.name).sort()).toEqual(tables.filter((table) => !Object.hasOwn(DERIVED_TABLES, table)));
    expect(summary.migrations).toBe(committedMigrationNames().length);
    expect(summary.imageBlobs).toBe((await db.lesionImage.count()) * 3);
    expect(summary.modelVersions).toBe(1);
    for (const table of ["Patient", "Lesion", "LesionImage", "BiopsyOutcome", "AuditLog", "User", "ModelVersion", "Prediction", "Flag", "ClinicalAssessment", "Review", "Setting"]) {
      expect(summary.tables.find((entry) => entry.name === table)?.rows, table).toBeGreaterThan(0);
    }
    expect(readdirSync(path.dirname(backupDir))).toEqual(["first"]);
    const manifest = JSON.parse(readFileSync(path.join(backupDir, "manifest.json"), "utf8")) as { excludedSchemas: { schema: string }[]; tables: { name: string }[] };
    expect(manifest.excludedSchemas.map((entry) => entry.schema)).toEqual(["pgboss"]);
    expect(readdirSync(path.join(backupDir, "database")).some((file) => file.includes("job"))).toBe(false);
  });

  it("refuses an existing target folder", async () => {
    await expect(createBackup({ databaseUrl: source.url, imageStore: sourceStore, targetDir: backupDir })).rejects.toMatchObject({ code: "TARGET_EXISTS" });
  });

  it("fails when a referenced blob is missing from the store, and leaves nothing behind", async () => {
    const missingKey = [...filesUnder(sourceStore.root).keys()].sort()[5]!;
    const losing: ImageStore = {
      put: (key, bytes) => sourceStore.put(key, bytes),
      has: (key) => sourceStore.has(key),
      delete: (key) => sourceStore.delete(key),
      get: async (key) => {
        if (key === missingKey) throw new ImageBlobNotFoundError(key);
        return sourceStore.get(key);
      },
    };
    const parent = path.join(scratch, "failed-backups");
    await expect(createBackup({ databaseUrl: source.url, imageStore: losing, targetDir: path.join(parent, "b") })).rejects.toMatchObject({
      code: "SOURCE_INCOMPLETE",
      message: expect.stringMatching(/1 image blob\(s\) referenced by the database are missing/),
    });
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe("restoreBackup", () => {
  it("restores into a new empty database and store elsewhere: every table's rows and every blob's bytes are identical", async () => {
    const target = await bare();
    const store = new LocalImageStore(path.join(scratch, "restored", "images"));
    const modelStoreDir = path.join(scratch, "restored", "models");
    const restored = await restoreBackup({ backupDir, databaseUrl: target.url, imageStore: store, modelStoreDir });
    expect(restored).toMatchObject({ imageBlobs: summary.imageBlobs, modelVersions: 1, migrationsNewerThanBackup: [] });

    const tables = await publicTables(source.url);
    expect(await publicTables(target.url)).toEqual(tables);
    for (const table of tables) {
      if (Object.hasOwn(DERIVED_TABLES, table)) continue;
      // storagePath is the one value a restore changes on purpose (checked below).
      const without = table === "ModelVersion" ? ["storagePath"] : [];
      expect(await tableDigest(target.url, table, without), table).toEqual(await tableDigest(source.url, table, without));
    }
    expect(await queryOnce(target.url, "SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss'")).toEqual([]);
    // A derived table is rebuilt, not copied: the same open flags per kind, counted once.
    const openFlagCounts = `SELECT kind::text, sum(delta)::int AS n FROM "OpenFlagCountDelta" GROUP BY kind HAVING sum(delta) <> 0 ORDER BY kind`;
    const restoredCounts = await queryOnce(target.url, openFlagCounts);
    expect(restoredCounts).toEqual(await queryOnce(source.url, openFlagCounts));
    expect(restoredCounts).toEqual([{ kind: "REVIEW_REQUIRED", n: 1 }]);

    const sourceBlobs = filesUnder(sourceStore.root);
    const restoredBlobs = filesUnder(store.root);
    expect([...restoredBlobs.keys()].sort()).toEqual([...sourceBlobs.keys()].sort());
    for (const [key, bytes] of sourceBlobs) expect(restoredBlobs.get(key)!.equals(bytes), key).toBe(true);

    const restoredDb = createPrismaClient(target.url, { max: 2 });
    try {
      const model = await restoredDb.modelVersion.findUniqueOrThrow({ where: { version: MODEL_VERSION } });
      expect(model.storagePath).toBe(path.join(modelStoreDir, MODEL_VERSION));
      expect(readModelDirectory(model.storagePath).manifestSha256).toBe(model.sha256);

      // Still append-only, and new entries continue after the restored ids.
      const [{ max }] = (await queryOnce<{ max: string }>(target.url, `SELECT max(id)::text AS max FROM "AuditLog"`)) as [{ max: string }];
      await expect(queryOnce(target.url, `UPDATE "AuditLog" SET action = 'EDITED' WHERE id = $1`, [max])).rejects.toThrow(/append-only/);
      await expect(queryOnce(target.url, `DELETE FROM "AuditLog" WHERE id = $1`, [max])).rejects.toThrow(/append-only/);
      const next = await restoredDb.auditLog.create({ data: { action: "CREATE", entityType: "Test", entityId: "after-restore" } });
      expect(next.id).toBe(BigInt(max) + 1n);
    } finally {
      await restoredDb.$disconnect();
    }
  });

  it("refuses a database that holds rows, and changes nothing", async () => {
    const filled = await createTestDatabase();
    cleanups.push(filled.drop);
    await filled.db.patient.create({ data: { mrn: "KEEP-1", name: "Existing Patient" } });
    const store = new LocalImageStore(path.join(scratch, "refused-db", "images"));
    await expect(restoreBackup({ backupDir, databaseUrl: filled.url, imageStore: store, modelStoreDir: path.join(scratch, "refused-db", "models") })).rejects.toMatchObject({
      code: "DATABASE_NOT_EMPTY",
      message: expect.stringMatching(/not empty.*"Patient"/),
    });
    expect(await filled.db.patient.count()).toBe(1);
    expect(existsSync(path.join(scratch, "refused-db"))).toBe(false);
  });

  it("refuses an image store that holds files, and leaves the database untouched", async () => {
    const target = await bare();
    const storeDir = path.join(scratch, "refused-store", "images");
    mkdirSync(storeDir, { recursive: true });
    writeFileSync(path.join(storeDir, "someone-elses.png"), "x");
    await expect(restoreBackup({ backupDir, databaseUrl: target.url, imageStore: new LocalImageStore(storeDir), modelStoreDir: path.join(scratch, "refused-store", "models") })).rejects.toMatchObject({
      code: "IMAGE_STORE_NOT_EMPTY",
    });
    expect(await publicTables(target.url)).toEqual([]);
  });

  it("refuses a backup from a newer DermFlag (a migration this code does not have)", async () => {
    const dir = copyOfBackup("newer");
    rewriteManifest(dir, (manifest) => (manifest.migrations as string[]).push("99991231000000_from_the_future"));
    const target = await bare();
    await expect(restoreBackup({ backupDir: dir, databaseUrl: target.url, imageStore: new LocalImageStore(path.join(scratch, "newer-store")), modelStoreDir: path.join(scratch, "newer-models") })).rejects.toMatchObject({
      code: "MIGRATIONS_NEWER",
      message: expect.stringMatching(/99991231000000_from_the_future/),
    });
    expect(await publicTables(target.url)).toEqual([]);
  });

  describe("refuses a damaged backup before writing anything", () => {
    let target: BareDatabase;
    beforeAll(async () => {
      target = await bare();
    });
    const firstBlob = (dir: string) => path.join(dir, readFileSync(path.join(dir, "images.sha256"), "utf8").split("\n")[0]!.split("  ")[1]!);
    const flipByte = (file: string) => {
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      writeFileSync(file, bytes);
    };
    const damages: [string, (dir: string) => void][] = [
      ["a table file with one byte flipped", (dir) => flipByte(path.join(dir, "database", "Patient.csv"))],
      ["a truncated table file", (dir) => writeFileSync(path.join(dir, "database", "AuditLog.csv"), readFileSync(path.join(dir, "database", "AuditLog.csv")).subarray(0, -10))],
      ["an image blob with one byte flipped", (dir) => flipByte(firstBlob(dir))],
      ["a missing image blob", (dir) => rmSync(firstBlob(dir))],
      ["a model file with one byte flipped", (dir) => flipByte(path.join(dir, "models", MODEL_VERSION, "weights.bin"))],
      ["an edited manifest", (dir) => writeFileSync(path.join(dir, "manifest.json"), readFileSync(path.join(dir, "manifest.json"), "utf8").replace(/"rows": (\d+)/, '"rows": 1$1'))],
    ];
    it.each(damages)("%s", async (name, damage) => {
      const dir = copyOfBackup(name.replaceAll(" ", "-"));
      damage(dir);
      const storeDir = path.join(scratch, "damaged-store");
      const modelStoreDir = path.join(scratch, "damaged-models");
      await expect(restoreBackup({ backupDir: dir, databaseUrl: target.url, imageStore: new LocalImageStore(storeDir), modelStoreDir })).rejects.toMatchObject({ code: "CORRUPTED" });
      expect(await publicTables(target.url)).toEqual([]);
      expect(existsSync(storeDir)).toBe(false);
      expect(existsSync(modelStoreDir)).toBe(false);
    });
  });

  it("rolls the whole load back when a late table does not fit, removes the blobs and models it wrote, and can then be retried", async () => {
    // A well-formed backup (hashes rewritten) whose Flag rows name a kind the schema does not have: the load fails
    // after Patient, Lesion, LesionImage, ... were copied in the same transaction.
    const dir = copyOfBackup("misfit");
    const flagFile = path.join(dir, "database", "Flag.csv");
    const flags = readFileSync(flagFile, "utf8").replace(/POSSIBLE_MISSED_MALIGNANCY|LIKELY_BENIGN|REVIEW_REQUIRED/, "NOT_A_KIND");
    writeFileSync(flagFile, flags);
    rewriteManifest(dir, (manifest) => {
      const entry = (manifest.tables as { name: string; bytes: number; sha256: string }[]).find((table) => table.name === "Flag")!;
      entry.bytes = Buffer.byteLength(flags);
      entry.sha256 = sha256Of(flags);
    });
    const target = await bare();
    const store = new LocalImageStore(path.join(scratch, "misfit", "images"));
    const modelStoreDir = path.join(scratch, "misfit", "models");
    const attempt = restoreBackup({ backupDir: dir, databaseUrl: target.url, imageStore: store, modelStoreDir });
    await expect(attempt).rejects.toMatchObject({ code: "SCHEMA_MISMATCH", message: expect.stringMatching(/Loading table "Flag" failed \(PostgreSQL error 22P02\)/) });
    await expect(attempt).rejects.not.toThrow(/NOT_A_KIND/);
    for (const table of await publicTables(target.url)) {
      if (table !== "_prisma_migrations") expect((await tableDigest(target.url, table)).rows, table).toBe(0);
    }
    expect(filesUnder(store.root).size).toBe(0);
    expect(filesUnder(modelStoreDir).size).toBe(0);

    // The migrated, empty database and the emptied store are accepted on the next attempt.
    const retried = await restoreBackup({ backupDir, databaseUrl: target.url, imageStore: store, modelStoreDir });
    expect(retried.imageBlobs).toBe(summary.imageBlobs);
    expect(await tableDigest(target.url, "Patient")).toEqual(await tableDigest(source.url, "Patient"));
    expect(await tableDigest(target.url, "_prisma_migrations")).toEqual(await tableDigest(source.url, "_prisma_migrations"));
  });
});
