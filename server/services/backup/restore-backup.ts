/**
 * Restores a backup made by createBackup into an EMPTY database and an empty image store; it never merges. Order:
 *
 *   1. verify the whole backup (manifest, every table file, blob and model against its SHA-256): a damaged or
 *      truncated backup is refused before anything is written;
 *   2. refuse a backup from a newer DermFlag (migrations this code lacks), a database with rows, a non-empty image
 *      store, or a model store holding a different model under a backed-up version;
 *   3. write the image blobs (the store's atomic put) and model directories (atomic directory write). They go first,
 *      like an upload writes blobs before rows: a blob without a row is harmless, a row without its blob is not;
 *   4. apply the committed migrations (`prisma migrate deploy`), then load every table with COPY in foreign-key
 *      order in ONE transaction, point ModelVersion.storagePath at the restored model directories, and reset the
 *      sequences (AuditLog.id) past the restored ids.
 *
 * If 3 or 4 fails, the transaction rolls back and the blobs and model directories this restore created are removed,
 * so the target is left empty again and the restore can be retried.
 */
import path from "node:path";
import pg from "pg";
import { applyMigrations } from "@/server/runtime/database";
import type { ImageStore } from "@/server/services/images/image-store";
import { removeBlobs } from "@/server/services/images/persist-image";
import { BackupError } from "./backup-error";
import { tableFile } from "./backup-manifest";
import { copyTableIn, setPortableTextFormats } from "./copy-table";
import { assertImageStoreEmpty, restoreImageBlobs } from "./image-blobs";
import { committedMigrationNames, migrationsNewerThanBackup } from "./migrations";
import { planModelRestore, removeDirs, restoreModelDirs } from "./model-dirs";
import { foreignKeyOrder, listForeignKeys, listPublicTables, PRISMA_MIGRATIONS_TABLE, tablesWithRows } from "./public-tables";
import { verifyBackup, type VerifiedBackup } from "./verify-backup";

export interface RestoreBackupOptions {
  backupDir: string;
  /** The target database: it may be brand new, or migrated with no rows, but must hold no data. */
  databaseUrl: string;
  /** The target image store: empty (a local store's directory may be absent). */
  imageStore: ImageStore;
  /** The target MODEL_STORE_DIR: model versions are written to <dir>/<version>. */
  modelStoreDir: string;
  log?: (line: string) => void;
}

export interface RestoreSummary {
  backupCreatedAt: string;
  migrations: number;
  /** Committed migrations the backup predates; they were applied before the data was loaded. */
  migrationsNewerThanBackup: string[];
  tables: { name: string; rows: number }[];
  imageBlobs: number;
  modelVersions: number;
  seconds: number;
}

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function assertNoRows(client: pg.ClientBase): Promise<void> {
  const filled = await tablesWithRows(client, await listPublicTables(client));
  if (filled.length > 0) {
    throw new BackupError(
      "DATABASE_NOT_EMPTY",
      `The target database is not empty (${filled.length} table(s) hold rows, e.g. "${filled[0]}"). Restore only into a new, empty database; nothing was changed.`,
    );
  }
}

/** The pg error's code and names, never its message: COPY errors can quote a row's values (patient data). */
function describePgError(error: unknown): string {
  const fields = error as { code?: string; constraint?: string; column?: string };
  return [fields.code && `PostgreSQL error ${fields.code}`, fields.constraint && `constraint ${fields.constraint}`, fields.column && `column ${fields.column}`]
    .filter(Boolean)
    .join(", ");
}

async function resetSequences(client: pg.ClientBase): Promise<void> {
  const owned = await client.query<{ sequence: string; table: string; column: string }>(`
    SELECT format('%I.%I', sn.nspname, s.relname) AS sequence, format('%I.%I', tn.nspname, t.relname) AS "table", format('%I', a.attname) AS "column"
      FROM pg_depend d
      JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
      JOIN pg_namespace sn ON sn.oid = s.relnamespace
      JOIN pg_class t ON t.oid = d.refobjid
      JOIN pg_namespace tn ON tn.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND tn.nspname = 'public'`);
  for (const { sequence, table, column } of owned.rows) {
    // Identifiers come from format('%I'), i.e. already quoted by PostgreSQL.
    await client.query(`SELECT setval($1::regclass, COALESCE((SELECT max(${column}) FROM ${table}), 0) + 1, false)`, [sequence]);
  }
}

