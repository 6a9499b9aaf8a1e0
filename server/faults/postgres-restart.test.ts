/**
 * PostgreSQL restarted during traffic. Reviewers keep reading the queue and deciding flags (through the tRPC caller,
 * as the app does) while the database is stopped and started twice. Calls during the outage fail with an error
 * within a bound (no hang, no crash, no unhandled rejection); calls after the restart succeed on the same Prisma
 * client; every decision reported as saved is in the database, and a decision whose call failed is either absent or
 * complete (its review, the flag's DECIDED status and its audit entry together), never half-written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../auth/session";
import { createPrismaClient, type Db } from "../db/client";
import { recordAssessment } from "../services/clinical/lesions";
import { createModelRowWithoutFiles } from "../testing/model-rows";
import { createCaller } from "../trpc/root";
import { startDedicatedPostgres, type DedicatedPostgres } from "./dedicated-postgres";
import { waitFor, withinMs } from "./wait-for";

const FLAGS = 120;
/** A call that has not settled after this long counts as hung (generous: the machine is shared and may be busy). */
const CALL_BOUND_MS = 20_000;

let cluster: DedicatedPostgres;
let db: Db;
let reviewer: SessionUser;
const flagIds: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

interface CallRecord {
  kind: "queue" | "decide";
  flagId: string | null;
  ok: boolean;
  reviewId: string | null;
  error: unknown;
  startedAt: number;
  endedAt: number;
}

async function seedOpenFlags(count: number): Promise<void> {
  const model = await createModelRowWithoutFiles(db, "faults-1");
  for (let i = 0; i < count; i++) {
    const patient = await db.patient.create({ data: { mrn: `PGR-${i}`, name: `Restart Patient ${i}`, fitzpatrickType: 2 } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: `L${i}` } });
    const image = await db.lesionImage.create({
      data: {
        lesionId: lesion.id,
        contentHash: (i + 1).toString(16).padStart(64, "0"),
        storageKey: `k${i}`,
        width: 600,
        height: 450,
        mimeType: "image/png",
        byteSize: 1,
        quality: { passed: true, reasons: [] },
      },
    });
    await db.prediction.create({
      data: { imageId: image.id, modelVersionId: model.id, probabilities: {}, pMalignant: 0.05, threshold: 0.3, aboveThreshold: false, backend: "test", latencyMs: 1 },
    });
    // A planned biopsy with a low score raises a LIKELY_BENIGN flag (services/flags/flag-policy.ts).
    await recordAssessment({ db, actorId: reviewer.id, lesionId: lesion.id, input: { impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: null, note: null } });
    flagIds.push((await db.flag.findFirstOrThrow({ where: { lesionId: lesion.id, status: "OPEN" }, select: { id: true } })).id);
  }
}

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  cluster = await startDedicatedPostgres();
  db = createPrismaClient(cluster.url, { max: 5 });
  const user = await db.user.create({ data: { email: "restart@clinic.example", name: "Dr Restart", role: "DERMATOLOGIST", passwordHash: "x" } });
  reviewer = { id: user.id, email: user.email, name: user.name, role: "DERMATOLOGIST" };
  await seedOpenFlags(FLAGS);
}, 120_000);

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await db?.$disconnect();
  await cluster?.destroy();
});

