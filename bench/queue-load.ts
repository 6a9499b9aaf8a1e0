/**
 * Reviewer queue under load (issue 5): the production server (`next start` on the committed build) against a fresh,
 * migrated embedded PostgreSQL holding 100,000 seeded lesions, driven over loopback by concurrent signed-in clients
 * that each loop like a reviewer: queue counts, the first queue page (all kinds or one kind), two following pages by
 * cursor, then one flag from those pages and its queue neighbours. Writes bench/results/queue-load.json.
 *
 *   nice npx tsx bench/queue-load.ts                                   # full run: 100,000 lesions, 50 clients, 30 s
 *   npx tsx bench/queue-load.ts --lesions 2000 --clients 5 --seconds 5 # smoke run; prints, writes nothing
 *
 * Data: bench/dashboard-seed.ts (patients, lesions, images, predictions by an active and a retired model, assessments,
 * outcomes, flags in every status, reviews), plus OPEN flags for about 45% of the lesions it left unflagged, derived
 * from each lesion's own assessment and active-model score, so that the queue holds tens of thousands of open flags.
 * Requests issued during the warm-up are not counted; a request counts as an error on a non-2xx status, a network
 * error or timeout, or a body that is not a tRPC result.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { createPrismaClient } from "@/server/db/client";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/server/db/embedded-postgres";
import { createUser, createUserInput } from "@/server/services/users/users";
import { seedDashboardData } from "./dashboard-seed";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const resultsFile = path.join(repoRoot, "bench", "results", "queue-load.json");
const PORT = 3300;
const BASE = `http://127.0.0.1:${PORT}`;
const DATABASE = "bench_queue_load";
const REQUEST_TIMEOUT_MS = 10_000;
const KINDS = [undefined, "LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"] as const;
const PROCEDURES = ["review.counts", "review.queue", "review.queue (cursor)", "review.flag", "review.neighbours"] as const;
type Procedure = (typeof PROCEDURES)[number];

interface Sample {
  procedure: Procedure;
  startedAt: number;
  ms: number;
  ok: boolean;
}

function migrationSql(): string[] {
  const dir = path.join(repoRoot, "prisma", "migrations");
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

const round = (value: number) => Number(value.toFixed(1));

/**
 * The dashboard seed leaves ~6% of lesions with an OPEN flag; a reviewer's queue at clinic scale is far longer. Adds an
 * OPEN flag to ~45% of the unflagged lesions (deterministic by id hash), its kind, urgency and score taken from the
 * lesion's assessment and highest active-model score the way the flag policy would see them.
 */
async function addOpenFlags(client: pg.Client): Promise<number> {
  const result = await client.query(`
    INSERT INTO "Flag" (id, "lesionId", kind, status, reason, "biopsyPlanned", "pMalignant", threshold, "modelVersionId",
                        "predictionId", "assessmentId", "createdAt", "updatedAt")
    SELECT 'q' || l.id, l.id,
           (CASE WHEN s.p < 0.3 THEN 'LIKELY_BENIGN' WHEN a.plan = 'BIOPSY' THEN 'REVIEW_REQUIRED'
                 ELSE 'POSSIBLE_MISSED_MALIGNANCY' END)::"FlagKind",
           'OPEN'::"FlagStatus", 'bench: queue load', a.plan = 'BIOPSY', s.p, 0.3, 'bench-active', s.prediction_id, a.id,
           now() - (abs(hashtext(l.id)) % 60) * interval '1 day', now()
    FROM "Lesion" l
    JOIN "ClinicalAssessment" a ON a."lesionId" = l.id
    JOIN LATERAL (
      SELECT p.id AS prediction_id, p."pMalignant" AS p FROM "Prediction" p JOIN "LesionImage" i ON i.id = p."imageId"
      WHERE i."lesionId" = l.id AND p."modelVersionId" = 'bench-active' ORDER BY p."pMalignant" DESC LIMIT 1
    ) s ON true
    WHERE NOT EXISTS (SELECT 1 FROM "Flag" f WHERE f."lesionId" = l.id) AND abs(hashtext(l.id)) % 100 < 45`);
  await client.query('ANALYZE "Flag"');
  return result.rowCount ?? 0;
}

