/**
 * Backs up DermFlag's state into one new folder: every table of the database's `public` schema from ONE snapshot
 * (a REPEATABLE READ, READ ONLY transaction, so all tables are from the same instant), the image blobs those rows
 * reach, and the registered model versions. The folder is built under a hidden temporary name beside the target and
 * renamed into place at the end, so a backup that did not finish never looks like one. Layout: backup-manifest.ts.
 *
 * Logical, not pg_dump: the schema is not in the backup; it comes from the committed migrations (recorded by name),
 * which a restore applies. The pg-boss schema (job queues) is left out: see EXCLUDED_SCHEMAS.
 */
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { ImageStore } from "@/server/services/images/image-store";
import { BackupError } from "./backup-error";
import { exists, fsyncPath, writeFileSynced, sha256Of } from "./backup-files";
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  DATABASE_FOLDER,
  EXCLUDED_SCHEMAS,
  MANIFEST_CHECKSUM_FILE,
  MANIFEST_FILE,
  manifestChecksumLine,
  serialiseManifest,
  tableFile,
  TableNameSchema,
  type BackupManifest,
  type BackupTable,
} from "./backup-manifest";
import { copyTableOut, setPortableTextFormats } from "./copy-table";
import { backupImageBlobs, imageBlobKeysOf, type ImageRow } from "./image-blobs";
import { appliedMigrationNames } from "./migrations";
import { backupModelDirs, type ModelRow } from "./model-dirs";
import { listPublicTables } from "./public-tables";

export interface CreateBackupOptions {
  databaseUrl: string;
  imageStore: ImageStore;
  /** The folder to create; it must not exist yet. */
  targetDir: string;
  log?: (line: string) => void;
}

export interface BackupSummary {
  dir: string;
  createdAt: string;
  migrations: number;
  tables: { name: string; rows: number }[];
  imageBlobs: number;
  imageBytes: number;
  modelVersions: number;
  seconds: number;
}

interface DatabaseSnapshot {
  postgresVersion: string;
  migrations: string[];
  tables: BackupTable[];
  images: ImageRow[];
  models: ModelRow[];
}

/** Every public table to CSV, plus the rows that say which blobs and model directories belong to this snapshot. */
async function snapshotDatabase(databaseUrl: string, workDir: string, log: (line: string) => void): Promise<DatabaseSnapshot> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    await setPortableTextFormats(client);
    const postgresVersion = (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    const migrations = await appliedMigrationNames(client);
    await mkdir(path.join(workDir, DATABASE_FOLDER));
    const tables: BackupTable[] = [];
    for (const table of await listPublicTables(client)) {
      if (!TableNameSchema.safeParse(table.name).success) {
        throw new BackupError("SOURCE_INCOMPLETE", `Table ${JSON.stringify(table.name)} has a name the backup format cannot hold as a file name.`);
      }
      const copied = await copyTableOut(client, table, path.join(workDir, tableFile(table.name)));
      tables.push({ name: table.name, columns: table.columns, ...copied });
      log(`  ${table.name}: ${copied.rows} rows`);
    }
    await fsyncPath(path.join(workDir, DATABASE_FOLDER));
    const images = (await client.query<ImageRow>(`SELECT "contentHash", "storageKey" FROM "LesionImage"`)).rows;
    const models = (await client.query<ModelRow>(`SELECT version, "storagePath", sha256 FROM "ModelVersion"`)).rows;
    await client.query("COMMIT");
    return { postgresVersion, migrations, tables, images, models };
  } finally {
    await client.end();
  }
}

export async function createBackup(options: CreateBackupOptions): Promise<BackupSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const target = path.resolve(options.targetDir);
  if (await exists(target)) throw new BackupError("TARGET_EXISTS", `${target} already exists: give a new folder name for the backup.`);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const workDir = await mkdtemp(path.join(parent, `.${path.basename(target)}.partial-`));
  try {
    const createdAt = new Date().toISOString();
    log("Copying the database (one snapshot)...");
    const snapshot = await snapshotDatabase(options.databaseUrl, workDir, log);
    log(`Copying ${snapshot.images.length} images' blobs...`);
    const blobDirs = new Set<string>();
    const images = await backupImageBlobs(options.imageStore, imageBlobKeysOf(snapshot.images), workDir, blobDirs);
    log(`Copying ${snapshot.models.length} model version(s)...`);
    const models = await backupModelDirs(snapshot.models, workDir);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt,
      postgresVersion: snapshot.postgresVersion,
      migrations: snapshot.migrations,
      excludedSchemas: EXCLUDED_SCHEMAS.map((entry) => ({ ...entry })),
      tables: snapshot.tables,
      images,
      models,
    };
    const text = serialiseManifest(manifest);
    await writeFileSynced(path.join(workDir, MANIFEST_FILE), text);
    await writeFileSynced(path.join(workDir, MANIFEST_CHECKSUM_FILE), manifestChecksumLine(sha256Of(text)));
    // Every directory's entries on disk before the rename publishes the folder; deepest (longest path) first.
    const dirs = new Set([...blobDirs].flatMap((dir) => [dir, ...ancestorsBelow(dir, workDir)]));
    for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await fsyncPath(dir);
    await fsyncPath(workDir);
    if (await exists(target)) throw new BackupError("TARGET_EXISTS", `${target} was created by someone else during the backup.`);
    await rename(workDir, target);
    await fsyncPath(parent);
    return {
      dir: target,
      createdAt,
      migrations: snapshot.migrations.length,
      tables: snapshot.tables.map((table) => ({ name: table.name, rows: table.rows })),
      imageBlobs: images.count,
      imageBytes: images.bytes,
      modelVersions: models.length,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

/** The directories strictly between `dir` and `root`. */
function ancestorsBelow(dir: string, root: string): string[] {
  const result: string[] = [];
  for (let current = path.dirname(dir); current.startsWith(root + path.sep); current = path.dirname(current)) result.push(current);
  return result;
}