describe("PostgreSQL restarted while reviewers work", () => {
  it("fails calls cleanly during the outage, recovers on the same client, and loses no decision", async () => {
    const caller = createCaller({ db, user: reviewer });
    const calls: CallRecord[] = [];
    let next = 0;
    let running = true;

    const record = async (kind: CallRecord["kind"], flagId: string | null, work: () => Promise<{ id: string } | unknown>) => {
      const startedAt = Date.now();
      try {
        const result = await withinMs(work(), CALL_BOUND_MS, `${kind} call`);
        const reviewId = kind === "decide" ? (result as { id: string }).id : null;
        calls.push({ kind, flagId, ok: true, reviewId, error: null, startedAt, endedAt: Date.now() });
      } catch (error) {
        calls.push({ kind, flagId, ok: false, reviewId: null, error, startedAt, endedAt: Date.now() });
        // A failing call must not spin: a client retries after a moment.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    // Two reviewers at once, so that some transactions are in flight when the server goes down.
    const lane = async () => {
      while (running && next < flagIds.length) {
        await record("queue", null, () => caller.review.queue({ limit: 10 }));
        const flagId = flagIds[next++]!;
        await record("decide", flagId, () =>
          caller.review.decide({ flagId, decision: "PROCEED_BIOPSY", reason: null, note: `decided during restart test`, followUpDate: null }),
        );
      }
    };
    const lanes = Promise.all([lane(), lane()]);

    const succeededSince = (since: number) => calls.filter((call) => call.kind === "decide" && call.ok && call.startedAt >= since).length;
    const outages: { stopping: number; down: number; restarting: number; up: number }[] = [];
    let since = 0;
    for (let cycle = 0; cycle < 2; cycle++) {
      await waitFor(async () => (succeededSince(since) >= 6 ? true : null), { seconds: 60, what: "decisions to succeed", everyMs: 20 });
      const stopping = Date.now();
      await cluster.stop();
      const down = Date.now();
      await waitFor(async () => (calls.filter((call) => call.startedAt >= down).length >= 6 ? true : null), {
        seconds: 60,
        what: "calls during the outage",
        everyMs: 20,
      });
      const restarting = Date.now();
      await cluster.start();
      const up = Date.now();
      outages.push({ stopping, down, restarting, up });
      since = up;
    }
    await waitFor(async () => (succeededSince(since) >= 6 ? true : null), { seconds: 60, what: "decisions after the last restart", everyMs: 20 });
    running = false;
    await lanes;

    // Every call settled within the bound: none hung (withinMs would have recorded a CallHungError).
    expect(calls.filter((call) => call.error instanceof Error && call.error.name === "CallHungError")).toEqual([]);
    for (const [index, { down, restarting, up }] of outages.entries()) {
      const nextStopping = outages[index + 1]?.stopping ?? Infinity;
      // Calls made entirely while the server was down failed, with an error the API turns into a 500.
      const duringOutage = calls.filter((call) => call.startedAt >= down && call.endedAt <= restarting);
      expect(duringOutage.length).toBeGreaterThan(0);
      for (const call of duringOutage) {
        expect(call.ok).toBe(false);
        expect(call.error).toMatchObject({ name: "TRPCError", code: "INTERNAL_SERVER_ERROR" });
      }
      // Calls made after the restart (and before the next outage) succeeded: the pool replaced its dead connections.
      const afterRestart = calls.filter((call) => call.startedAt >= up && call.endedAt < nextStopping);
      expect(afterRestart.length).toBeGreaterThan(0);
      expect(afterRestart.filter((call) => !call.ok).map((call) => String(call.error))).toEqual([]);
    }

    // No decision lost: each one reported saved is there, as returned.
    const decided = calls.filter((call) => call.kind === "decide" && call.ok);
    const reviews = await db.review.findMany({ where: { flagId: { in: decided.map((call) => call.flagId!) } }, select: { id: true, flagId: true } });
    expect(new Map(reviews.map((review) => [review.flagId, review.id]))).toEqual(new Map(decided.map((call) => [call.flagId!, call.reviewId!])));

    // Never half-written: for every flag attempted, review, DECIDED status and audit entry are all there or none is.
    const attempted = calls.filter((call) => call.kind === "decide").map((call) => call.flagId!);
    expect(new Set(attempted).size).toBe(attempted.length);
    const states = await Promise.all(
      attempted.map(async (flagId) => ({
        reviews: await db.review.count({ where: { flagId } }),
        status: (await db.flag.findUniqueOrThrow({ where: { id: flagId }, select: { status: true } })).status,
        audits: await db.auditLog.count({ where: { entityType: "Flag", entityId: flagId, action: "DECIDE" } }),
      })),
    );
    for (const state of states) {
      expect([
        { reviews: 0, status: "OPEN", audits: 0 },
        { reviews: 1, status: "DECIDED", audits: 1 },
      ]).toContainEqual(state);
    }
    const failedDecisions = calls.filter((call) => call.kind === "decide" && !call.ok);
    expect(failedDecisions.length).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
  }, 180_000);
});
