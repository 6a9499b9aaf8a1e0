/**
 * Which schema a backup was taken at and which one this code builds. The source's level is what Prisma recorded in
 * `_prisma_migrations`; the code's is the committed prisma/migrations folder (what `prisma migrate deploy` applies).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { BackupError } from "./backup-error";
import { PRISMA_MIGRATIONS_TABLE } from "./public-tables";

export const COMMITTED_MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../prisma/migrations");

/** Names of the committed migrations, in the order Prisma applies them (by name: they start with a timestamp). */
export function committedMigrationNames(migrationsDir = COMMITTED_MIGRATIONS_DIR): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(migrationsDir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
}

/** Migrations finished and not rolled back, in name order. Refuses a database Prisma did not migrate, or one mid-migration. */
export async function appliedMigrationNames(client: pg.ClientBase): Promise<string[]> {
  const table = await client.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = $1", [PRISMA_MIGRATIONS_TABLE]);
  if (table.rowCount === 0) {
    throw new BackupError(
      "SOURCE_INCOMPLETE",
      `The database has no ${PRISMA_MIGRATIONS_TABLE} table: it was not created by \`prisma migrate deploy\` (or \`npm start\`), so the backup could not say which schema it holds.`,
    );
  }
  const rows = await client.query<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
    `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
       FROM ${client.escapeIdentifier(PRISMA_MIGRATIONS_TABLE)} ORDER BY migration_name, started_at`,
  );
  const failed = rows.rows.filter((row) => !row.finished && !row.rolled_back).map((row) => row.migration_name);
  if (failed.length > 0) {
    throw new BackupError("SOURCE_INCOMPLETE", `Migration ${failed[0]} started but did not finish: resolve it (prisma migrate resolve) before backing up.`);
  }
  return [...new Set(rows.rows.filter((row) => row.finished && !row.rolled_back).map((row) => row.migration_name))].sort();
}

/**
 * A backup can be restored by code that has every migration the backup's database had. Returns the code's
 * migrations the backup predates (they are applied before the data is loaded).
 */
export function migrationsNewerThanBackup(backupMigrations: readonly string[], codeMigrations: readonly string[]): string[] {
  const code = new Set(codeMigrations);
  const unknown = backupMigrations.filter((name) => !code.has(name));
  if (unknown.length > 0) {
    throw new BackupError(
      "MIGRATIONS_NEWER",
      `The backup was made by a newer DermFlag: its database had ${unknown.length} migration(s) this code does not have (first: ${unknown[0]}). ` +
        "Restore it with the DermFlag version that made it (or a newer one).",
    );
  }
  const inBackup = new Set(backupMigrations);
  return codeMigrations.filter((name) => !inBackup.has(name));
}
