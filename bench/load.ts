/**
 * Load on every path a reviewer's browser uses (issue 8): the production server (`next start` on the committed build)
 * against a fresh, migrated embedded PostgreSQL with 100,000 seeded lesions, driven over loopback by signed-in
 * clients, bounded in time (warm-up + measured seconds per scenario) and in count (at most --max-requests per
 * scenario). Writes bench/results/load.json: requests/s, p50/p95/p99 and errors per path and overall, per scenario.
 *
 *   nice npx tsx bench/load.ts                                        # full run: 100,000 lesions, 50 clients, both scenarios, 30 s each, both settings
 *   npx tsx bench/load.ts --lesions 2000 --clients 5 --seconds 5      # smoke run; prints, writes nothing
 *   npx tsx bench/load.ts --settings before --scenario saturation --cpu-prof tmp/prof  # V8 CPU profiles of the server
 *
 * Server settings, side by side in one run (`--settings both`, the default; or `before` / `after` alone):
 *   before  one `next start` process, images never kept by the browser (IMAGE_BROWSER_CACHE_SECONDS=0): as before
 *           issue 17, on today's code
 *   after   as `npm start` runs it: WEB_PROCESSES server processes (one per core) behind web-cluster.mjs, images kept
 *           by the signed-in browser for IMAGE_BROWSER_CACHE_SECONDS (1800 s) and then revalidated
 *
 * Each client is a reviewer looping over what the pages load (bench/load-support.ts has the two load models):
 *   queue path      review.counts, review.queue (page 1; kind tab cycles) and two cursor pages
 *   image path      after each queue page, the thumbnails of its 25 rows (6 at a time, as a browser's connections);
 *                   on opening a case, the full image (the stored original) and, for lesions with several images,
 *                   each one's thumbnail
 *   review path     opening one case of those pages: review.flag and review.neighbours together, as the page does
 *   dashboard path  outcomes.dashboard (all months, active model), once every --dashboard-every loops per client
 * The think-time pause comes before each action (open the queue, next page, next page, open a case, open the
 * dashboard). review.explanation is left out: see EXPLANATION_NOTE.
 *
 * Images: the seed's image rows have no files, so bench/load-image-seed.ts prepares the 70 real HAM10000 sample
 * photographs (../shared/data) into this run's image store and points every image of the lesions these reviewers can
 * reach at them.
 */
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { seedImageBlobs, type ImageSeed } from "./load-image-seed";
import {
  assertProductionBuild,
  createBenchUser,
  armHardStop,
  primaryScenario,
  SCENARIO_NOTE,
  describeLoadModel,
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
  withConcurrency,
  type BenchDatabase,
  type CookieJar,
  type LoadClient,
  type LoadModel,
  type RunningServer,
  type Sample,
} from "./load-support";
import { machineInfo, writeResults } from "./ml-bench-support";

const resultsFile = path.join(REPO_ROOT, "bench", "results", "load.json");
const PORT = 3301;
const DATABASE = "bench_load";
const KINDS = [undefined, "LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"] as const;
/** Image requests a browser has in flight to one host over HTTP/1.1. */
const BROWSER_CONNECTIONS = 6;
const QUEUE_PAGES_PER_LOOP = 3;
const PAGE_SIZE = 25;

const PATHS = {
  queue: ["review.counts", "review.queue", "review.queue (cursor)"],
  review: ["review.flag", "review.neighbours"],
  image: ["image thumbnail", "image original"],
  dashboard: ["outcomes.dashboard"],
} as const;
type PathName = keyof typeof PATHS;
const PATH_OF = new Map<string, PathName>(Object.entries(PATHS).flatMap(([name, labels]) => labels.map((label) => [label, name as PathName])));

const SETTINGS = {
  before: {
    description: "before issue 17: one `next start` process; images answered `private, no-store` (IMAGE_BROWSER_CACHE_SECONDS=0), so every queue page re-fetches its thumbnails",
    webProcesses: undefined,
    env: { IMAGE_BROWSER_CACHE_SECONDS: "0" },
  },
  after: {
    description: `as npm start runs it: ${os.availableParallelism()} web server processes (WEB_PROCESSES, one per core) behind server/runtime/web-cluster.mjs; images \`private, max-age=1800, immutable\` with an ETag, reused by each client's private cache and revalidated after it expires`,
    webProcesses: os.availableParallelism(),
    env: {},
  },
} as const;
type SettingsName = keyof typeof SETTINGS;

