import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { recordAssessment, recordBiopsyOutcome } from "../clinical/lesions";
import { recomputeLesionFlag } from "../flags/recompute-flags";
import { neighbouringFlags } from "./flag-details";
import { countOpenFlagsByKind, listOverdueFollowUps, listQueue } from "./queue";
import { recordReview } from "./record-review";

let database: TestDatabase;
let reviewerA: string;
let reviewerB: string;
let modelId: string;
let serial = 0;

async function lesionWithScore(options: { pMalignant: number; fitzpatrickType?: number | null; quality?: object }) {
  const { db } = database;
  serial++;
  const patient = await db.patient.create({
    data: { mrn: `T-${serial}`, name: `Patient ${serial}`, fitzpatrickType: options.fitzpatrickType ?? 2 },
  });
  const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: `L${serial}` } });
  const image = await db.lesionImage.create({
    data: {
      lesionId: lesion.id,
      contentHash: serial.toString(16).padStart(64, "0"),
      storageKey: `k${serial}`,
      width: 600,
      height: 450,
      mimeType: "image/png",
      byteSize: 1,
      quality: options.quality ?? { passed: true, reasons: [] },
    },
  });
  await db.prediction.create({
    data: {
      imageId: image.id,
      modelVersionId: modelId,
      probabilities: {},
      pMalignant: options.pMalignant,
      threshold: 0.3,
      aboveThreshold: options.pMalignant >= 0.3,
      backend: "test",
      latencyMs: 1,
    },
  });
  return lesion.id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  reviewerA = (await db.user.create({ data: { email: "a@x.example", name: "Dr A", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  reviewerB = (await db.user.create({ data: { email: "b@x.example", name: "Dr B", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  modelId = (await createModelRowWithoutFiles(db, "test-1")).id;
});
afterAll(() => database.drop());

const assess = (lesionId: string, impression: "BENIGN" | "MALIGNANT" | "UNCERTAIN", plan: "BIOPSY" | "MONITOR" | "DISCHARGE") =>
  recordAssessment({ db: database.db, actorId: reviewerA, lesionId, input: { impression, plan, suspectedDiagnosis: null, note: null } });

describe("flags follow the data", () => {
  it("raises a likely-benign flag when a planned biopsy meets a low score, and supersedes it when the assessment changes", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.05 });
    await assess(lesionId, "MALIGNANT", "BIOPSY");
    const open = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    expect(open).toMatchObject({ kind: "LIKELY_BENIGN", biopsyPlanned: true, pMalignant: 0.05, threshold: 0.3, modelVersionId: modelId });

    await assess(lesionId, "BENIGN", "MONITOR");
    expect(await database.db.flag.count({ where: { lesionId, status: "OPEN" } })).toBe(0);
    expect((await database.db.flag.findUniqueOrThrow({ where: { id: open.id } })).status).toBe("SUPERSEDED");
  });

  it("sends Fitzpatrick V-VI to review, never likely benign", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.05, fitzpatrickType: 6 });
    await assess(lesionId, "MALIGNANT", "BIOPSY");
    expect((await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } })).kind).toBe("REVIEW_REQUIRED");
  });

  it("sends a failed image-quality check to review with its reason", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.9, quality: { passed: false, reasons: ["image blurred"] } });
    await assess(lesionId, "BENIGN", "DISCHARGE");
    const flag = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    expect(flag.kind).toBe("REVIEW_REQUIRED");
    expect(flag.reason).toContain("image blurred");
  });

  it("keeps one open flag per lesion however often it is recomputed, even concurrently", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.9 });
    await assess(lesionId, "BENIGN", "DISCHARGE");
    await Promise.all(Array.from({ length: 8 }, () => recomputeLesionFlag({ db: database.db, lesionId })));
    expect(await database.db.flag.count({ where: { lesionId, status: "OPEN" } })).toBe(1);
  });
});

