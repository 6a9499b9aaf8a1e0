/**
 * The invariants the code relies on hold in the database itself (partial unique indexes, see unique-violation.ts):
 * a raw second write is refused whatever code issued it, concurrent promotions leave exactly one active model, and a
 * violation reaches the caller as a clear DomainError instead of an internal error.
 */
import type PgBoss from "pg-boss";
import { beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../services/domain-error";
import { createOpenFlag } from "../services/flags/recompute-flags";
import { approvePromotion, requestPromotion } from "../services/models/promotion-requests";
import { activateModelVersion, promoteModelVersion } from "../services/models/registry";
import type { TestDatabase } from "../testing/database";
import { createModelRowWithoutFiles } from "../testing/model-rows";
import { setUpPromotionDatabase } from "../testing/promotion-database";
import { INVARIANT_INDEXES, isUniqueViolation } from "./unique-violation";

let database: TestDatabase;
let boss: PgBoss;
let adminA: string;
let adminB: string;
let counter = 0;

const candidate = () => createModelRowWithoutFiles(database.db, `candidate-${++counter}`, { status: "CANDIDATE" });
const activeCount = () => database.db.modelVersion.count({ where: { status: "ACTIVE" } });

async function lesion(): Promise<string> {
  const patient = await database.db.patient.create({ data: { mrn: `INV-${++counter}`, name: "Invariant Patient" } });
  return (await database.db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "L" } })).id;
}

// Each test starts with no active model: the case where two promotions had no common row to lock.
const fixture = setUpPromotionDatabase();

beforeAll(async () => {
  ({ database, boss } = fixture);
  const admin = async (name: string) =>
    (await database.db.user.create({ data: { email: `${name}@x.example`, name, role: "ADMIN", passwordHash: "x" } })).id;
  adminA = await admin("admin-a");
  adminB = await admin("admin-b");
});

describe("one ACTIVE model version", () => {
  it("refuses a raw second ACTIVE row, by insert or by update", async () => {
    const { db } = database;
    const first = await createModelRowWithoutFiles(db, `raw-${++counter}`);
    const second = await candidate();
    const insert = createModelRowWithoutFiles(db, `raw-${++counter}`);
    await expect(insert).rejects.toSatisfy((error) => isUniqueViolation(error, INVARIANT_INDEXES.oneActiveModel));
    const update = db.$executeRaw`UPDATE "ModelVersion" SET status = 'ACTIVE' WHERE id = ${second.id}`;
    await expect(update).rejects.toSatisfy((error) => isUniqueViolation(error, INVARIANT_INDEXES.oneActiveModel));
    expect((await db.modelVersion.findMany({ where: { status: "ACTIVE" }, select: { id: true } })).map((m) => m.id)).toEqual([first.id]);
  });

  it("system promotions at once, with no active model: exactly one model ends active", async () => {
    const models = [await candidate(), await candidate(), await candidate(), await candidate()];
    const results = await Promise.allSettled(
      models.map((model) => promoteModelVersion({ db: database.db, actorId: adminA, modelVersionId: model.id, overrideReason: "test" })),
    );
    // Ordered by the registry lock, both may succeed one after the other; never two active at the end.
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
    for (const result of results) if (result.status === "rejected") expect(result.reason).toBeInstanceOf(DomainError);
    expect(await activeCount()).toBe(1);
  });

  it("two four-eyes approvals at once, with no active model: one is approved, the other refused with CONFLICT", async () => {
    const requests = [];
    for (const model of [await candidate(), await candidate()]) {
      requests.push(await requestPromotion({ db: database.db, actorId: adminA, modelVersionId: model.id, overrideReason: "test" }));
    }
    const results = await Promise.allSettled(
      requests.map((request) => approvePromotion({ db: database.db, boss, actorId: adminB, promotionRequestId: request.id })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected");
    expect(refused?.reason).toBeInstanceOf(DomainError);
    expect(refused?.reason).toMatchObject({ code: "CONFLICT" });
    expect(await activeCount()).toBe(1);
  });

  it("an activation that skipped the registry lock is refused with a clear CONFLICT, and the first one stands", async () => {
    const { db } = database;
    const [x, y] = [await candidate(), await candidate()];
    const activate = (modelVersionId: string) => (tx: Parameters<Parameters<typeof db.$transaction>[0]>[0]) =>
      activateModelVersion(tx, { modelVersionId, actorId: adminA, promotionReason: "test", boss: null, audit: { action: "PROMOTE", after: {} } });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let firstActivated!: () => void;
    const activatedFirst = new Promise<void>((resolve) => (firstActivated = resolve));
    const first = db.$transaction(async (tx) => {
      await activate(x.id)(tx);
      firstActivated();
      await released;
    });
    await activatedFirst;
    // The second sees no committed active model, so it retires nothing and waits on the first one's index entry.
    // Its outcome is taken at once: it may be refused while the first is still being released, and a rejection nobody
    // handles yet fails the whole run (vitest's unhandled-rejection check).
    const secondOutcome = db.$transaction(activate(y.id)).then(
      () => null,
      (error: unknown) => error,
    );
    for (let i = 0; i < 100; i++) {
      const [row] = await db.$queryRaw<{ waiting: number }[]>`SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted`;
      if (row!.waiting > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    release();
    await first;
    expect(await secondOutcome).toMatchObject({ name: "DomainError", code: "CONFLICT", message: expect.stringMatching(/made active at the same moment/) });
    expect((await db.modelVersion.findMany({ where: { status: "ACTIVE" }, select: { id: true } })).map((m) => m.id)).toEqual([x.id]);
  });
});

describe("one OPEN flag per lesion", () => {
  it("refuses a raw second OPEN flag, and a service writer gets a clear CONFLICT; closed flags are not limited", async () => {
    const { db } = database;
    const lesionId = await lesion();
    const flag = { lesionId, kind: "REVIEW_REQUIRED" as const, reason: "test" };
    await db.flag.create({ data: { ...flag, status: "SUPERSEDED" } });
    await db.flag.create({ data: { ...flag, status: "SUPERSEDED" } });
    await db.flag.create({ data: flag });
    const raw = db.$executeRaw`INSERT INTO "Flag" (id, "lesionId", kind, status, reason, "updatedAt") VALUES ('raw-second', ${lesionId}, 'REVIEW_REQUIRED', 'OPEN', 'x', now())`;
    await expect(raw).rejects.toSatisfy((error) => isUniqueViolation(error, INVARIANT_INDEXES.oneOpenFlagPerLesion));
    const viaService = db.$transaction((tx) => createOpenFlag(tx, flag));
    await expect(viaService).rejects.toMatchObject({ name: "DomainError", code: "CONFLICT" });
    expect(await db.flag.count({ where: { lesionId, status: "OPEN" } })).toBe(1);
    // Another lesion is not affected.
    await db.flag.create({ data: { ...flag, lesionId: await lesion() } });
  });
});