const EXPLANATION_NOTE =
  "review.explanation is not in the mix. One map is an occlusion-sensitivity computation: one forward pass of the flag's model per patch position (about 170-230), about 0.3 s of CPU with the 128-px demo model (estimated from bench/results/ml-speed-mobilenetv2.json: 74.9 images/s of 8 views each on the raw ONNX Runtime session, about 600 passes/s), tens of times a queue call; maps are computed one at a time per server process and cached per (model version, image). 50 reviewers opening a new case every few seconds would queue behind that one computation and measure the model, not the web paths. The seeded model versions also have no model files, so the route would only answer 'unavailable'. The review page loads the map lazily, after the case is shown.";

interface QueueItem {
  id: string;
  lesion: { images: { id: string }[] };
}
interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
}
interface FlagDetails {
  prediction: { imageId: string } | null;
  lesion: { images: { id: string }[] };
}

const thumbnailUrl = (imageId: string) => `/api/images/${encodeURIComponent(imageId)}?variant=thumbnail`;
const originalUrl = (imageId: string) => `/api/images/${encodeURIComponent(imageId)}`;

/** One reviewer, until the scenario ends: queue pages with their thumbnails, a case with its images, now and then the dashboard. */
function reviewer(dashboardEvery: number) {
  return async (client: LoadClient, clientIndex: number): Promise<void> => {
    const thumbnails = (items: readonly QueueItem[]) =>
      withConcurrency(
        items.flatMap((item) => item.lesion.images.map((image) => image.id)),
        BROWSER_CONNECTIONS,
        (imageId) => client.get("image thumbnail", thumbnailUrl(imageId), "image/jpeg"),
      );
    for (let loop = 0; ; loop++) {
      const kind = KINDS[(clientIndex + loop) % KINDS.length];
      const filter = kind ? { kind } : {};
      const seen: QueueItem[] = [];
      let page: QueuePage | null = null;
      for (let step = 0; step < QUEUE_PAGES_PER_LOOP && (step === 0 || page?.nextCursor); step++) {
        if (!(await client.pause())) return;
        if (step === 0) {
          await client.trpc("review.counts", "review.counts", undefined);
          page = await client.trpc<QueuePage>("review.queue", "review.queue", { ...filter, limit: PAGE_SIZE });
        } else {
          page = await client.trpc<QueuePage>("review.queue (cursor)", "review.queue", { ...filter, limit: PAGE_SIZE, cursor: page!.nextCursor });
        }
        seen.push(...(page?.items ?? []));
        if (page && client.running) await thumbnails(page.items);
      }

      const flagId = seen[(clientIndex * 7 + loop * 13) % Math.max(1, seen.length)]?.id;
      if (flagId) {
        if (!(await client.pause())) return;
        const [flag] = await Promise.all([
          client.trpc<FlagDetails>("review.flag", "review.flag", { flagId }),
          client.trpc("review.neighbours", "review.neighbours", { flagId }),
        ]);
        const images = flag?.lesion.images ?? [];
        const shown = flag?.prediction?.imageId ?? images[0]?.id;
        // The page shows one image full size and, when there are several, a strip of their thumbnails.
        const requests = [
          ...(shown ? [() => client.get("image original", originalUrl(shown), "image/png")] : []),
          ...(images.length > 1 ? images.map((image) => () => client.get("image thumbnail", thumbnailUrl(image.id), "image/jpeg")) : []),
        ];
        if (client.running) await withConcurrency(requests, BROWSER_CONNECTIONS, (request) => request());
      }

      if ((loop + clientIndex) % dashboardEvery === dashboardEvery - 1) {
        if (!(await client.pause())) return;
        await client.trpc("outcomes.dashboard", "outcomes.dashboard", {});
      }
    }
  };
}

function report(samples: readonly Sample[], seconds: number) {
  const overall = summarise(samples, seconds);
  const paths = summariseGroups(samples, Object.keys(PATHS), (sample) => PATH_OF.get(sample.label) ?? "other", seconds);
  const calls = summariseGroups(samples, Object.values(PATHS).flat(), (sample) => sample.label, seconds);
  return { overall, paths, calls };
}

