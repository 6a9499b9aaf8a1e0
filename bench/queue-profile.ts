/**
 * One review procedure at a time against the 100,000-lesion seed of the load benchmarks (no server, no concurrency):
 * the database work of each call the queue page makes, to find which one grew (issue 17's load regression: every
 * call about 3x slower under load than in November's bench/results/queue-load.json). Mean of 20 calls after one
 * warm-up call.
 *
 *   npx tsx bench/queue-profile.ts     # writes bench/results/queue-profile.json
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { createBenchUser, REPO_ROOT, seedBenchDatabase } from "./load-support";
import { machineInfo, writeResults } from "./ml-bench-support";
import { createPrismaClient } from "../server/db/client";
import { countOpenFlagsByKind, listQueue, neighbouringFlags } from "../server/services/review/queue";
import { getFlagForReview } from "../server/services/review/flag-details";

const dataDir = path.join(REPO_ROOT, ".data", "bench_queue_profile");
const database = await seedBenchDatabase({ lesions: 100_000, dataDir, database: "bench_queue_profile" });
try {
  const user = await createBenchUser(database.url, { email: "p@x.example", name: "P", role: "DERMATOLOGIST" });
  const db = createPrismaClient(database.url, { max: 2 });
  const viewerId = (await db.user.findUniqueOrThrow({ where: { email: user.email } })).id;
  const meanMs: Record<string, number> = {};
  const time = async (name: string, f: () => Promise<unknown>) => {
    await f();
    const t = performance.now();
    for (let i = 0; i < 20; i++) await f();
    meanMs[name] = Number(((performance.now() - t) / 20).toFixed(2));
    console.log(name, meanMs[name], "ms");
  };
  const page = await listQueue({ db, filter: { limit: 25 }, viewerId });
  const flagId = page.items[3]!.id;
  // A cursor deep in the queue (after about 15,000 flags): a keyset page costs the same wherever it starts.
  const deep = await db.flag.findMany({ where: { status: "OPEN" }, orderBy: [{ biopsyPlanned: "desc" }, { pMalignant: { sort: "desc", nulls: "first" } }, { id: "desc" }], skip: 15_000, take: 1, select: { id: true } });
  await time("counts (viewer)", () => countOpenFlagsByKind({ db, viewerId }));
  await time("counts (no viewer)", () => countOpenFlagsByKind({ db, viewerId: null }));
  await time("queue p1 (viewer)", () => listQueue({ db, filter: { limit: 25 }, viewerId }));
  await time("queue p1 (no viewer)", () => listQueue({ db, filter: { limit: 25 }, viewerId: null }));
  await time("queue LIKELY_BENIGN", () => listQueue({ db, filter: { limit: 25, kind: "LIKELY_BENIGN" }, viewerId }));
  await time("queue cursor", () => listQueue({ db, filter: { limit: 25, cursor: page.nextCursor ?? undefined }, viewerId }));
  await time("queue cursor deep", () => listQueue({ db, filter: { limit: 25, cursor: deep[0]!.id }, viewerId }));
  await time("neighbours", () => neighbouringFlags({ db, flagId, viewerId }));
  await time("flag", () => getFlagForReview({ db, flagId }));
  await time("user lookup", () => db.user.findUnique({ where: { id: viewerId } }));
  await db.$disconnect();
  writeResults(path.join(REPO_ROOT, "bench/results/queue-profile.json"), {
    benchmark: "each review procedure's service call alone (Prisma, one connection in use, no HTTP), mean of 20 calls after one warm-up",
    lesions: 100_000,
    open_flags: database.openFlags,
    mean_ms: meanMs,
    machine: machineInfo(),
    date: new Date().toISOString(),
    command: "npx tsx bench/queue-profile.ts",
  });
} finally {
  await database.handle.stop();
  await rm(dataDir, { recursive: true, force: true });
}
