/**
 * Issue 15's record integrity on a real database: decisions and biopsy results are amended or retracted by their
 * author or an admin (never edited in place), only current records count, flags follow, and second reads go to
 * another reviewer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { amendBiopsyOutcome, retractBiopsyOutcome, type Actor } from "../clinical/amend-outcome";
import { getLesionRecord } from "../clinical/lesion-record";
import { recordAssessment, recordBiopsyOutcome } from "../clinical/lesions";
import { loadDeferredMalignancies } from "../outcomes/deferred-malignancies";
import { loadLesionOutcomeRows } from "../outcomes/lesion-outcome-rows";
import { listSafetyEvents } from "../safety/safety-events";
import { amendReview, retractReview } from "./amend-review";
import { countOpenFlagsByKind, listQueue } from "./queue";
import { recordReview } from "./record-review";

let database: TestDatabase;
let author: Actor;
let colleague: Actor;
let third: Actor;
let admin: Actor;
let modelId: string;
let serial = 0;
const allTime = { fromDate: null, toDateExclusive: null };

async function user(role: "DERMATOLOGIST" | "ADMIN", name: string): Promise<Actor> {
  const row = await database.db.user.create({ data: { email: `${name.replace(/\W/g, "")}@x.example`, name, role, passwordHash: "x" } });
  return { id: row.id, role };
}

/** A lesion scored 5% whose clinician planned a biopsy: one open LIKELY_BENIGN flag, assessed by `clinician`. */
async function likelyBenignCase(clinician: Actor = author) {
  const { db } = database;
  serial++;
  const patient = await db.patient.create({ data: { mrn: `C-${serial}`, name: `Patient ${serial}`, fitzpatrickType: 2 } });
  const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: `L${serial}` } });
  const image = await db.lesionImage.create({
    data: { lesionId: lesion.id, contentHash: `c${serial}`.padStart(64, "0"), storageKey: `c${serial}`, width: 600, height: 450, mimeType: "image/png", byteSize: 1 },
  });
  await db.prediction.create({
    data: { imageId: image.id, modelVersionId: modelId, probabilities: {}, pMalignant: 0.05, threshold: 0.3, aboveThreshold: false, backend: "test", latencyMs: 1 },
  });
  await recordAssessment({ db, actorId: clinician.id, lesionId: lesion.id, input: { impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: null, note: null } });
  const flag = await db.flag.findFirstOrThrow({ where: { lesionId: lesion.id, status: "OPEN" } });
  return { lesionId: lesion.id, flagId: flag.id };
}

const decide = (actor: Actor, flagId: string, decision: "PROCEED_BIOPSY" | "DEFER_MONITOR" | "SECOND_READ" = "PROCEED_BIOPSY") =>
  recordReview({
    db: database.db,
    actorId: actor.id,
    input: {
      flagId,
      decision,
      reason: decision === "PROCEED_BIOPSY" ? null : "looks benign",
      note: null,
      followUpDate: decision === "DEFER_MONITOR" ? "2099-01-01" : null,
    },
  });

const melanoma = { histopathologyDiagnosis: "mel", reportDate: "2026-11-20" } as const;
const nevus = { histopathologyDiagnosis: "nv", reportDate: "2026-11-20" } as const;

beforeAll(async () => {
  database = await createTestDatabase();
  author = await user("DERMATOLOGIST", "Dr Author");
  colleague = await user("DERMATOLOGIST", "Dr Colleague");
  third = await user("DERMATOLOGIST", "Dr Third");
  admin = await user("ADMIN", "Admin");
  modelId = (await createModelRowWithoutFiles(database.db, "corrections-1")).id;
});
afterAll(() => database.drop());

