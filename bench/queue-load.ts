/**
 * Reviewer queue under load (issue 5): the production server (`next start` on the committed build) against a fresh,
 * migrated embedded PostgreSQL holding 100,000 seeded lesions, driven over loopback by concurrent signed-in clients
 * that each loop like a reviewer: queue counts and the first queue page (all kinds or one kind), two following pages
 * by cursor, then one flag from those pages and its queue neighbours. Writes bench/results/queue-load.json.
 *
 *   nice npx tsx bench/queue-load.ts                                   # full run: 100,000 lesions, 50 clients, both scenarios, 30 s each
 *   npx tsx bench/queue-load.ts --lesions 2000 --clients 5 --seconds 5 # smoke run; prints, writes nothing
 *   npx tsx bench/queue-load.ts --clients 1 --scenario saturation      # one client back to back: the service time per call
 *   npx tsx bench/queue-load.ts --seconds 15 --scenario saturation --cpu-prof tmp/prof  # a V8 CPU profile of the server; writes no results
 *
 * Two load models, both measured in a full run, on the same data and server (bench/load-support.ts):
 * - saturation: no think time, so 50 clients keep the server permanently busy and latency ≈ clients / throughput;
 *   a capacity figure for these 2 shared cores, which also host PostgreSQL and this load generator.
 * - think-time (default 500-2000 ms, --think MIN-MAX): each reviewer pauses before each action (open the queue, next
 *   page, next page, open a case). Reading a dermoscopy case takes a clinician far longer than 2 s, so this is a heavy
 *   clinic, not an idle one. The top-level keys of the results file are this scenario's; `scenarios` holds both.
 *
 * Data: bench/dashboard-seed.ts plus OPEN flags for about 45% of the lesions it left unflagged (load-support.ts), so
 * the queue holds tens of thousands of open flags; then VACUUM ANALYZE, as autovacuum would leave the tables.
 * Requests issued during the warm-up are not counted. Each scenario also reports CPU milliseconds per request of the
 * server, PostgreSQL and this load generator, and database transactions (statements) per request.
 */
import os from "node:os";
import path from "node:path";
import { machineInfo } from "./ml-bench-support";
import {
  assertProductionBuild,
  createBenchUser,
  armHardStop,
  primaryScenario,
  SCENARIO_NOTE,
  describeLoadModel,
  type LoadClient,
  loadModelName,
  measureScenario,
  parseLoadOptions,
  REPO_ROOT,
  round1,
  seedBenchDatabase,
  signIn,
  startProductionServer,
  summarise,
  summariseGroups,
  type BenchDatabase,
  type CookieJar,
  type LoadModel,
  type RunningServer,
} from "./load-support";
import { writeResults } from "./ml-bench-support";

const resultsFile = path.join(REPO_ROOT, "bench", "results", "queue-load.json");
const PORT = 3300;
const DATABASE = "bench_queue_load";
const TARGET = { p95_ms: 150, errors: 0 } as const;
/** A bound on the work, whatever the machine: no scenario sends more requests than this. */
const MAX_REQUESTS = 100_000;
const KINDS = [undefined, "LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"] as const;
const PROCEDURES = ["review.counts", "review.queue", "review.queue (cursor)", "review.flag", "review.neighbours"] as const;
const WORKLOAD =
  "per client loop of 4 actions, 6 calls: (1) review.counts then review.queue page 1 (kind cycles: all, LIKELY_BENIGN, POSSIBLE_MISSED_MALIGNANCY, REVIEW_REQUIRED; limit 25); (2) and (3) one cursor page each; (4) review.flag then review.neighbours for one flag of those pages. The think-time pause comes before each action, none within one. One HTTP GET per call (no batching), each client with its own session cookie.";

interface QueueItem {
  id: string;
}
interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
}

/** One reviewer: loops over counts, queue pages and one flag's details until the scenario ends. */
async function runReviewer(client: LoadClient, clientIndex: number): Promise<void> {
  for (let iteration = 0; ; iteration++) {
    const kind = KINDS[(clientIndex + iteration) % KINDS.length];
    if (!(await client.pause())) return;
    await client.trpc("review.counts", "review.counts", undefined);
    if (!client.running) return;
    const seen: string[] = [];
    let page = await client.trpc<QueuePage>("review.queue", "review.queue", kind ? { kind } : {});
    seen.push(...(page?.items.map((item) => item.id) ?? []));
    for (let step = 0; step < 2 && page?.nextCursor; step++) {
      if (!(await client.pause())) return;
      page = await client.trpc<QueuePage>("review.queue (cursor)", "review.queue", { ...(kind ? { kind } : {}), cursor: page.nextCursor });
      seen.push(...(page?.items.map((item) => item.id) ?? []));
    }
    const flagId = seen[(clientIndex * 7 + iteration * 13) % Math.max(1, seen.length)];
    if (!flagId) continue;
    if (!(await client.pause())) return;
    await client.trpc("review.flag", "review.flag", { flagId });
    if (!client.running) return;
    await client.trpc("review.neighbours", "review.neighbours", { flagId });
  }
}

