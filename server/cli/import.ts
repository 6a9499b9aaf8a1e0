/**
 * Imports a data set from the command line: `npx tsx server/cli/import.ts <kind> <folder> [--limit N]`.
 * Progress on stderr, a summary table and the rejected rows on stdout. Exit codes: 0 done (rejections are listed,
 * not failures), 1 the import stopped (database, configuration, unreadable data set), 2 wrong command line.
 */
import { SingleBar } from "cli-progress";
import { DatasetError } from "@/ml/data/dataset-error";
import { createPrismaClient } from "@/server/db/client";
import { env, InvalidEnvironmentError } from "@/server/env";
import { createImageStoreFromEnv } from "@/server/services/images/create-image-store";
import { importDermamnist, importFolderLayout, importHam10000, type ImporterOptions, type ImportSummary } from "@/server/services/imports";
import { IMPORT_USAGE, ImportUsageError, parseImportArgs, type ImportKind } from "./import-args";

const IMPORTERS: Record<ImportKind, (options: ImporterOptions) => Promise<ImportSummary>> = {
  folder: importFolderLayout,
  ham10000: importHam10000,
  dermamnist: importDermamnist,
};
const REJECTIONS_SHOWN = 30;

function printSummary(summary: ImportSummary, seconds: number): void {
  console.log();
  console.table({
    "images considered": summary.total,
    imported: summary.imported,
    "skipped (already imported)": summary.skippedDuplicate,
    rejected: summary.rejected.length,
    "patients created": summary.patientsCreated,
    "lesions created": summary.lesionsCreated,
    "outcomes created": summary.outcomesCreated,
    seconds: Number(seconds.toFixed(1)),
    "images per second": Number((summary.total / Math.max(seconds, 1e-9)).toFixed(1)),
  });
  if (summary.rejected.length === 0) return;
  console.log(`\nRejected (${summary.rejected.length}):`);
  for (const rejection of summary.rejected.slice(0, REJECTIONS_SHOWN)) {
    const where = [rejection.row === undefined ? null : `line ${rejection.row}`, rejection.file ?? null].filter(Boolean).join(", ");
    console.log(`  ${where}: ${rejection.reason}`);
  }
  if (summary.rejected.length > REJECTIONS_SHOWN) console.log(`  ... and ${summary.rejected.length - REJECTIONS_SHOWN} more`);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseImportArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ImportUsageError)) throw error;
    console.error(`error: ${error.message}\nRun with --help for usage.`);
    return 2;
  }
  if (args.help) {
    console.log(IMPORT_USAGE);
    return 0;
  }
  let config;
  try {
    config = env();
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  if (!config.DATABASE_URL) {
    console.error("error: DATABASE_URL is not set. Point it at DermFlag's PostgreSQL, e.g.\n  DATABASE_URL=postgresql://user:password@localhost:5432/dermflag npx tsx server/cli/import.ts ...");
    return 1;
  }

  const db = createPrismaClient(config.DATABASE_URL);
  const bar = new SingleBar({
    format: "{bar} {percentage}% | {value}/{total} images | {eta_formatted} left",
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 200,
  });
  const started = performance.now();
  let barStarted = false;
  try {
    console.error(`Importing ${args.kind} from ${args.folder} into ${config.IMAGE_STORE_DIR}`);
    const summary = await IMPORTERS[args.kind]({
      db,
      store: createImageStoreFromEnv(),
      folder: args.folder,
      limit: args.limit,
      concurrency: args.concurrency,
      datasetCode: args.datasetCode,
      onProgress: (done, total) => {
        if (!barStarted) {
          bar.start(total, done);
          barStarted = true;
        } else bar.update(done);
      },
    });
    bar.stop();
    printSummary(summary, (performance.now() - started) / 1000);
    return 0;
  } catch (error) {
    bar.stop();
    if (error instanceof DatasetError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    console.error("The import stopped; re-run the same command to resume (images already imported are skipped).");
    console.error(error);
    return 1;
  } finally {
    await db.$disconnect();
  }
}

process.exitCode = await main();