async function runScenario(options: {
  model: LoadModel;
  jars: CookieJar[];
  server: RunningServer;
  database: BenchDatabase;
  seconds: number;
  warmupSeconds: number;
  maxRequests: number;
  dashboardEvery: number;
  log: (line: string) => void;
}) {
  const { model } = options;
  options.log(`${loadModelName(model)}: ${options.jars.length} clients, ${options.warmupSeconds} s warm-up, then ${options.seconds} s measured`);
  const run = await measureScenario({ ...options, databaseName: DATABASE, user: reviewer(options.dashboardEvery) });
  const { overall, paths, calls } = report(run.measured, run.measuredSeconds);
  const perSecond = (labels: readonly string[]) =>
    round1(run.measured.filter((sample) => sample.ok && labels.includes(sample.label)).length / run.measuredSeconds);
  return {
    scenario: loadModelName(model),
    load_model: describeLoadModel(model),
    clients: options.jars.length,
    requests_per_second: overall.requests_per_second,
    p50_ms: overall.p50_ms,
    p95_ms: overall.p95_ms,
    p99_ms: overall.p99_ms,
    errors: overall.errors,
    requests: overall.requests,
    max_ms: overall.max_ms,
    // What reviewers got done, whatever the number of requests it took: queue pages shown, cases opened.
    queue_pages_per_second: perSecond(["review.queue", "review.queue (cursor)"]),
    cases_opened_per_second: perSecond(["review.flag"]),
    browser_cache_hits: run.browserCacheHits,
    paths,
    calls,
    measured_seconds: round1(run.measuredSeconds),
    stopped_by_request_budget: run.measured.length + run.warmupRequests >= options.maxRequests,
    warmup_seconds: options.warmupSeconds,
    warmup_requests: run.warmupRequests,
    warmup_errors: run.warmupErrors,
    cpu_per_request: run.cpu,
    database_transactions_per_request: run.databaseTransactionsPerRequest,
    load_average_1m: run.loadAverage1m,
  };
}

type ScenarioResult = Awaited<ReturnType<typeof runScenario>>;

