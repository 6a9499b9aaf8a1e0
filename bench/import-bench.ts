/**
 * Import throughput on the real data sets: all 10,015 DermaMNIST-28 images, then the 2,204 isic2019-180 images, into
 * a fresh, migrated database on an embedded PostgreSQL, with a fresh image store. Writes bench/results/import.json.
 *
 *   nice npx tsx bench/import-bench.ts              # full run (a few minutes; the machine is shared: run it once)
 *   npx tsx bench/import-bench.ts --limit 300       # smoke run of the first 300 of each; prints, writes nothing
 *
 * images_per_second = images handled (imported + duplicates + rejected) / wall-clock seconds of that import,
 * including decoding, re-encoding, derivatives, fsynced blob writes and one transaction per lesion. peak_rss_mb is
 * this Node process's peak resident memory (PostgreSQL runs in its own processes and is not included).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import sharp from "sharp";
import { DERMAMNIST_28_DIR, ISIC2019_180_DIR } from "@/ml/data/shared-data";
import { createPrismaClient } from "@/server/db/client";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { DEFAULT_IMAGE_LIMITS } from "@/server/services/images/image-limits";
import { LocalImageStore } from "@/server/services/images/local-image-store";
import { importDermamnist, importFolderLayout, type ImportSummary } from "@/server/services/imports";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const migrationsDir = path.join(repoRoot, "prisma", "migrations");
const resultsFile = path.join(repoRoot, "bench", "results", "import.json");

function migrationSql(): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8"));
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function timed(name: string, run: () => Promise<ImportSummary>) {
  const started = performance.now();
  const summary = await run();
  const seconds = (performance.now() - started) / 1000;
  const handled = summary.imported + summary.skippedDuplicate + summary.rejected.length;
  console.log(
    `${name}: ${handled} images in ${seconds.toFixed(1)} s = ${(handled / seconds).toFixed(1)} images/s ` +
      `(imported ${summary.imported}, duplicates ${summary.skippedDuplicate}, rejected ${summary.rejected.length})`,
  );
  for (const rejection of summary.rejected.slice(0, 10)) console.log(`  rejected ${rejection.file ?? `line ${rejection.row}`}: ${rejection.reason}`);
  return { summary, seconds, imagesPerSecond: handled / seconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { limit: { type: "string" } } });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error("--limit must be a positive whole number");

  // The machine is shared: record how busy it was, since throughput depends on it.
  const loadAtStart = os.loadavg()[0] ?? 0;
  const work = path.join(repoRoot, ".data", `bench-import-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const server = await startEmbeddedPostgres({ dataDir: path.join(work, "postgres"), persistent: false });
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query("CREATE DATABASE dermflag_bench");
    await admin.end();
    const migrate = new pg.Client({ connectionString: server.urlFor("dermflag_bench") });
    await migrate.connect();
    for (const sql of migrationSql()) await migrate.query(sql);
    await migrate.end();

    const db = createPrismaClient(server.urlFor("dermflag_bench"), { max: 16 });
    const store = new LocalImageStore(path.join(work, "images"));
    const limits = { ...DEFAULT_IMAGE_LIMITS };
    try {
      const dermamnist = await timed("dermamnist-28", () => importDermamnist({ db, store, folder: DERMAMNIST_28_DIR, limits, limit }));
      const isic = await timed("isic2019-180", () => importFolderLayout({ db, store, folder: ISIC2019_180_DIR, limits, limit }));
      const storedBytes = folderBytes(store.root);
      const rss = process.resourceUsage().maxRSS / 1024;
      const cpus = os.cpus();
      const result = {
        dermamnist_images_per_second: Number(dermamnist.imagesPerSecond.toFixed(1)),
        isic2019_images_per_second: Number(isic.imagesPerSecond.toFixed(1)),
        peak_rss_mb: Math.round(rss),
        machine: {
          cpu_model: cpus[0]?.model ?? "unknown",
          cores: os.availableParallelism(),
          memory_gb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
        },
        date: new Date().toISOString(),
        details: {
          dermamnist: { seconds: Number(dermamnist.seconds.toFixed(1)), ...countsOf(dermamnist.summary) },
          isic2019: { seconds: Number(isic.seconds.toFixed(1)), ...countsOf(isic.summary) },
          stored_bytes_all_blobs: storedBytes,
          limit: limit ?? null,
          load_average_1m: { at_start: Number(loadAtStart.toFixed(2)), at_end: Number((os.loadavg()[0] ?? 0).toFixed(2)) },
          node: process.version,
          sharp: sharp.versions.sharp,
          libvips: sharp.versions.vips,
          postgres: "embedded-postgres (PostgreSQL 18), same machine",
        },
      };
      console.log(JSON.stringify(result, null, 2));
      if (limit === undefined) {
        mkdirSync(path.dirname(resultsFile), { recursive: true });
        writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
        console.log(`wrote ${path.relative(repoRoot, resultsFile)}`);
      } else {
        console.log("(smoke run with --limit: nothing written)");
      }
    } finally {
      await db.$disconnect();
    }
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function countsOf(summary: ImportSummary) {
  return {
    imported: summary.imported,
    skipped_duplicate: summary.skippedDuplicate,
    rejected: summary.rejected.length,
    lesions_created: summary.lesionsCreated,
    outcomes_created: summary.outcomesCreated,
  };
}

await main();
