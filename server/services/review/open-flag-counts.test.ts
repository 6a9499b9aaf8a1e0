import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import type { FlagKind } from "../../db/generated/enums";
import { foldOpenFlagCounts } from "./open-flag-counts";
import { countOpenFlagsByKind } from "./queue";

let database: TestDatabase;
let lesionIds: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const patient = await db.patient.create({ data: { mrn: "C-1", name: "Count Patient" } });
  await db.lesion.createMany({ data: Array.from({ length: 40 }, (_, i) => ({ id: `count-lesion-${i}`, patientId: patient.id, bodySite: "back", label: `L${i}` })) });
  lesionIds = Array.from({ length: 40 }, (_, i) => `count-lesion-${i}`);
});
afterAll(() => database.drop());

/** The oracle: open flags counted from the flags themselves. */
async function countedFromFlags() {
  const counts: Record<FlagKind, number> = { LIKELY_BENIGN: 0, POSSIBLE_MISSED_MALIGNANCY: 0, REVIEW_REQUIRED: 0 };
  for (const group of await database.db.flag.groupBy({ by: ["kind"], where: { status: "OPEN" }, _count: { _all: true } })) counts[group.kind] = group._count._all;
  return counts;
}

const kinds: FlagKind[] = ["LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"];

describe("open flag counts", () => {
  it("equal the open flags after inserts, status and kind changes, deletes and folds, in bulk and one by one", async () => {
    const { db } = database;
    // One multi-row statement, open and closed flags of every kind.
    await db.flag.createMany({
      data: lesionIds.slice(0, 30).map((lesionId, i) => ({ lesionId, kind: kinds[i % 3]!, status: i % 5 === 0 ? ("CLOSED" as const) : ("OPEN" as const), reason: "r" })),
    });
    expect(await countOpenFlagsByKind({ db })).toEqual(await countedFromFlags());
    expect((await countOpenFlagsByKind({ db })).LIKELY_BENIGN).toBe(8);

    const steps: (() => Promise<unknown>)[] = [
      () => db.flag.create({ data: { lesionId: lesionIds[30]!, kind: "REVIEW_REQUIRED", reason: "r" } }),
      () => db.flag.updateMany({ where: { kind: "LIKELY_BENIGN", status: "OPEN" }, data: { status: "DECIDED" } }),
      () => db.flag.updateMany({ where: { kind: "REVIEW_REQUIRED", status: "OPEN" }, data: { kind: "POSSIBLE_MISSED_MALIGNANCY" } }),
      () => db.flag.updateMany({ where: { status: "OPEN" }, data: { reason: "no change to what is open" } }),
      () => foldOpenFlagCounts(db),
      () => db.flag.updateMany({ where: { kind: "LIKELY_BENIGN", status: "DECIDED" }, data: { status: "OPEN" } }),
      () => db.flag.deleteMany({ where: { lesionId: { in: lesionIds.slice(0, 6) } } }),
      () => db.flag.deleteMany({ where: { status: "CLOSED" } }),
      () => foldOpenFlagCounts(db),
      () => foldOpenFlagCounts(db),
    ];
    for (const step of steps) {
      await step();
      expect(await countOpenFlagsByKind({ db })).toEqual(await countedFromFlags());
    }
    // Folded down to one row per kind that has open flags.
    expect(await db.openFlagCountDelta.count()).toBeLessThanOrEqual(3);
  });

  it("count a change only when its transaction commits, and a fold keeps changes committed while it ran", async () => {
    const { db } = database;
    const before = await countOpenFlagsByKind({ db });
    await expect(
      db.$transaction(async (tx) => {
        await tx.flag.create({ data: { lesionId: lesionIds[35]!, kind: "LIKELY_BENIGN", reason: "r" } });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await countOpenFlagsByKind({ db })).toEqual(before);

    // Changes from many transactions at once, folds among them.
    await Promise.all([
      ...lesionIds.slice(36, 40).map((lesionId) => db.flag.create({ data: { lesionId, kind: "POSSIBLE_MISSED_MALIGNANCY", reason: "r" } })),
      foldOpenFlagCounts(db),
      foldOpenFlagCounts(db),
      db.flag.updateMany({ where: { kind: "LIKELY_BENIGN", status: "OPEN" }, data: { status: "CLOSED" } }),
    ]);
    await Promise.all([foldOpenFlagCounts(db), foldOpenFlagCounts(db)]);
    expect(await countOpenFlagsByKind({ db })).toEqual(await countedFromFlags());
  });

  it("start again from nothing when the flags are truncated", async () => {
    const { db } = database;
    await db.$executeRawUnsafe(`TRUNCATE "Flag" CASCADE`);
    expect(await countOpenFlagsByKind({ db })).toEqual({ LIKELY_BENIGN: 0, POSSIBLE_MISSED_MALIGNANCY: 0, REVIEW_REQUIRED: 0 });
  });
});
