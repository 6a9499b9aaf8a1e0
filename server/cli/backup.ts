/**
 * `npm run backup -- <target-dir>`: backs up the database (every table of its public schema, from one snapshot), the
 * image blobs its rows reach and the registered model versions into a new folder. Uses DATABASE_URL, or the embedded
 * database under DATA_DIR (stop DermFlag first: the embedded server runs in one process at a time), and
 * IMAGE_STORE_DIR / MODEL_STORE_DIR as configured. Prints counts only, never patient data.
 * Exit codes: 0 written, 1 failed (nothing was written), 2 wrong command line.
 */
import { parseArgs } from "node:util";
import { env as loadEnv } from "../env";
import { createBackup } from "../services/backup";
import { provideCliDatabase } from "../services/backup/provide-cli-database";
import { createImageStoreFromEnv } from "../services/images/create-image-store";

const usage = `Usage: npm run backup -- <target-dir>
Writes a new folder <target-dir> (it must not exist) with the database, the image blobs and the model versions.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: "boolean" } } });
  if (values.help || positionals.length !== 1) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const env = loadEnv();
  const database = await provideCliDatabase(env, (line) => console.error(line));
  try {
    const summary = await createBackup({
      databaseUrl: database.url,
      imageStore: createImageStoreFromEnv(),
      targetDir: positionals[0]!,
      log: (line) => console.error(line),
    });
    const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0);
    console.log(`Backup written to ${summary.dir}`);
    console.log(`  database: ${summary.tables.length} tables, ${rows} rows, ${summary.migrations} migrations applied (pg-boss job queues left out)`);
    console.log(`  images:   ${summary.imageBlobs} blobs, ${(summary.imageBytes / 1024 / 1024).toFixed(1)} MiB`);
    console.log(`  models:   ${summary.modelVersions} version(s)`);
    console.log(`  took ${summary.seconds.toFixed(1)} s`);
    return 0;
  } finally {
    await database.embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
