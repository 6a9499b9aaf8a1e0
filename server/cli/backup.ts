/**
 * `npm run backup -- <target-dir>`: backs up the database (every table of its public schema, from one snapshot), the
 * image blobs its rows reach and the registered model versions into a new folder. Uses DATABASE_URL, or the embedded
 * database under DATA_DIR (stop DermFlag first: the embedded server runs in one process at a time), and
 * IMAGE_STORE_DIR / MODEL_STORE_DIR as configured. Prints counts only, never patient data.
 * Exit codes: 0 written, 1 failed (nothing was written), 2 wrong command line.
 */
import { createBackup } from "../services/backup";
import { createImageStoreFromEnv } from "../services/images/create-image-store";
import { runDatabaseCommand } from "./database-command";

const usage = `Usage: npm run backup -- <target-dir>
Writes a new folder <target-dir> (it must not exist) with the database, the image blobs and the model versions.`;

runDatabaseCommand(usage, async (targetDir, { databaseUrl }) => {
  const summary = await createBackup({
    databaseUrl,
    imageStore: createImageStoreFromEnv(),
    targetDir,
    log: (line) => console.error(line),
  });
  const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0);
  console.log(`Backup written to ${summary.dir}`);
  console.log(`  database: ${summary.tables.length} tables, ${rows} rows, ${summary.migrations} migrations applied (pg-boss job queues left out)`);
  console.log(`  images:   ${summary.imageBlobs} blobs, ${(summary.imageBytes / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`  models:   ${summary.modelVersions} version(s)`);
  console.log(`  took ${summary.seconds.toFixed(1)} s`);
});