async function main(): Promise<void> {
  const { lesions, clients, seconds, warmupSeconds, models, full: fullSize, own, texts } = parseLoadOptions(
    process.argv.slice(2),
    { "max-requests": 200_000, "dashboard-every": 10 },
    ["settings", "cpu-prof"],
  );
  // A profiled server runs slower: its figures are for finding the cost, never written as results.
  const cpuProfileDir = texts["cpu-prof"];
  const settingsArg = texts.settings ?? "both";
  if (!["both", "before", "after"].includes(settingsArg)) throw new Error("--settings must be both, before or after");
  const settingsNames: SettingsName[] = settingsArg === "both" ? ["before", "after"] : [settingsArg as SettingsName];
  const full = fullSize && settingsNames.length === 2 && cpuProfileDir === undefined;
  const maxRequests = own["max-requests"];
  const dashboardEvery = own["dashboard-every"];
  assertProductionBuild();
  const log = (line: string) => console.log(`[load] ${line}`);
  const machine = machineInfo();
  const work = path.join(REPO_ROOT, ".data", "bench-load");
  const imageStoreDir = path.join(work, "images");

  let database: BenchDatabase | undefined;
  let server: RunningServer | undefined;
  const hardStop = armHardStop("load", settingsNames.length * models.length * (seconds + warmupSeconds) + 600, async () => {
    server?.process.kill("SIGKILL");
    await database?.handle.stop();
  });

  await rm(imageStoreDir, { recursive: true, force: true });
  try {
    let images: ImageSeed | undefined;
    database = await seedBenchDatabase({
      lesions,
      dataDir: path.join(work, "postgres"),
      database: DATABASE,
      extra: async (client) => {
        images = await seedImageBlobs(client, {
          storeDir: imageStoreDir,
          sourceDir: path.resolve(REPO_ROOT, process.env.SHARED_DATA_DIR ?? "../shared/data", "ham10000-sample", "images"),
          // Reviewers see up to 3 pages of 25 per tab; a margin for flags that change pages.
          flagsPerTab: QUEUE_PAGES_PER_LOOP * PAGE_SIZE + 25,
        });
      },
    });
    const user = await createBenchUser(database.url, { email: "load@dermflag.example", name: "Load Reviewer", role: "DERMATOLOGIST" });
    log(`seeded ${lesions} lesions, ${database.openFlags} open flags, ${images!.rows} image rows on ${images!.sources} real photographs, in ${database.seedSeconds.toFixed(1)} s`);

    const settingsResults: Partial<Record<SettingsName, Record<string, ScenarioResult>>> = {};
    for (const name of settingsNames) {
      const settings = SETTINGS[name];
      log(`settings "${name}": ${settings.description}`);
      server = await startProductionServer({
        port: PORT,
        webProcesses: settings.webProcesses,
        nodeArgs: cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${path.resolve(cpuProfileDir, name)}`],
        env: { DATABASE_URL: database.url, IMAGE_STORE: "local", IMAGE_STORE_DIR: imageStoreDir, ...settings.env },
      });
      log("server is up; signing in the clients");
      const jars: CookieJar[] = [];
      for (let index = 0; index < clients; index++) jars.push(await signIn(server.base, user.email, user.password));

      const scenarios: Record<string, ScenarioResult> = {};
      for (const model of models) {
        const result = await runScenario({ model, jars, server, database, seconds, warmupSeconds, maxRequests, dashboardEvery, log });
        scenarios[model.kind] = result;
        log(
          `${name} ${result.scenario}: ${result.requests} requests, ${result.requests_per_second} req/s, p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms, p99 ${result.p99_ms} ms, errors ${result.errors}; ${result.queue_pages_per_second} queue pages/s, ${result.browser_cache_hits} browser-cache hits`,
        );
        for (const [pathName, summary] of Object.entries(result.paths)) {
          log(`  ${pathName.padEnd(9)} ${summary.requests_per_second} req/s, p50 ${summary.p50_ms} ms, p95 ${summary.p95_ms} ms, p99 ${summary.p99_ms} ms, errors ${summary.errors}`);
        }
        if (result.errors > 0) log(`last server output:\n${server.log.slice(-20).join("\n")}`);
      }
      settingsResults[name] = scenarios;
      await server.stop();
      server = undefined;
    }
    const scenarios = settingsResults.after ?? settingsResults.before!;
    const primary = primaryScenario(scenarios);
    const comparison =
      settingsResults.before && settingsResults.after
        ? Object.fromEntries(
            models.map((model) => {
              const before = settingsResults.before![model.kind]!;
              const after = settingsResults.after![model.kind]!;
              const ratio = (a: number, b: number) => (b > 0 ? Number((a / b).toFixed(2)) : null);
              return [
                model.kind,
                {
                  requests_per_second: { before: before.requests_per_second, after: after.requests_per_second, ratio: ratio(after.requests_per_second, before.requests_per_second) },
                  queue_pages_per_second: { before: before.queue_pages_per_second, after: after.queue_pages_per_second, ratio: ratio(after.queue_pages_per_second, before.queue_pages_per_second) },
                  p95_ms: { before: before.p95_ms, after: after.p95_ms },
                  errors: { before: before.errors, after: after.errors },
                },
              ];
            }),
          )
        : null;
    const result = {
      benchmark: "queue, review, image and dashboard paths under concurrent signed-in clients (issue 8; side by side with the settings before issue 17)",
      settings_note:
        "Top-level figures and `scenarios` are the 'after' settings. `settings` holds both runs; `comparison` sets them side by side. Under browser caching fewer requests reach the server (a fresh copy is not asked for again), so requests/s alone under-states the change: queue_pages_per_second counts what reviewers got done.",
      scenario: primary.scenario,
      scenario_note: SCENARIO_NOTE,
      lesions,
      clients,
      requests_per_second: primary.requests_per_second,
      p50_ms: primary.p50_ms,
      p95_ms: primary.p95_ms,
      p99_ms: primary.p99_ms,
      errors: primary.errors,
      paths: primary.paths,
      scenarios,
      comparison,
      settings: Object.fromEntries(settingsNames.map((name) => [name, { description: SETTINGS[name].description, scenarios: settingsResults[name] }])),
      data: { ...database.seeded, open_flags: database.openFlags, open_flags_added: database.openFlagsAdded, seed_seconds: round1(database.seedSeconds), image_blobs: images },
      workload: {
        paths: Object.fromEntries(Object.entries(PATHS).map(([name, labels]) => [name, [...labels]])),
        loop: `per client: ${QUEUE_PAGES_PER_LOOP} queue pages of ${PAGE_SIZE} (review.counts with page 1; kind tab cycles per loop), each followed by its rows' thumbnails (${BROWSER_CONNECTIONS} in flight); one case of those pages: review.flag + review.neighbours in parallel, then the full image and, for several images, their thumbnails; outcomes.dashboard every ${dashboardEvery} loops. Think time (if any) before each action, none within one. One HTTP GET per call (no tRPC batching), each client with its own session cookie.`,
        explanation: EXPLANATION_NOTE,
        bounds: { measured_seconds_per_scenario: seconds, warmup_seconds: warmupSeconds, max_requests_per_scenario: maxRequests },
      },
      server: `next start (production build in .next; see settings for the processes), NODE_ENV=production, default Prisma pool (10) per process, local image store, embedded PostgreSQL 18 (vacuumed and analysed after seeding), load generator on the same machine over loopback`,
      machine: { ...machine, load_average_1m_at_end: round1(os.loadavg()[0] ?? 0), note: "cores shared with other work; clients, server and database all on these cores" },
      date: new Date().toISOString(),
      command: `${os.getPriority() > 0 ? "nice " : ""}npx tsx bench/load.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}`,
    };
    console.log(JSON.stringify(result, null, 2));
    if (full) log(`wrote ${path.relative(REPO_ROOT, writeResults(resultsFile, result))}`);
    else log("smaller than the full run (100,000 lesions, 50 clients, 30 s, both scenarios, both settings): results not written");
  } catch (error) {
    if (server?.log.length) console.error(`[load] last server output:\n${server.log.slice(-40).join("\n")}`);
    throw error;
  } finally {
    await server?.stop();
    await database?.handle.stop();
    await rm(work, { recursive: true, force: true });
    clearTimeout(hardStop);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