describe("amending and retracting a decision", () => {
  it("lets its author amend it: a new decision on a new flag with the same inputs, the old one kept and audited", async () => {
    const { db } = database;
    const { lesionId, flagId } = await likelyBenignCase();
    const original = await decide(author, flagId, "DEFER_MONITOR");
    const deferredBefore = (await loadDeferredMalignancies(db)).deferredLesions;
    const amended = await amendReview({
      db,
      actor: author,
      input: { reviewId: original.id, reason: "pressed the wrong key", decision: { flagId, decision: "PROCEED_BIOPSY", reason: null, note: "biopsy after all", followUpDate: null } },
    });
    const old = await db.review.findUniqueOrThrow({ where: { id: original.id }, include: { flag: true } });
    expect(old).toMatchObject({ decision: "DEFER_MONITOR", supersededById: amended.id, retractionReason: "pressed the wrong key", retractedById: author.id });
    expect(old.flag.status).toBe("SUPERSEDED");
    const current = await db.review.findUniqueOrThrow({ where: { id: amended.id }, include: { flag: true } });
    expect(current).toMatchObject({ decision: "PROCEED_BIOPSY", retractedAt: null, reviewerId: author.id });
    expect(current.flag).toMatchObject({ status: "DECIDED", kind: "LIKELY_BENIGN", pMalignant: 0.05, lesionId });
    expect(await db.flag.count({ where: { lesionId, status: "OPEN" } })).toBe(0);
    expect(await db.auditLog.count({ where: { action: "AMEND", entityType: "Review", entityId: original.id, actorId: author.id } })).toBe(1);
    // The deferral no longer counts on the dashboard: only current decisions make a lesion "deferred".
    expect((await loadDeferredMalignancies(db)).deferredLesions).toBe(deferredBefore - 1);
    // Both decisions on the lesion's timeline, the old one marked as amended.
    const record = await getLesionRecord({ db, lesionId });
    expect(record.timeline.filter((event) => event.type === "DECISION").map((event) => event.type === "DECISION" && event.standing)).toEqual(["AMENDED", "CURRENT"]);
  });

  it("refuses another dermatologist, and lets an admin amend it", async () => {
    const { lesionId, flagId } = await likelyBenignCase();
    const original = await decide(author, flagId);
    const input = { reviewId: original.id, reason: "wrong case", decision: { flagId, decision: "DEFER_MONITOR" as const, reason: "benign pattern", note: null, followUpDate: "2099-01-01" } };
    await expect(amendReview({ db: database.db, actor: colleague, input })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(retractReview({ db: database.db, actor: colleague, input: { reviewId: original.id, reason: "x" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const amended = await amendReview({ db: database.db, actor: admin, input });
    expect(await database.db.review.findUniqueOrThrow({ where: { id: amended.id } })).toMatchObject({ decision: "DEFER_MONITOR", reviewerId: admin.id });
    // Corrected once: the old record cannot be corrected again.
    await expect(amendReview({ db: database.db, actor: admin, input })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await database.db.flag.count({ where: { lesionId, status: "DECIDED" } })).toBe(1);
  });

  it("puts a retracted decision's case back in the queue, and refuses a correction once the biopsy result is in", async () => {
    const { db } = database;
    const { lesionId, flagId } = await likelyBenignCase();
    const original = await decide(author, flagId);
    const retracted = await retractReview({ db, actor: author, input: { reviewId: original.id, reason: "decided the wrong patient" } });
    expect(retracted.reopenedFlagId).not.toBeNull();
    expect(await db.flag.findUniqueOrThrow({ where: { id: retracted.reopenedFlagId! } })).toMatchObject({ status: "OPEN", kind: "LIKELY_BENIGN", lesionId });
    expect(await db.auditLog.count({ where: { action: "RETRACT", entityType: "Review", entityId: original.id } })).toBe(1);

    const again = await decide(author, retracted.reopenedFlagId!);
    await recordBiopsyOutcome({ db, actorId: author.id, lesionId, input: nevus });
    await expect(retractReview({ db, actor: author, input: { reviewId: again.id, reason: "too late" } })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("never edits a decision in place, even through the database", async () => {
    const { flagId } = await likelyBenignCase();
    const review = await decide(author, flagId);
    await expect(database.db.review.update({ where: { id: review.id }, data: { decision: "DEFER_MONITOR" } })).rejects.toThrow(/never edited in place/);
  });
});

describe("amending and retracting a biopsy result", () => {
  it("a retracted result no longer counts in outcomes, its flags are reopened and recomputed, and the record keeps it", async () => {
    const { db } = database;
    const { lesionId, flagId } = await likelyBenignCase();
    await decide(author, flagId, "DEFER_MONITOR");
    const outcome = await recordBiopsyOutcome({ db, actorId: author.id, lesionId, input: melanoma });
    expect((await db.flag.findUniqueOrThrow({ where: { id: flagId } })).status).toBe("CLOSED");
    const event = await db.safetyEvent.findUniqueOrThrow({ where: { outcomeId: outcome.id } });
    const counted = async () => (await loadLesionOutcomeRows({ db, modelVersionId: modelId, bounds: allTime })).some((row) => row.lesionId === lesionId);
    const deferredMalignant = async () => (await loadDeferredMalignancies(db)).lesions.some((row) => row.lesionId === lesionId);
    expect(await counted()).toBe(true);
    expect(await deferredMalignant()).toBe(true);

    await expect(retractBiopsyOutcome({ db, actor: colleague, input: { outcomeId: outcome.id, reason: "not mine" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await retractBiopsyOutcome({ db, actor: author, input: { outcomeId: outcome.id, reason: "report belonged to another patient" } });

    expect(await counted()).toBe(false);
    expect(await deferredMalignant()).toBe(false);
    // The loop is open again: the deferral stands (DECIDED), waiting for the real result.
    expect((await db.flag.findUniqueOrThrow({ where: { id: flagId } })).status).toBe("DECIDED");
    // Never silently hidden: the result, its safety event and the audit entry stay.
    expect(await db.safetyEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ outcomeId: outcome.id, acknowledgedAt: null });
    const listed = (await listSafetyEvents({ db })).find((e) => e.id === event.id);
    expect(listed?.outcome).toMatchObject({ histopathologyDiagnosis: "mel", retractionReason: "report belonged to another patient" });
    expect(await db.auditLog.count({ where: { action: "RETRACT", entityType: "BiopsyOutcome", entityId: outcome.id } })).toBe(1);
    const record = await getLesionRecord({ db, lesionId });
    expect(record.timeline.find((e) => e.type === "OUTCOME")).toMatchObject({ id: outcome.id, standing: "RETRACTED", retraction: { reason: "report belonged to another patient" } });
  });

  it("an amended result replaces the old one everywhere, and a malignancy typed as benign raises its safety event", async () => {
    const { db } = database;
    const { lesionId, flagId } = await likelyBenignCase();
    await decide(author, flagId, "DEFER_MONITOR");
    const mistyped = await recordBiopsyOutcome({ db, actorId: author.id, lesionId, input: nevus });
    expect(await db.safetyEvent.count({ where: { lesionId } })).toBe(0);
    const amended = await amendBiopsyOutcome({ db, actor: admin, input: { outcomeId: mistyped.id, reason: "pathology said melanoma", outcome: melanoma } });
    expect(await db.biopsyOutcome.findUniqueOrThrow({ where: { id: mistyped.id } })).toMatchObject({ supersededById: amended.id, malignant: false });
    expect(await db.safetyEvent.findUniqueOrThrow({ where: { outcomeId: amended.id } })).toMatchObject({ kind: "DEFERRED", lesionId });
    const rows = (await loadLesionOutcomeRows({ db, modelVersionId: modelId, bounds: allTime })).filter((row) => row.lesionId === lesionId);
    expect(rows).toEqual([expect.objectContaining({ malignant: true })]);
    expect((await db.flag.findUniqueOrThrow({ where: { id: flagId } })).status).toBe("CLOSED");
    expect(await db.auditLog.count({ where: { action: "AMEND", entityType: "BiopsyOutcome", entityId: mistyped.id, actorId: admin.id } })).toBe(1);
  });
});

describe("second reads", () => {
  it("go to a different reviewer: the requester and the assessing clinician cannot decide them, and do not see them in their queue", async () => {
    const { db } = database;
    const { lesionId, flagId } = await likelyBenignCase(third);
    await decide(author, flagId, "SECOND_READ");
    const secondRead = await db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    expect(secondRead).toMatchObject({ secondReadOfId: flagId, secondReadRequestedById: author.id });

    await expect(decide(author, secondRead.id)).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/asked for this second read/) });
    await expect(decide(third, secondRead.id)).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/clinical assessment/) });

    const queueOf = async (viewer: Actor) => (await listQueue({ db, filter: { limit: 100 }, viewerId: viewer.id })).items.map((item) => item.id);
    expect(await queueOf(author)).not.toContain(secondRead.id);
    expect(await queueOf(third)).not.toContain(secondRead.id);
    expect(await queueOf(colleague)).toContain(secondRead.id);
    const countsFor = async (viewer: Actor) => (await countOpenFlagsByKind({ db, viewerId: viewer.id })).LIKELY_BENIGN;
    expect((await countsFor(colleague)) - (await countsFor(author))).toBe(1);

    const decided = await decide(colleague, secondRead.id);
    expect(decided).toMatchObject({ flagId: secondRead.id, decision: "PROCEED_BIOPSY" });
  });
});
