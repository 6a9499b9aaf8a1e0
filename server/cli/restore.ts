/**
 * `npm run restore -- <backup-dir>`: restores a backup made by `npm run backup` into an EMPTY database (DATABASE_URL,
 * or the embedded one under DATA_DIR, created if absent) and an empty image store, writing model versions to
 * MODEL_STORE_DIR. It verifies the whole backup first and refuses a damaged one, a non-empty target, or a backup from
 * a newer DermFlag; it never merges. Prints counts only, never patient data.
 * Exit codes: 0 restored, 1 refused or failed (the target is left as it was), 2 wrong command line.
 */
import { restoreBackup } from "../services/backup";
import { createImageStoreFromEnv } from "../services/images/create-image-store";
import { runDatabaseCommand } from "./database-command";

const usage = `Usage: npm run restore -- <backup-dir>
Restores <backup-dir> into an empty database and an empty image store (configured as for \`npm start\`).`;

runDatabaseCommand(usage, async (backupDir, { env, databaseUrl }) => {
  const summary = await restoreBackup({
    backupDir,
    databaseUrl,
    imageStore: createImageStoreFromEnv(),
    modelStoreDir: env.MODEL_STORE_DIR,
    log: (line) => console.error(line),
  });
  const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0);
  console.log(`Restored the backup made ${summary.backupCreatedAt}`);
  console.log(`  database: ${summary.tables.length} tables, ${rows} rows, ${summary.migrations} migrations`);
  if (summary.migrationsNewerThanBackup.length > 0) {
    console.log(`            ${summary.migrationsNewerThanBackup.length} migration(s) newer than the backup were applied before loading`);
  }
  console.log(`  images:   ${summary.imageBlobs} blobs`);
  console.log(`  models:   ${summary.modelVersions} version(s), in ${env.MODEL_STORE_DIR}`);
  console.log(`  took ${summary.seconds.toFixed(1)} s`);
});