async function runScenario(options: {
  model: LoadModel;
  jars: CookieJar[];
  server: RunningServer;
  database: BenchDatabase;
  seconds: number;
  warmupSeconds: number;
  log: (line: string) => void;
}) {
  const { model, jars } = options;
  options.log(`${loadModelName(model)}: ${jars.length} clients, ${options.warmupSeconds} s warm-up, then ${options.seconds} s measured`);
  const run = await measureScenario({ ...options, databaseName: DATABASE, maxRequests: MAX_REQUESTS, user: runReviewer });
  const overall = summarise(run.measured, run.measuredSeconds);
  return {
    scenario: loadModelName(model),
    load_model: describeLoadModel(model),
    clients: jars.length,
    requests_per_second: overall.requests_per_second,
    p50_ms: overall.p50_ms,
    p95_ms: overall.p95_ms,
    p99_ms: overall.p99_ms,
    max_ms: overall.max_ms,
    errors: overall.errors,
    meets_target: overall.p95_ms <= TARGET.p95_ms && overall.errors === TARGET.errors,
    requests: overall.requests,
    measured_seconds: round1(run.measuredSeconds),
    warmup_seconds: options.warmupSeconds,
    warmup_requests: run.warmupRequests,
    warmup_errors: run.warmupErrors,
    per_procedure: summariseGroups(run.measured, PROCEDURES, (sample) => sample.label, run.measuredSeconds),
    cpu_per_request: run.cpu,
    database_transactions_per_request: run.databaseTransactionsPerRequest,
    load_average_1m: run.loadAverage1m,
  };
}

type ScenarioResult = Awaited<ReturnType<typeof runScenario>>;

async function main(): Promise<void> {
  const { lesions, clients, seconds, warmupSeconds, models, full: fullSize, texts } = parseLoadOptions(process.argv.slice(2), {}, ["cpu-prof"]);
  // A profiled server runs slower: its figures are for finding the cost, never written as results.
  const cpuProfileDir = texts["cpu-prof"];
  const full = fullSize && cpuProfileDir === undefined;
  assertProductionBuild();
  const log = (line: string) => console.log(`[queue-load] ${line}`);
  const machine = machineInfo();

  let database: BenchDatabase | undefined;
  let server: RunningServer | undefined;
  const hardStop = armHardStop("queue-load", models.length * (seconds + warmupSeconds) + 600, async () => {
    server?.process.kill("SIGKILL");
    await database?.handle.stop();
  });

  try {
    database = await seedBenchDatabase({ lesions, dataDir: path.join(REPO_ROOT, ".data", "bench-queue-load"), database: DATABASE });
    const user = await createBenchUser(database.url, { email: "queue-load@dermflag.example", name: "Queue Load Reviewer", role: "DERMATOLOGIST" });
    log(`seeded ${lesions} lesions, ${database.openFlags} open flags (${database.openFlagsAdded} added to the dashboard seed) in ${database.seedSeconds.toFixed(1)} s`);

    server = await startProductionServer({
      port: PORT,
      env: { DATABASE_URL: database.url },
      nodeArgs: cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${path.resolve(cpuProfileDir)}`],
    });
    log("server is up; signing in the clients");
    const jars: CookieJar[] = [];
    for (let index = 0; index < clients; index++) jars.push(await signIn(server.base, user.email, user.password));

    const scenarios: Record<string, ScenarioResult> = {};
    for (const model of models) {
      const result = await runScenario({ model, jars, server, database, seconds, warmupSeconds, log });
      scenarios[model.kind] = result;
      log(`${result.scenario}: ${result.requests} requests, ${result.requests_per_second} req/s, p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms, errors ${result.errors}`);
      if (result.errors > 0) log(`last server output:\n${server.log.slice(-20).join("\n")}`);
    }

    const primary = primaryScenario(scenarios);
    const result = {
      benchmark: "review queue tRPC calls under concurrent clients (issue 5)",
      scenario: primary.scenario,
      scenario_note: SCENARIO_NOTE,
      lesions,
      clients,
      requests_per_second: primary.requests_per_second,
      p50_ms: primary.p50_ms,
      p95_ms: primary.p95_ms,
      errors: primary.errors,
      target: TARGET,
      meets_target: primary.meets_target,
      p99_ms: primary.p99_ms,
      scenarios,
      data: { ...database.seeded, open_flags: database.openFlags, open_flags_added: database.openFlagsAdded, seed_seconds: round1(database.seedSeconds) },
      workload: WORKLOAD,
      server:
        "next start (production build in .next), NODE_ENV=production, default Prisma pool (10), embedded PostgreSQL 18 (vacuumed and analysed after seeding) on the same machine, clients in the same machine over loopback",
      machine: { ...machine, load_average_1m_at_end: round1(os.loadavg()[0] ?? 0), note: "cores shared with other work; clients, server and database all on these cores" },
      date: new Date().toISOString(),
      command: `${os.getPriority() > 0 ? "nice " : ""}npx tsx bench/queue-load.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}`,
    };
    console.log(JSON.stringify(result, null, 2));
    if (full) log(`wrote ${path.relative(REPO_ROOT, writeResults(resultsFile, result))}`);
    else log("smaller than the full run (100,000 lesions, 50 clients, 30 s, both scenarios): results not written");
  } catch (error) {
    if (server?.log.length) console.error(`[queue-load] last server output:\n${server.log.slice(-40).join("\n")}`);
    throw error;
  } finally {
    await server?.stop();
    await database?.handle.stop();
    clearTimeout(hardStop);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
