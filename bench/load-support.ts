/**
 * Shared by the HTTP load benchmarks (queue-load.ts, load.ts): a fresh, migrated embedded PostgreSQL seeded at clinic
 * scale, the production server (`next start` on the committed build) in front of it, signed-in clients over loopback,
 * the load model (saturation or think time), per-request samples and their summary, and where the CPU went.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { positiveInteger } from "@/ml/cli/cli-support";
import pg from "pg";
import { createRng, type Rng } from "@/ml/random";
import { createPrismaClient } from "@/server/db/client";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/server/db/embedded-postgres";
import type { Role } from "@/server/auth/roles";
import { createUser, createUserInput } from "@/server/services/users/users";
import { seedDashboardData, type SeedCounts } from "./dashboard-seed";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REQUEST_TIMEOUT_MS = 10_000;

export const round1 = (value: number) => Number(value.toFixed(1));

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export function migrationSql(): string[] {
  const dir = path.join(REPO_ROOT, "prisma", "migrations");
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

export function assertProductionBuild(): void {
  if (!existsSync(path.join(REPO_ROOT, ".next", "BUILD_ID"))) throw new Error("No production build in .next: run `npm run build` first.");
}

// Load model -----------------------------------------------------------------------------------------------------

/**
 * "saturation": every client sends its next request the moment the previous answer arrives (a closed loop with no
 * think time), so the server is always busy and latency ≈ clients / throughput: a capacity test, not a clinic.
 * "think-time": every client pauses a uniformly drawn time before each request, as a reviewer reads a case before the
 * next click: the load a clinic's reviewers would put on the server.
 */
export type LoadModel = { kind: "saturation" } | { kind: "think-time"; minMs: number; maxMs: number };

export const DEFAULT_THINK_MS = { minMs: 500, maxMs: 2000 } as const;

/** `--think 0` → saturation; `--think 500-2000` (ms) → think time; absent → `fallback`. */
export function parseLoadModel(value: string | undefined, fallback: LoadModel): LoadModel {
  if (value === undefined) return fallback;
  if (value === "0" || value === "none") return { kind: "saturation" };
  const match = /^(\d+)-(\d+)$/.exec(value);
  const minMs = Number(match?.[1]);
  const maxMs = Number(match?.[2]);
  if (!match || !(minMs > 0 && maxMs >= minMs)) throw new Error("--think must be 0 (saturation) or MIN-MAX in milliseconds, e.g. 500-2000");
  return { kind: "think-time", minMs, maxMs };
}

export function describeLoadModel(model: LoadModel): string {
  return model.kind === "saturation"
    ? "saturation: closed loop, no think time (each client sends its next request as soon as the last one is answered)"
    : `think time: each client pauses ${model.minMs}-${model.maxMs} ms (uniform) before each request, as a reviewer reads a case before the next click`;
}

export function loadModelName(model: LoadModel): string {
  return model.kind === "saturation" ? "saturation" : `think-time-${model.minMs}-${model.maxMs}ms`;
}

