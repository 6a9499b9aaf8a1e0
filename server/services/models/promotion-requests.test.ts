import PgBoss from "pg-boss";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueScoreSweepInTransaction } from "../../jobs/enqueue-in-transaction";
import { QUEUE_OPTIONS, QUEUES } from "../../jobs/queues";
import { queuedScoreSweeps } from "../../testing/queued-jobs";
import type { TestDatabase } from "../../testing/database";
import { setUpPromotionDatabase } from "../../testing/promotion-database";
import type { GateResults } from "./promotion-gates";
import { approvePromotion, listPromotionRequests, rejectPromotion, requestPromotion } from "./promotion-requests";
import { rollBackModel } from "./registry";

let database: TestDatabase;
let boss: PgBoss;
let adminA: string;
let adminB: string;
let dermatologist: string;
let counter = 0;

async function user(role: "ADMIN" | "DERMATOLOGIST", name: string) {
  return (await database.db.user.create({ data: { email: `${name}-${Math.random()}@x.example`, name, role, passwordHash: "x" } })).id;
}

/** A registry row (no model files: promotion reads only the registry) with gates computed against `comparedWith`. */
async function modelRow(status: "ACTIVE" | "CANDIDATE", options: { passed?: boolean; comparedWith?: string | null } = {}) {
  const version = `v${++counter}-${status.toLowerCase()}`;
  const gates: GateResults = { passed: options.passed ?? true, checks: [], comparedWith: options.comparedWith ?? null };
  return database.db.modelVersion.create({
    data: {
      version,
      status,
      promotedAt: status === "ACTIVE" ? new Date() : null,
      architecture: "test",
      inputSize: 28,
      threshold: 0.3,
      targetSensitivity: 0.95,
      metrics: {},
      gateResults: gates as unknown as object,
      storagePath: "/nonexistent",
      sha256: "0".repeat(64),
      trainingDataHash: "x",
      codeVersion: "x",
    },
    select: { id: true, version: true },
  });
}

async function activeVersion() {
  return (await database.db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true } }))?.version ?? null;
}

const sweepJobs = () => queuedScoreSweeps(database.db);

const fixture = setUpPromotionDatabase();

beforeAll(async () => {
  ({ database, boss } = fixture);
  adminA = await user("ADMIN", "Admin A");
  adminB = await user("ADMIN", "Admin B");
  dermatologist = await user("DERMATOLOGIST", "Derm");
});
beforeEach(async () => {
  // Each test starts from one active model (the fixture retired the others) and no pending request.
  await modelRow("ACTIVE");
});