async function loadTables(client: pg.ClientBase, backup: VerifiedBackup, modelDirs: ReadonlyMap<string, string>, log: (line: string) => void): Promise<void> {
  const { manifest } = backup;
  const target = new Map((await listPublicTables(client)).map((table) => [table.name, table]));
  for (const table of manifest.tables) {
    const columns = target.get(table.name)?.columns;
    if (!columns) throw new BackupError("SCHEMA_MISMATCH", `The migrated database has no table "${table.name}", which the backup holds.`);
    const absent = table.columns.filter((column) => !columns.includes(column));
    if (absent.length > 0) throw new BackupError("SCHEMA_MISMATCH", `Table "${table.name}" has no column "${absent[0]}", which the backup holds.`);
  }
  // Nobody writes between the emptiness check and the load: take every table for the transaction.
  await client.query(`LOCK TABLE ${[...target.keys()].map((name) => client.escapeIdentifier(name)).join(", ")} IN ACCESS EXCLUSIVE MODE`);
  await assertNoRows(client);
  // Migration history is restored as the source recorded it; rows of migrations newer than the backup stay.
  await client.query(`DELETE FROM ${client.escapeIdentifier(PRISMA_MIGRATIONS_TABLE)} WHERE migration_name = ANY ($1::text[])`, [manifest.migrations]);
  const entries = new Map(manifest.tables.map((table) => [table.name, table]));
  for (const name of foreignKeyOrder([...entries.keys()], await listForeignKeys(client))) {
    const entry = entries.get(name)!;
    let loaded;
    try {
      loaded = await copyTableIn(client, entry, path.join(backup.dir, tableFile(name)));
    } catch (error) {
      throw new BackupError("SCHEMA_MISMATCH", `Loading table "${name}" failed (${describePgError(error) || "unexpected error"}); nothing was restored.`, { cause: error });
    }
    if (loaded.sha256 !== entry.sha256) throw new BackupError("CORRUPTED", `${tableFile(name)} changed after it was verified; nothing was restored.`);
    if (loaded.rows !== entry.rows) throw new BackupError("CORRUPTED", `${tableFile(name)} holds ${loaded.rows} rows, the manifest says ${entry.rows}; nothing was restored.`);
    log(`  ${name}: ${loaded.rows} rows`);
  }
  for (const [version, dir] of modelDirs) {
    const updated = await client.query(`UPDATE "ModelVersion" SET "storagePath" = $1 WHERE version = $2`, [dir, version]);
    if (updated.rowCount !== 1) throw new BackupError("CORRUPTED", `The backup holds model ${version} but no ModelVersion row for it; nothing was restored.`);
  }
  await resetSequences(client);
}

export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  log("Verifying the backup...");
  const backup = await verifyBackup(options.backupDir);
  const { manifest } = backup;
  const newer = migrationsNewerThanBackup(manifest.migrations, committedMigrationNames());
  await withClient(options.databaseUrl, assertNoRows);
  await assertImageStoreEmpty(options.imageStore, backup.blobs);
  const modelPlan = planModelRestore(options.modelStoreDir, manifest.models);

  const createdBlobs: string[] = [];
  const createdModelDirs: string[] = [];
  try {
    log(`Restoring ${backup.blobs.length} image blobs...`);
    await restoreImageBlobs(options.imageStore, backup.dir, backup.blobs, createdBlobs);
    log(`Restoring ${manifest.models.length} model version(s)...`);
    restoreModelDirs(backup.dir, manifest.models, modelPlan, createdModelDirs);
    log("Applying migrations...");
    await applyMigrations(options.databaseUrl);
    log("Loading the tables (one transaction)...");
    await withClient(options.databaseUrl, async (client) => {
      await client.query("BEGIN");
      try {
        await setPortableTextFormats(client);
        await loadTables(client, backup, new Map(modelPlan.map((item) => [item.version, item.dir])), log);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  } catch (error) {
    await removeBlobs(options.imageStore, createdBlobs);
    await removeDirs(createdModelDirs);
    throw error;
  }
  return {
    backupCreatedAt: manifest.createdAt,
    migrations: manifest.migrations.length,
    migrationsNewerThanBackup: newer,
    tables: manifest.tables.map((table) => ({ name: table.name, rows: table.rows })),
    imageBlobs: backup.blobs.length,
    modelVersions: manifest.models.length,
    seconds: (performance.now() - started) / 1000,
  };
}