describe("reviewing", () => {
  it("records one decision: the second of two simultaneous reviewers is told it was already decided", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.05 });
    await assess(lesionId, "UNCERTAIN", "BIOPSY");
    const flag = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    const decide = (actorId: string) =>
      recordReview({ db: database.db, actorId, input: { flagId: flag.id, decision: "PROCEED_BIOPSY", reason: null, note: `by ${actorId}`, followUpDate: null } });
    const results = await Promise.allSettled([decide(reviewerA), decide(reviewerB)]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((result) => result.status === "rejected");
    expect(refused?.status === "rejected" && String(refused.reason.message)).toMatch(/already decided by Dr [AB]/);
    expect(await database.db.review.count({ where: { flagId: flag.id } })).toBe(1);
    expect((await database.db.flag.findUniqueOrThrow({ where: { id: flag.id } })).status).toBe("DECIDED");
    expect(await database.db.auditLog.count({ where: { entityType: "Flag", entityId: flag.id, action: "DECIDE" } })).toBe(1);
  });

  it("does not raise a decided flag again for the same assessment and model", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.05 });
    await assess(lesionId, "MALIGNANT", "BIOPSY");
    const flag = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    await recordReview({ db: database.db, actorId: reviewerA, input: { flagId: flag.id, decision: "DEFER_MONITOR", reason: "typical naevus", note: null, followUpDate: "2099-01-01" } });
    expect(await recomputeLesionFlag({ db: database.db, lesionId })).toBe("unchanged");
    expect(await database.db.flag.count({ where: { lesionId, status: "OPEN" } })).toBe(0);
  });

  it("opens a fresh flag for another reader after a second-read request", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.05 });
    await assess(lesionId, "MALIGNANT", "BIOPSY");
    const flag = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    await recordReview({ db: database.db, actorId: reviewerA, input: { flagId: flag.id, decision: "SECOND_READ", reason: "asymmetric border", note: null, followUpDate: null } });
    const second = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    expect(second.id).not.toBe(flag.id);
    expect(second.reason).toContain("asymmetric border");
  });

  it("closes the loop when the biopsy outcome arrives", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.05 });
    await assess(lesionId, "MALIGNANT", "BIOPSY");
    await recordBiopsyOutcome({ db: database.db, actorId: reviewerA, lesionId, input: { histopathologyDiagnosis: "nv", reportDate: "2026-01-10" } });
    expect(await database.db.flag.count({ where: { lesionId, status: { in: ["OPEN", "DECIDED"] } } })).toBe(0);
    expect(await database.db.flag.count({ where: { lesionId, status: "CLOSED" } })).toBe(1);
  });

  it("lists overdue follow-ups of deferred lesions", async () => {
    const lesionId = await lesionWithScore({ pMalignant: 0.05 });
    await assess(lesionId, "MALIGNANT", "BIOPSY");
    const flag = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    await recordReview({ db: database.db, actorId: reviewerA, input: { flagId: flag.id, decision: "DEFER_MONITOR", reason: "stable", note: null, followUpDate: "2099-06-01" } });
    const overdue = await listOverdueFollowUps({ db: database.db, today: new Date("2099-07-01") });
    expect(overdue.map((review) => review.flag.id)).toContain(flag.id);
    expect((await listOverdueFollowUps({ db: database.db, today: new Date("2099-05-01") })).map((r) => r.flag.id)).not.toContain(flag.id);
  });
});

describe("the queue", () => {
  it("puts planned biopsies first, then higher risk, pages without gaps, and counts per kind", async () => {
    for (const [p, plan] of [[0.2, "BIOPSY"], [0.9, "DISCHARGE"], [0.1, "BIOPSY"], [0.6, "MONITOR"]] as const) {
      const lesionId = await lesionWithScore({ pMalignant: p });
      await assess(lesionId, plan === "BIOPSY" ? "MALIGNANT" : "BENIGN", plan);
    }
    const all: { id: string; biopsyPlanned: boolean; pMalignant: number | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await listQueue({ db: database.db, filter: { limit: 2, cursor } });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const open = await database.db.flag.count({ where: { status: "OPEN" } });
    expect(all).toHaveLength(open);
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1]!, all[i]!];
      expect(Number(a.biopsyPlanned) >= Number(b.biopsyPlanned)).toBe(true);
      if (a.biopsyPlanned === b.biopsyPlanned) expect((a.pMalignant ?? -1) >= (b.pMalignant ?? -1)).toBe(true);
    }
    // j/k walk the same order.
    for (let i = 0; i < all.length; i++) {
      const neighbours = await neighbouringFlags({ db: database.db, flagId: all[i]!.id });
      expect(neighbours).toEqual({ previous: all[i - 1]?.id ?? null, next: all[i + 1]?.id ?? null });
    }
    const counts = await countOpenFlagsByKind({ db: database.db });
    expect(counts.LIKELY_BENIGN + counts.POSSIBLE_MISSED_MALIGNANCY + counts.REVIEW_REQUIRED).toBe(open);
  });
});