describe("four-eyes promotion", () => {
  it("needs a second admin: the requester is refused, another admin's approval activates the candidate, queues one re-score job and is audited", async () => {
    const before = await activeVersion();
    const candidate = await modelRow("CANDIDATE", { comparedWith: before });
    const request = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: candidate.id });
    expect(request.status).toBe("PENDING");
    expect(await activeVersion()).toBe(before);

    await expect(approvePromotion({ db: database.db, boss, actorId: adminA, promotionRequestId: request.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("a different admin must approve it"),
    });
    expect(await activeVersion()).toBe(before);

    const jobsBefore = await sweepJobs();
    const promoted = await approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: request.id });
    expect(promoted.version).toBe(candidate.version);
    expect(await activeVersion()).toBe(candidate.version);
    expect(await sweepJobs()).toBe(jobsBefore + 1);

    const stored = await database.db.promotionRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(stored).toMatchObject({ status: "APPROVED", requestedById: adminA, decidedById: adminB });
    const model = await database.db.modelVersion.findUniqueOrThrow({ where: { id: candidate.id } });
    expect(model.promotedById).toBe(adminB);
    expect(model.promotionReason).toContain("requested by Admin A, approved by Admin B");

    const audit = await database.db.auditLog.findMany({
      where: { OR: [{ entityId: request.id }, { entityId: candidate.id }] },
      orderBy: { id: "asc" },
      select: { action: true, actorId: true },
    });
    expect(audit).toEqual([
      { action: "REQUEST_PROMOTION", actorId: adminA },
      { action: "APPROVE", actorId: adminB },
      { action: "PROMOTE", actorId: adminB },
    ]);
  });

  it("refuses people who may not manage models, in the service itself", async () => {
    const candidate = await modelRow("CANDIDATE", { comparedWith: await activeVersion() });
    await expect(requestPromotion({ db: database.db, actorId: dermatologist, modelVersionId: candidate.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const request = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: candidate.id });
    await expect(approvePromotion({ db: database.db, boss, actorId: dermatologist, promotionRequestId: request.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A deactivated admin neither.
    await database.db.user.update({ where: { id: adminB }, data: { active: false } });
    try {
      await expect(approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: request.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    } finally {
      await database.db.user.update({ where: { id: adminB }, data: { active: true } });
    }
    expect(await database.db.promotionRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: "PENDING" });
  });

  it("a candidate whose gates fail can be requested only with an override reason, recorded with the request", async () => {
    const candidate = await modelRow("CANDIDATE", { passed: false, comparedWith: await activeVersion() });
    await expect(requestPromotion({ db: database.db, actorId: adminA, modelVersionId: candidate.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("override reason"),
    });
    const request = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: candidate.id, overrideReason: "pilot at site B" });
    const stored = await database.db.promotionRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(stored).toMatchObject({ gatesPassed: false, overrideReason: "pilot at site B" });
    // One pending request per candidate.
    await expect(requestPromotion({ db: database.db, actorId: adminB, modelVersionId: candidate.id, overrideReason: "again" })).rejects.toMatchObject({ code: "CONFLICT" });
    await approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: request.id });
    expect(await activeVersion()).toBe(candidate.version);
  });

  it("a rejection (with its reason) changes nothing, and a rejected request cannot be approved", async () => {
    const before = await activeVersion();
    const candidate = await modelRow("CANDIDATE", { comparedWith: before });
    const request = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: candidate.id });
    await rejectPromotion({ db: database.db, actorId: adminB, promotionRequestId: request.id, reason: "calibration worse on our cases" });
    expect(await database.db.promotionRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({
      status: "REJECTED",
      decidedById: adminB,
      decisionReason: "calibration worse on our cases",
    });
    await expect(approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: request.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await activeVersion()).toBe(before);
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { entityId: request.id, action: "REJECT" } });
    expect(audit.after).toMatchObject({ reason: "calibration worse on our cases", withdrawn: false });
  });

  it("a request is void once the active model changes: by another approval, by a roll back, or outside the registry", async () => {
    const base = await activeVersion();
    const first = await modelRow("CANDIDATE", { comparedWith: base });
    const second = await modelRow("CANDIDATE", { comparedWith: base });
    const requestFirst = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: first.id });
    const requestSecond = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: second.id });
    await approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: requestFirst.id });
    expect(await database.db.promotionRequest.findUniqueOrThrow({ where: { id: requestSecond.id } })).toMatchObject({
      status: "VOID",
      decisionReason: expect.stringContaining("the active model changed"),
    });
    await expect(approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: requestSecond.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await activeVersion()).toBe(first.version);

    // Roll back (one admin, one action) voids pending requests too.
    const third = await modelRow("CANDIDATE", { comparedWith: first.version });
    const requestThird = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: third.id });
    await rollBackModel({ db: database.db, boss, actorId: adminA, reason: "false reassurance on our cases" });
    expect(await activeVersion()).toBe(base);
    expect(await database.db.promotionRequest.findUniqueOrThrow({ where: { id: requestThird.id } })).toMatchObject({ status: "VOID" });

    // A change the registry did not make (a database edit) is caught at approval: the request is marked void.
    const fourth = await modelRow("CANDIDATE", { comparedWith: base });
    const requestFourth = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: fourth.id });
    await database.db.modelVersion.updateMany({ where: { status: "ACTIVE" }, data: { status: "RETIRED" } });
    await database.db.modelVersion.update({ where: { id: first.id }, data: { status: "ACTIVE" } });
    await expect(approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: requestFourth.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("void"),
    });
    expect(await activeVersion()).toBe(first.version);
    expect(await database.db.promotionRequest.findUniqueOrThrow({ where: { id: requestFourth.id } })).toMatchObject({ status: "VOID" });

    const listed = await listPromotionRequests({ db: database.db });
    expect(listed.pending).toEqual([]);
    expect(listed.decided.map((r) => r.id)).toEqual(expect.arrayContaining([requestFirst.id, requestSecond.id, requestThird.id, requestFourth.id]));
  });
});

describe("re-scoring queued in the same transaction", () => {
  it("an enqueue that fails inside the transaction rolls the approval back: the active model and the request are unchanged", async () => {
    const before = await activeVersion();
    const candidate = await modelRow("CANDIDATE", { comparedWith: before });
    const request = await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: candidate.id });
    // A pg-boss whose job table is not there: its INSERT fails inside the approval's transaction.
    const broken = new PgBoss({ connectionString: database.url, schema: "pgboss_missing" });
    await expect(approvePromotion({ db: database.db, boss: broken, actorId: adminB, promotionRequestId: request.id })).rejects.toThrow();
    expect(await activeVersion()).toBe(before);
    expect(await database.db.promotionRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: "PENDING" });
    expect(await database.db.auditLog.count({ where: { entityId: request.id, action: "APPROVE" } })).toBe(0);

    // pg-boss inserts nothing for a queue that does not exist: refused too, and roll back changes nothing without its job.
    await boss.purgeQueue(QUEUES.scoreSweep);
    await boss.deleteQueue(QUEUES.scoreSweep);
    try {
      await expect(approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: request.id })).rejects.toThrow(/could not be queued/);
      await expect(rollBackModel({ db: database.db, boss, actorId: adminA, reason: "test" })).rejects.toThrow(/could not be queued/);
      expect(await activeVersion()).toBe(before);
    } finally {
      await boss.createQueue(QUEUES.scoreSweep, { name: QUEUES.scoreSweep, ...QUEUE_OPTIONS[QUEUES.scoreSweep] });
    }
    const jobsBefore = await sweepJobs();
    await approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: request.id });
    expect(await activeVersion()).toBe(candidate.version);
    expect(await sweepJobs()).toBe(jobsBefore + 1);
  });

  it("a job queued in a transaction that rolls back leaves no job row", async () => {
    const jobsBefore = await sweepJobs();
    await expect(
      database.db.$transaction(async (tx) => {
        await enqueueScoreSweepInTransaction(tx, boss);
        throw new Error("the change failed after queuing its job");
      }),
    ).rejects.toThrow(/the change failed/);
    expect(await sweepJobs()).toBe(jobsBefore);

    await database.db.$transaction((tx) => enqueueScoreSweepInTransaction(tx, boss));
    expect(await sweepJobs()).toBe(jobsBefore + 1);
  });
});