/** The pause before a client's next request (0 under saturation), drawn from the client's own seeded generator. */
export function thinkMs(model: LoadModel, random: Rng): number {
  return model.kind === "saturation" ? 0 : model.minMs + (model.maxMs - model.minMs) * random();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Samples --------------------------------------------------------------------------------------------------------

export interface Sample {
  /** What the request was for, e.g. "review.queue (cursor)". */
  label: string;
  startedAt: number;
  ms: number;
  ok: boolean;
}

export interface Summary {
  requests: number;
  errors: number;
  requests_per_second: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number | null;
}

export function summarise(samples: readonly Sample[], seconds: number): Summary {
  const times = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  return {
    requests: samples.length,
    errors: samples.filter((sample) => !sample.ok).length,
    requests_per_second: round1(samples.length / seconds),
    p50_ms: round1(quantile(times, 0.5)),
    p95_ms: round1(quantile(times, 0.95)),
    p99_ms: round1(quantile(times, 0.99)),
    max_ms: times.length ? round1(times.at(-1)!) : null,
  };
}

/** One summary per group, in the order of `groups`, each from the samples `groupOf` puts in it. */
export function summariseGroups(
  samples: readonly Sample[],
  groups: readonly string[],
  groupOf: (sample: Sample) => string,
  seconds: number,
): Record<string, Summary> {
  return Object.fromEntries(groups.map((group) => [group, summarise(samples.filter((sample) => groupOf(sample) === group), seconds)]));
}

// Database -------------------------------------------------------------------------------------------------------

/**
 * The dashboard seed leaves ~6% of lesions with an OPEN flag; a reviewer's queue at clinic scale is far longer. Adds an
 * OPEN flag to ~45% of the unflagged lesions (deterministic by id hash), its kind, urgency and score taken from the
 * lesion's assessment and highest active-model score the way the flag policy would see them.
 */
export async function addOpenFlags(client: pg.Client): Promise<number> {
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

export interface BenchDatabase {
  handle: EmbeddedPostgresHandle;
  url: string;
  dataDir: string;
  seeded: SeedCounts;
  openFlags: number;
  openFlagsAdded: number;
  seedSeconds: number;
}

/**
 * A fresh embedded PostgreSQL under `dataDir` (removed when stopped), migrated, seeded with `lesions` lesions and the
 * extra open flags. `extra` runs on the same connection afterwards (e.g. to point image rows at real blobs).
 */
export async function seedBenchDatabase(options: {
  lesions: number;
  dataDir: string;
  database: string;
  extra?: (client: pg.Client) => Promise<void>;
}): Promise<BenchDatabase> {
  const started = performance.now();
  const handle = await startEmbeddedPostgres({ dataDir: options.dataDir, persistent: false });
  try {
    await handle.createDatabase(options.database);
    const url = handle.urlFor(options.database);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const sql of migrationSql()) await client.query(sql);
      const seeded = await seedDashboardData(client, { lesions: options.lesions });
      const openFlagsAdded = await addOpenFlags(client);
      await options.extra?.(client);
      // A settled database, as autovacuum leaves one after bulk inserts (PostgreSQL 13+ vacuums insert-only tables
      // too): all-visible pages let counts use index-only scans, and no autovacuum worker runs during the measurement.
      await client.query("VACUUM (ANALYZE)");
      const openFlags = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Flag" WHERE status = 'OPEN'`)).rows[0]?.n ?? 0);
      return { handle, url, dataDir: options.dataDir, seeded, openFlags, openFlagsAdded, seedSeconds: (performance.now() - started) / 1000 };
    } finally {
      await client.end();
    }
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

/** A user with a random password, created through the app's own service (argon2 hash, audit entry). */
export async function createBenchUser(url: string, options: { email: string; name: string; role: Role }): Promise<{ email: string; password: string }> {
  const password = randomBytes(18).toString("base64url");
  const db = createPrismaClient(url, { max: 2 });
  try {
    await createUser({ db, actorId: null, input: createUserInput.parse({ email: options.email, password, name: options.name, role: options.role }) });
  } finally {
    await db.$disconnect();
  }
  return { email: options.email, password };
}

/** Transactions committed in `database` so far (each autocommit statement is one): statements per request, roughly. */
export async function committedTransactions(url: string, database: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Statistics are flushed by each backend at most once a second; ask for a fresh snapshot.
    await client.query("SELECT pg_stat_force_next_flush()");
    const result = await client.query<{ n: string }>("SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1", [database]);
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

// Server ---------------------------------------------------------------------------------------------------------

export interface RunningServer {
  process: ChildProcess;
  base: string;
  /** The last 200 lines the server printed. */
  log: string[];
  stop(): Promise<void>;
}

async function waitForServer(server: ChildProcess, base: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with code ${server.exitCode}`);
    try {
      const response = await fetch(`${base}/login`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`the server did not answer /login within ${timeoutMs / 1000} s`);
}

/**
 * `next start` on the production build in .next, on loopback, with `env` added to this process's environment: one
 * process, or with `webProcesses` that many behind one port as the launcher runs them
 * (server/runtime/web-cluster.mjs). The CPU figures count the whole process tree either way. `nodeArgs` go to the
 * server's node (e.g. --cpu-prof, which NODE_OPTIONS may not carry).
 */
export async function startProductionServer(options: {
  port: number;
  env: Record<string, string>;
  nodeArgs?: string[];
  webProcesses?: number;
}): Promise<RunningServer> {
  const base = `http://127.0.0.1:${options.port}`;
  const log: string[] = [];
  const next = [path.join(REPO_ROOT, "node_modules/next/dist/bin/next"), "start", "--port", String(options.port), "--hostname", "127.0.0.1"];
  const cluster = options.webProcesses === undefined ? [] : [path.join(REPO_ROOT, "server/runtime/web-cluster.mjs"), String(options.webProcesses)];
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...cluster, ...next],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, AUTH_SECRET: randomBytes(36).toString("base64url"), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      log.push(...chunk.toString().split("\n").filter(Boolean));
      if (log.length > 200) log.splice(0, log.length - 200);
    });
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killTimer);
  };
  try {
    await waitForServer(child, base, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${log.slice(-40).join("\n")}`);
  }
  return { process: child, base, log, stop };
}

// Clients --------------------------------------------------------------------------------------------------------

/** Cookie jar of one client: name=value pairs from Set-Cookie, sent back on every request. */
export class CookieJar {
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

/** Signs in through Auth.js's credentials callback, as the login form does. */
export async function signIn(base: string, email: string, password: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const csrfResponse = await fetch(`${base}/api/auth/csrf`);
  jar.take(csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
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

/** Shared by the clients of one scenario: their samples, and when they stop (a time and a request count). */
export interface ScenarioRun {
  samples: Sample[];
  stopAt: number;
  maxRequests: number;
  /** GETs a browser would not have sent: its private cache still held a fresh copy (see LoadClient.get). */
  browserCacheHits: { startedAt: number; label: string }[];
}

/** How long a response may be reused, from its Cache-Control (0 for no-store, no-cache or no max-age). */
export function freshSeconds(cacheControl: string | null): number {
  const directives = (cacheControl ?? "").toLowerCase().split(",").map((directive) => directive.trim());
  if (directives.includes("no-store") || directives.includes("no-cache")) return 0;
  const maxAge = directives.find((directive) => directive.startsWith("max-age="));
  const seconds = Number(maxAge?.slice("max-age=".length));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/**
 * One simulated user: a session cookie, its own seeded generator, the load model's pause before every action, and a
 * sample per request. A request is an error on a non-2xx status, a network error or timeout, or a body that is not
 * what the caller expects (a tRPC result, or a non-empty body of the expected content type).
 *
 * Plain GETs (images) go through a private cache as a browser's does: a response whose Cache-Control allows reuse is
 * kept for its max-age and not asked for again meanwhile (counted in `browserCacheHits`, not as a request); after
 * that it is revalidated with If-None-Match, and a 304 counts as a good answer. A `no-store` server gets every
 * request, as before. tRPC answers are never reused (they are no-store).
 */
export class LoadClient {
  readonly random: Rng;
  private readonly cookie: string;
  private readonly cache = new Map<string, { etag: string | null; freshUntil: number }>();

  constructor(
    private readonly base: string,
    jar: CookieJar,
    private readonly model: LoadModel,
    seed: number,
    private readonly run: ScenarioRun,
  ) {
    this.random = createRng(seed);
    this.cookie = jar.header();
  }

  /** Until the scenario's time is up or its request budget spent. */
  get running(): boolean {
    return performance.now() < this.run.stopAt && this.run.samples.length < this.run.maxRequests;
  }

  /** The think time before an action (none under saturation); false when the scenario has ended meanwhile. */
  async pause(): Promise<boolean> {
    const ms = thinkMs(this.model, this.random);
    if (ms > 0) await sleep(Math.min(ms, Math.max(0, this.run.stopAt - performance.now())));
    return this.running;
  }

  /** A tRPC query over HTTP GET (superjson input), as the browser's client sends it without batching. */
  async trpc<T>(label: string, procedure: string, input: unknown): Promise<T | null> {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    let data: T | null = null;
    await this.timed(label, `${this.base}/api/trpc/${procedure}${query}`, async (response) => {
      const body = (await response.json()) as { result?: { data?: { json?: T } } };
      data = body.result?.data?.json ?? null;
      return data !== null;
    });
    return data;
  }

  /** A plain GET whose answer must be `contentType` with a non-empty body (or a 304 for a copy this client holds). */
  async get(label: string, url: string, contentType: string): Promise<boolean> {
    const cached = this.cache.get(url);
    const now = performance.now();
    if (cached && now < cached.freshUntil) {
      this.run.browserCacheHits.push({ startedAt: now, label });
      return true;
    }
    const headers: Record<string, string> = cached?.etag ? { "if-none-match": cached.etag } : {};
    return this.timed(
      label,
      `${this.base}${url}`,
      async (response) => {
        const fresh = freshSeconds(response.headers.get("cache-control"));
        if (response.status === 304) {
          await response.arrayBuffer();
          if (!cached) return false;
          cached.freshUntil = performance.now() + fresh * 1000;
          return true;
        }
        const bytes = (await response.arrayBuffer()).byteLength;
        const ok = bytes > 0 && response.ok && response.headers.get("content-type") === contentType;
        if (ok && fresh > 0) this.cache.set(url, { etag: response.headers.get("etag"), freshUntil: performance.now() + fresh * 1000 });
        else this.cache.delete(url);
        return ok;
      },
      headers,
    );
  }

  private async timed(
    label: string,
    url: string,
    check: (response: Response) => Promise<boolean>,
    headers: Record<string, string> = {},
  ): Promise<boolean> {
    const startedAt = performance.now();
    let ok = false;
    try {
      const response = await fetch(url, { headers: { ...headers, cookie: this.cookie }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      ok = (await check(response)) && (response.ok || response.status === 304);
    } catch {
      ok = false;
    }
    this.run.samples.push({ label, startedAt, ms: performance.now() - startedAt, ok });
    return ok;
  }
}

/** Runs `tasks` with at most `limit` in flight, as a browser fetches a page's images over its few connections. */
export async function withConcurrency<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// One scenario ----------------------------------------------------------------------------------------------------

export interface ScenarioMeasurement {
  measured: Sample[];
  /** Measured-period GETs answered by the client's own cache (no request sent). */
  browserCacheHits: number;
  warmupRequests: number;
  warmupErrors: number;
  measuredSeconds: number;
  cpu: ReturnType<typeof cpuPerRequest> | null;
  databaseTransactionsPerRequest: number | null;
  loadAverage1m: { at_start: number; at_end: number };
}

/**
 * Every client runs `user` from the same moment; requests that start in the first `warmupSeconds` are not counted.
 * CPU and database counters are read when the measured part begins and when the last client has finished.
 */
export async function measureScenario(options: {
  model: LoadModel;
  jars: readonly CookieJar[];
  server: RunningServer;
  database: BenchDatabase;
  databaseName: string;
  seconds: number;
  warmupSeconds: number;
  maxRequests: number;
  user: (client: LoadClient, index: number) => Promise<void>;
}): Promise<ScenarioMeasurement> {
  const loadAtStart = os.loadavg()[0] ?? 0;
  const started = performance.now();
  const measureFrom = started + options.warmupSeconds * 1000;
  const run: ScenarioRun = { samples: [], stopAt: measureFrom + options.seconds * 1000, maxRequests: options.maxRequests, browserCacheHits: [] };
  let cpuBefore: CpuSnapshot | undefined;
  let transactionsBefore: Promise<number> | undefined;
  const snapshotTimer = setTimeout(() => {
    cpuBefore = cpuSnapshot(options.server.process.pid!, options.database.dataDir);
    transactionsBefore = committedTransactions(options.database.url, options.databaseName);
  }, measureFrom - started);
  await Promise.all(
    options.jars.map((jar, index) => options.user(new LoadClient(options.server.base, jar, options.model, 1000 + index, run), index)),
  );
  clearTimeout(snapshotTimer);
  const finished = performance.now();
  const cpuAfter = cpuSnapshot(options.server.process.pid!, options.database.dataDir);
  const transactionsAfter = await committedTransactions(options.database.url, options.databaseName);

  const measured = run.samples.filter((sample) => sample.startedAt >= measureFrom);
  const warmup = run.samples.filter((sample) => sample.startedAt < measureFrom);
  const measuredSeconds = Math.max(0.001, (finished - measureFrom) / 1000);
  return {
    measured,
    browserCacheHits: run.browserCacheHits.filter((hit) => hit.startedAt >= measureFrom).length,
    warmupRequests: warmup.length,
    warmupErrors: warmup.filter((sample) => !sample.ok).length,
    measuredSeconds,
    cpu: cpuBefore ? cpuPerRequest(cpuBefore, cpuAfter, measured.length, measuredSeconds) : null,
    databaseTransactionsPerRequest:
      transactionsBefore && measured.length ? round1((transactionsAfter - (await transactionsBefore)) / measured.length) : null,
    loadAverage1m: { at_start: round1(loadAtStart), at_end: round1(os.loadavg()[0] ?? 0) },
  };
}

// Where the CPU went ---------------------------------------------------------------------------------------------

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds of the process trees rooted at `roots` (Linux /proc; 0 elsewhere): utime + stime of every live process,
 * plus cutime + cstime, the time of its children that have exited and been waited for (a PostgreSQL backend that
 * closes, a worker that ends), so that the figure never drops when a process exits.
 */
export function processTreeCpuSeconds(roots: readonly number[]): number {
  if (!existsSync("/proc/self/stat")) return 0;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the parenthesised command name (which may contain spaces): state(3) ppid(4) ... utime(14)
      // stime(15) cutime(16) cstime(17), numbered as in proc(5).
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
      stats.set(Number(name), { ppid: Number(fields[1]), ticks });
    } catch {
      // The process exited while we looked.
    }
  }
  const inTree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (!inTree.has(pid) && inTree.has(stat.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of inTree) ticks += stats.get(pid)?.ticks ?? 0;
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** The postmaster's process id, from postmaster.pid in the cluster's data directory. */
export function postmasterPid(dataDir: string): number {
  const first = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n", 1)[0];
  const pid = Number(first);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster pid in ${dataDir}`);
  return pid;
}

