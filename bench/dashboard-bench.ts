/**
 * Outcomes dashboard latency at clinic scale: seeds 100,000 lesions (bench/dashboard-seed.ts: ~160,000 images, two
 * model versions scoring each, outcomes, flags, reviews) into a fresh, migrated database on an embedded PostgreSQL,
 * then times the service call behind the page (getOutcomesDashboard: every SQL query plus the metrics in Node).
 * Writes bench/results/dashboard.json.
 *
 *   nice npx tsx bench/dashboard-bench.ts                  # full run (the machine is shared: run it once)
 *   npx tsx bench/dashboard-bench.ts --lesions 2000        # smoke run; prints, writes nothing
 *
 * Views timed, each `--runs` times after 2 warm-up calls: all months under the active model (the page's default),
 * one year, and the retired model version. p50/p95 are of wall-clock milliseconds per call, sequential calls.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { createPrismaClient, type Db } from "@/server/db/client";
import { startEmbeddedPostgres } from "@/server/db/embedded-postgres";
import { getOutcomesDashboard } from "@/server/services/outcomes/get-outcomes-dashboard";
import type { OutcomesQuery } from "@/server/services/outcomes/scope";
import { seedDashboardData } from "./dashboard-seed";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const migrationsDir = path.join(repoRoot, "prisma", "migrations");
const resultsFile = path.join(repoRoot, "bench", "results", "dashboard.json");
const FULL_LESIONS = 100_000;

function migrationSql(): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8"));
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

async function timeView(db: Db, query: OutcomesQuery, runs: number) {
  for (let warm = 0; warm < 2; warm++) await getOutcomesDashboard({ db, query });
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof getOutcomesDashboard>> | null = null;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    last = await getOutcomesDashboard({ db, query });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (value: number) => Number(value.toFixed(1));
  return {
    p50_ms: round(quantile(times, 0.5)),
    p95_ms: round(quantile(times, 0.95)),
    min_ms: round(times[0]!),
    max_ms: round(times.at(-1)!),
    runs,
    // What the call computed, so the result shows the work was real.
    lesions_with_outcome: last!.outcomes.lesions,
    biopsied: last!.outcomes.biopsied,
    scored_biopsied: last!.modelOutcomes?.scoredBiopsied ?? 0,
    auc: last!.modelOutcomes?.roc.auc === null || last!.modelOutcomes === null ? null : Number(last!.modelOutcomes.roc.auc.toFixed(4)),
    what_if_points: last!.modelOutcomes?.whatIf.points.length ?? 0,
    response_bytes: JSON.stringify(last).length,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { lesions: { type: "string" }, runs: { type: "string" } } });
  const lesions = values.lesions === undefined ? FULL_LESIONS : Number(values.lesions);
  const runs = values.runs === undefined ? 20 : Number(values.runs);
  if (!(Number.isInteger(lesions) && lesions > 0)) throw new Error("--lesions must be a positive whole number");
  if (!(Number.isInteger(runs) && runs >= 2)) throw new Error("--runs must be a whole number >= 2");
  const full = lesions === FULL_LESIONS && values.lesions === undefined;

  const loadAtStart = os.loadavg()[0] ?? 0;
  const work = path.join(repoRoot, ".data", `bench-dashboard-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const server = await startEmbeddedPostgres({ dataDir: path.join(work, "postgres"), persistent: false });
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query("CREATE DATABASE dermflag_bench");
    await admin.end();
    const client = new pg.Client({ connectionString: server.urlFor("dermflag_bench") });
    await client.connect();
    for (const sql of migrationSql()) await client.query(sql);
    const seedStarted = performance.now();
    const counts = await seedDashboardData(client, { lesions });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await client.end();
    console.log(`seeded in ${seedSeconds.toFixed(1)} s: ${JSON.stringify(counts)}`);

    const db = createPrismaClient(server.urlFor("dermflag_bench"), { max: 10 });
    try {
      const views = {
        all_months_active_model: await timeView(db, {}, runs),
        one_year_active_model: await timeView(db, { from: "2024-01", to: "2024-12" }, runs),
        all_months_retired_model: await timeView(db, { modelVersionId: "bench-retired" }, runs),
      };
      for (const [name, view] of Object.entries(views)) console.log(`${name}: p50 ${view.p50_ms} ms, p95 ${view.p95_ms} ms`);
      const cpus = os.cpus();
      const result = {
        p50_ms: views.all_months_active_model.p50_ms,
        p95_ms: views.all_months_active_model.p95_ms,
        lesions,
        machine: {
          cpu_model: cpus[0]?.model ?? "unknown",
          cores: os.availableParallelism(),
          memory_gb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
        },
        date: new Date().toISOString(),
        details: {
          measured: "getOutcomesDashboard (all SQL + metrics in Node), sequential calls after 2 warm-ups; p50_ms/p95_ms = all months, active model",
          views,
          seeded: counts,
          seed_seconds: Number(seedSeconds.toFixed(1)),
          load_average_1m: { at_start: Number(loadAtStart.toFixed(2)), at_end: Number((os.loadavg()[0] ?? 0).toFixed(2)) },
          node: process.version,
          postgres: "embedded-postgres (PostgreSQL 18), same machine, default settings",
        },
      };
      console.log(JSON.stringify(result, null, 2));
      if (full) {
        mkdirSync(path.dirname(resultsFile), { recursive: true });
        writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
        console.log(`wrote ${path.relative(repoRoot, resultsFile)}`);
      } else {
        console.log("(smoke run with --lesions: nothing written)");
      }
    } finally {
      await db.$disconnect();
    }
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