/** Cookie jar of one client: name=value pairs from Set-Cookie, sent back on every request. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";", 1)[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
  }
  has(name: string): boolean {
    return this.cookies.has(name);
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

async function signIn(email: string, password: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const csrfResponse = await fetch(`${BASE}/api/auth/csrf`);
  jar.take(csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const response = await fetch(`${BASE}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: "/queue" }),
  });
  jar.take(response);
  await response.arrayBuffer();
  const location = response.headers.get("location") ?? "";
  if (response.status !== 302 || location.includes("error") || !jar.has("authjs.session-token")) {
    throw new Error(`sign-in failed: HTTP ${response.status}, location ${location}`);
  }
  return jar;
}

async function waitForServer(server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with code ${server.exitCode}`);
    try {
      const response = await fetch(`${BASE}/login`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not answer /login within ${timeoutMs / 1000} s`);
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  const killTimer = setTimeout(() => server.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killTimer);
}

interface QueueItem {
  id: string;
}
interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
}

/** One reviewer: loops over counts, queue pages and one flag's details until `stopAt`. */
async function runClient(jar: CookieJar, clientIndex: number, stopAt: number, samples: Sample[]): Promise<void> {
  const cookie = jar.header();
  const call = async <T>(procedure: Procedure, name: string, input: unknown): Promise<T | null> => {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    const startedAt = performance.now();
    let ok = false;
    let data: T | null = null;
    try {
      const response = await fetch(`${BASE}/api/trpc/${name}${query}`, {
        headers: { cookie },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = (await response.json()) as { result?: { data?: { json?: T } } };
      data = body.result?.data?.json ?? null;
      ok = response.ok && data !== null;
    } catch {
      ok = false;
    }
    samples.push({ procedure, startedAt, ms: performance.now() - startedAt, ok });
    return ok ? data : null;
  };

  for (let iteration = 0; performance.now() < stopAt; iteration++) {
    const kind = KINDS[(clientIndex + iteration) % KINDS.length];
    await call("review.counts", "review.counts", undefined);
    if (performance.now() >= stopAt) break;
    const seen: string[] = [];
    let page = await call<QueuePage>("review.queue", "review.queue", kind ? { kind } : {});
    seen.push(...(page?.items.map((item) => item.id) ?? []));
    for (let step = 0; step < 2 && page?.nextCursor && performance.now() < stopAt; step++) {
      page = await call<QueuePage>("review.queue (cursor)", "review.queue", { ...(kind ? { kind } : {}), cursor: page.nextCursor });
      seen.push(...(page?.items.map((item) => item.id) ?? []));
    }
    const flagId = seen[(clientIndex * 7 + iteration * 13) % Math.max(1, seen.length)];
    if (!flagId || performance.now() >= stopAt) continue;
    await call("review.flag", "review.flag", { flagId });
    if (performance.now() >= stopAt) break;
    await call("review.neighbours", "review.neighbours", { flagId });
  }
}

function summarise(samples: readonly Sample[]) {
  const times = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  return {
    requests: samples.length,
    errors: samples.filter((sample) => !sample.ok).length,
    p50_ms: round(quantile(times, 0.5)),
    p95_ms: round(quantile(times, 0.95)),
    p99_ms: round(quantile(times, 0.99)),
    max_ms: times.length ? round(times.at(-1)!) : null,
  };
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  const parsed = value === undefined ? fallback : Number(value);
  if (!(Number.isInteger(parsed) && parsed > 0)) throw new Error(`--${name} must be a positive whole number`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { lesions: { type: "string" }, clients: { type: "string" }, seconds: { type: "string" }, warmup: { type: "string" } },
  });
  const lesions = positiveInt(values.lesions, 100_000, "lesions");
  const clients = positiveInt(values.clients, 50, "clients");
  const seconds = positiveInt(values.seconds, 30, "seconds");
  const warmupSeconds = positiveInt(values.warmup, 5, "warmup");
  const full = lesions >= 100_000 && clients >= 50 && seconds >= 30;
  if (!existsSync(path.join(repoRoot, ".next", "BUILD_ID"))) {
    throw new Error("No production build in .next: run `npm run build` first.");
  }
  const log = (line: string) => console.log(`[queue-load] ${line}`);
  const loadAtStart = os.loadavg()[0] ?? 0;

  let database: EmbeddedPostgresHandle | undefined;
  let server: ChildProcess | undefined;
  const serverLog: string[] = [];
  // A hard stop, whatever hangs: the benchmark must end by itself.
  const hardStop = setTimeout(() => {
    console.error("[queue-load] hard time limit reached: stopping");
    server?.kill("SIGKILL");
    void (database?.stop() ?? Promise.resolve()).finally(() => process.exit(2));
  }, (seconds + warmupSeconds + 600) * 1000);
  hardStop.unref();

  try {
    const setupStarted = performance.now();
    database = await startEmbeddedPostgres({ dataDir: path.join(repoRoot, ".data", "bench-queue-load"), persistent: false });
    await database.createDatabase(DATABASE);
    const url = database.urlFor(DATABASE);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let seeded: Awaited<ReturnType<typeof seedDashboardData>>;
    let extraOpen: number;
    let openFlags: number;
    try {
      for (const sql of migrationSql()) await client.query(sql);
      seeded = await seedDashboardData(client, { lesions });
      extraOpen = await addOpenFlags(client);
      openFlags = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Flag" WHERE status = 'OPEN'`)).rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
    const email = "queue-load@dermflag.example";
    const password = randomBytes(18).toString("base64url");
    const db = createPrismaClient(url, { max: 2 });
    try {
      await createUser({
        db,
        actorId: null,
        input: createUserInput.parse({ email, password, name: "Queue Load Reviewer", role: "DERMATOLOGIST" }),
      });
    } finally {
      await db.$disconnect();
    }
    const seedSeconds = (performance.now() - setupStarted) / 1000;
    log(`seeded ${lesions} lesions, ${openFlags} open flags (${extraOpen} added to the dashboard seed) in ${seedSeconds.toFixed(1)} s`);

    server = spawn(process.execPath, [path.join(repoRoot, "node_modules/next/dist/bin/next"), "start", "--port", String(PORT), "--hostname", "127.0.0.1"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: url, AUTH_SECRET: randomBytes(36).toString("base64url"), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [server.stdout, server.stderr]) {
      stream?.on("data", (chunk: Buffer) => {
        serverLog.push(...chunk.toString().split("\n").filter(Boolean));
        if (serverLog.length > 200) serverLog.splice(0, serverLog.length - 200);
      });
    }
    await waitForServer(server, 60_000);
    log("server is up; signing in the clients");

    const jars: CookieJar[] = [];
    for (let index = 0; index < clients; index++) jars.push(await signIn(email, password));

    const samples: Sample[] = [];
    const started = performance.now();
    const measureFrom = started + warmupSeconds * 1000;
    const stopAt = measureFrom + seconds * 1000;
    log(`${clients} clients: ${warmupSeconds} s warm-up, then ${seconds} s measured`);
    await Promise.all(jars.map((jar, index) => runClient(jar, index, stopAt, samples)));
    const finished = performance.now();

    const measured = samples.filter((sample) => sample.startedAt >= measureFrom);
    const measuredSeconds = (finished - measureFrom) / 1000;
    const overall = summarise(measured);
    const perProcedure = Object.fromEntries(
      PROCEDURES.map((procedure) => {
        const own = measured.filter((sample) => sample.procedure === procedure);
        return [procedure, { ...summarise(own), requests_per_second: round(own.length / measuredSeconds) }];
      }),
    );
    const cpus = os.cpus();
    const result = {
      benchmark: "review queue tRPC calls under concurrent clients (issue 5)",
      lesions,
      clients,
      requests_per_second: round(overall.requests / measuredSeconds),
      p50_ms: overall.p50_ms,
      p95_ms: overall.p95_ms,
      errors: overall.errors,
      target: { p95_ms: 150, errors: 0 },
      meets_target: overall.p95_ms <= 150 && overall.errors === 0,
      p99_ms: overall.p99_ms,
      max_ms: overall.max_ms,
      requests: overall.requests,
      measured_seconds: round(measuredSeconds),
      warmup_seconds: warmupSeconds,
      warmup_requests: samples.length - measured.length,
      warmup_errors: samples.filter((sample) => sample.startedAt < measureFrom && !sample.ok).length,
      per_procedure: perProcedure,
      data: { ...seeded, open_flags: openFlags, open_flags_added: extraOpen, seed_seconds: round(seedSeconds) },
      workload:
        "per client loop: review.counts; review.queue page 1 (kind cycles: all, LIKELY_BENIGN, POSSIBLE_MISSED_MALIGNANCY, REVIEW_REQUIRED; limit 25); 2 cursor pages; review.flag and review.neighbours for one flag of those pages. One HTTP GET per call (no batching), each client with its own session cookie.",
      server: "next start (production build in .next), NODE_ENV=production, default Prisma pool (10), embedded PostgreSQL 18 on the same machine, clients in the same machine over loopback",
      machine: {
        cpu: cpus[0]?.model ?? "unknown",
        cores: cpus.length,
        memory_gib: round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        load_average_1m_at_start: round(loadAtStart),
        load_average_1m_at_end: round(os.loadavg()[0] ?? 0),
        note: "cores shared with other work; clients, server and database all on these cores",
      },
      date: new Date().toISOString(),
      command: `npx tsx bench/queue-load.ts${values.lesions ? ` --lesions ${lesions}` : ""}${values.clients ? ` --clients ${clients}` : ""}${values.seconds ? ` --seconds ${seconds}` : ""}${values.warmup ? ` --warmup ${warmupSeconds}` : ""}`,
    };
    console.log(JSON.stringify(result, null, 2));
    if (full) {
      mkdirSync(path.dirname(resultsFile), { recursive: true });
      writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`);
      log(`wrote ${path.relative(repoRoot, resultsFile)}`);
    } else {
      log("smaller than the full run (100,000 lesions, 50 clients, 30 s): results not written");
    }
    log(`${overall.requests} requests, ${result.requests_per_second} req/s, p50 ${overall.p50_ms} ms, p95 ${overall.p95_ms} ms, errors ${overall.errors}`);
    if (overall.errors > 0) log(`last server output:\n${serverLog.slice(-20).join("\n")}`);
  } catch (error) {
    if (serverLog.length) console.error(`[queue-load] last server output:\n${serverLog.slice(-40).join("\n")}`);
    throw error;
  } finally {
    if (server) await stopServer(server);
    await database?.stop();
    clearTimeout(hardStop);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