export interface CpuSnapshot {
  server: number;
  database: number;
  loadGenerator: number;
  machine: number;
}

/** CPU seconds used so far by the server's process tree, the database's, this process, and the whole machine. */
export function cpuSnapshot(serverPid: number, databaseDataDir: string): CpuSnapshot {
  const usage = process.cpuUsage();
  const machine = os.cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq, 0) / 1000;
  return {
    server: processTreeCpuSeconds([serverPid]),
    database: processTreeCpuSeconds([postmasterPid(databaseDataDir)]),
    loadGenerator: (usage.user + usage.system) / 1e6,
    machine,
  };
}

/** CPU milliseconds per measured request, by process, between two snapshots; "other" is everything else on the machine. */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number, seconds: number) {
  const used = {
    server: after.server - before.server,
    database: after.database - before.database,
    load_generator: after.loadGenerator - before.loadGenerator,
    machine: after.machine - before.machine,
  };
  const perRequest = (cpuSeconds: number) => (requests > 0 ? round1((cpuSeconds * 1000) / requests) : null);
  const other = Math.max(0, used.machine - used.server - used.database - used.load_generator);
  return {
    note: "CPU time per measured request (ms), from /proc: the server's process tree (next start), PostgreSQL's (postmaster and backends), this load generator, and other work on the machine in the same interval",
    server_ms: perRequest(used.server),
    database_ms: perRequest(used.database),
    load_generator_ms: perRequest(used.load_generator),
    other_processes_ms: perRequest(other),
    cores_busy: round1(used.machine / seconds),
  };
}

const positiveInt = (value: string | undefined, fallback: number, name: string) => positiveInteger(name, value) ?? fallback;

/** Options every load benchmark takes, plus the benchmark's own positive-integer options with their defaults. */
export function parseLoadOptions<Extra extends string, Text extends string = never>(
  argv: readonly string[],
  extra: Record<Extra, number>,
  textOptions: readonly Text[] = [],
) {
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      ["lesions", "clients", "seconds", "warmup", "scenario", "think", ...Object.keys(extra), ...textOptions].map((name) => [name, { type: "string" as const }]),
    ),
  });
  const text = values as Record<string, string | undefined>;
  const lesions = positiveInt(text.lesions, 100_000, "lesions");
  const clients = positiveInt(text.clients, 50, "clients");
  const seconds = positiveInt(text.seconds, 30, "seconds");
  const warmupSeconds = positiveInt(text.warmup, 5, "warmup");
  const scenarioArg = text.scenario ?? "both";
  if (!["both", "saturation", "think-time"].includes(scenarioArg)) throw new Error("--scenario must be both, saturation or think-time");
  const thinkModel = parseLoadModel(text.think, { kind: "think-time", ...DEFAULT_THINK_MS });
  if (thinkModel.kind !== "think-time") throw new Error("--think gives the think-time scenario's range: MIN-MAX in ms");
  const models: LoadModel[] = [
    ...(scenarioArg === "think-time" ? [] : [{ kind: "saturation" } as const]),
    ...(scenarioArg === "saturation" ? [] : [thinkModel]),
  ];
  const own = Object.fromEntries(Object.entries<number>(extra).map(([name, fallback]) => [name, positiveInt(text[name], fallback, name)])) as Record<Extra, number>;
  // A run writes the committed results file only at full size, with both scenarios.
  const full = lesions >= 100_000 && clients >= 50 && seconds >= 30 && models.length === 2;
  const texts = Object.fromEntries(textOptions.map((name) => [name, text[name]])) as Record<Text, string | undefined>;
  return { lesions, clients, seconds, warmupSeconds, models, full, own, texts };
}

/** Ends the process whatever hangs: a benchmark must finish by itself. Returns the timer, to clear on success. */
export function armHardStop(name: string, limitSeconds: number, stop: () => Promise<unknown>): NodeJS.Timeout {
  const timer = setTimeout(() => {
    console.error(`[${name}] hard time limit reached: stopping`);
    void stop().finally(() => process.exit(2));
  }, limitSeconds * 1000);
  timer.unref();
  return timer;
}

/** What the top-level figures of a load report describe, written into every report. */
export const SCENARIO_NOTE =
  "Top-level numbers are this scenario's. `scenarios` holds every scenario run: 'saturation' (no think time: a capacity test; latency ≈ clients / throughput on 2 shared cores) and 'think-time' (each reviewer pauses before each action, as when reading a case). Both are valid measurements of different things.";

/** The scenario a report's top-level figures come from: reviewers who pause, when it was run. */
export function primaryScenario<Result>(scenarios: Record<string, Result>): Result {
  const primary = scenarios["think-time"] ?? scenarios.saturation;
  if (primary === undefined) throw new Error("no scenario was run");
  return primary;
}
