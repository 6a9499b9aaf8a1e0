/**
 * Shadow mode, local validation and the safety monitor against a real PostgreSQL: a new model suggests no deferral;
 * only scores made before the outcome count as local evidence; deferral switches on only when the pre-specified
 * criteria hold (and is audited); a malignant result on a lesion the model called likely benign raises a safety
 * event in the same transaction and the safety rule suspends deferral suggestions at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { recordAssessment, recordBiopsyOutcome } from "../clinical/lesions";
import { recordReview } from "../review/record-review";
import { DeferralChangeRefusedError, enableDeferral } from "./deferral";
import { computeLocalValidation, evaluateLocalCases, LOCAL_VALIDATION_CRITERIA_KEY } from "./local-validation";
import { DEFAULT_LOCAL_VALIDATION_CRITERIA } from "./local-validation-criteria";
import { acknowledgeSafetyEvent, listSafetyEvents } from "./safety-events";

let database: TestDatabase;
let clinician: string;
let admin: string;
let modelId: string;
let serial = 0;

async function scoredLesion(pMalignant: number) {
  const { db } = database;
  serial++;
  const patient = await db.patient.create({ data: { mrn: `S-${serial}`, name: `Patient ${serial}`, fitzpatrickType: 2 } });
  const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: `L${serial}` } });
  const image = await db.lesionImage.create({
    data: { lesionId: lesion.id, contentHash: serial.toString(16).padStart(64, "0"), storageKey: `k${serial}`, width: 600, height: 450, mimeType: "image/png", byteSize: 1, quality: { passed: true, reasons: [] } },
  });
  await db.prediction.create({
    data: { imageId: image.id, modelVersionId: modelId, probabilities: {}, pMalignant, threshold: 0.3, aboveThreshold: pMalignant >= 0.3, backend: "test", latencyMs: 1 },
  });
  return lesion.id;
}

const outcome = (lesionId: string, malignant: boolean) =>
  recordBiopsyOutcome({ db: database.db, actorId: clinician, lesionId, input: { histopathologyDiagnosis: malignant ? "mel" : "nv", reportDate: "2026-11-01" } });

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  clinician = (await db.user.create({ data: { email: "c@x.example", name: "Dr C", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  admin = (await db.user.create({ data: { email: "a@x.example", name: "Admin", role: "ADMIN", passwordHash: "x" } })).id;
  modelId = (await createModelRowWithoutFiles(db, "safety-1")).id;
});
afterAll(() => database.drop());

describe("local validation arithmetic", () => {
  it("counts one case per lesion and gives lesion-level intervals and a local threshold proposal", () => {
    const cases = [
      ...Array.from({ length: 20 }, (_, i) => ({ lesionId: `m${i}`, pMalignant: i < 18 ? 0.6 : 0.1, malignant: true })),
      ...Array.from({ length: 30 }, (_, i) => ({ lesionId: `b${i}`, pMalignant: i < 12 ? 0.5 : 0.05, malignant: false })),
    ];
    const result = evaluateLocalCases(cases, 0.3, { ...DEFAULT_LOCAL_VALIDATION_CRITERIA, minMalignantLesions: 20, minBenignLesions: 30, sensitivityLowerBoundFloor: 0.6 }, 0);
    expect(result.sensitivity).toMatchObject({ successes: 18, trials: 20 });
    expect(result.specificity).toMatchObject({ successes: 18, trials: 30 });
    expect(result.sensitivity.lower!).toBeLessThan(0.9);
    expect(result.criteriaMet).toBe(true);
    expect(result.proposedThreshold!.sensitivity.estimate).toBeGreaterThanOrEqual(0.95);
    expect(result.proposedThreshold!.value).toBeLessThanOrEqual(0.1);
    const strict = evaluateLocalCases(cases, 0.3, DEFAULT_LOCAL_VALIDATION_CRITERIA, 0);
    expect(strict.criteriaMet).toBe(false);
    expect(strict.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(["Malignant lesions", "Sensitivity lower 95% bound"]);
  });
});

describe("shadow mode and the safety monitor", () => {
  it("suggests no deferral while the model is in local validation", async () => {
    const lesionId = await scoredLesion(0.05);
    await recordAssessment({ db: database.db, actorId: clinician, lesionId, input: { impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: null, note: null } });
    const flag = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    expect(flag).toMatchObject({ kind: "LIKELY_BENIGN", deferralSuggested: false });
    expect(flag.reason).toMatch(/model in local validation/);
    expect(flag.reason).not.toMatch(/consider deferring/);
  });

  it("counts only scores made before the outcome, refuses to switch on without the evidence, then switches on and re-words open flags", async () => {
    // 12 biopsied lesions scored before their result: 6 malignant (all above the threshold), 6 benign (below).
    for (let i = 0; i < 6; i++) await outcome(await scoredLesion(0.7), true);
    for (let i = 0; i < 6; i++) await outcome(await scoredLesion(0.1), false);
    // One lesion whose result came first and whose score came afterwards: not evidence.
    const late = await database.db.lesion.create({ data: { patientId: (await database.db.patient.findFirstOrThrow()).id, bodySite: "arm", label: "late" } });
    await outcome(late.id, true);
    const image = await database.db.lesionImage.create({
      data: { lesionId: late.id, contentHash: "f".repeat(64), storageKey: "late", width: 10, height: 10, mimeType: "image/png", byteSize: 1 },
    });
    await database.db.prediction.create({ data: { imageId: image.id, modelVersionId: modelId, probabilities: {}, pMalignant: 0.01, threshold: 0.3, aboveThreshold: false, backend: "test", latencyMs: 1 } });

    // Two lesions the model was trained on (an imported training lesion, a clinic case from a retraining): their
    // answers were in its training data, so they are not local evidence however they scored.
    const imported = await scoredLesion(0.05);
    await database.db.lesion.update({ where: { id: imported }, data: { externalId: "HAM:HAM_0000118" } });
    const retrainedOn = await scoredLesion(0.05);
    await database.db.modelTrainingSet.create({
      data: {
        modelVersionId: modelId,
        source: "test",
        trainLesions: 2,
        valLesions: 0,
        lesions: { create: [{ lesionKey: "source-lesion:HAM_0000118", split: "train" }, { lesionKey: `lesion:${retrainedOn}`, split: "train" }] },
      },
    });
    await outcome(imported, true);
    await outcome(retrainedOn, true);

    const evidence = await computeLocalValidation(database.db, modelId);
    expect(evidence).toMatchObject({ malignantLesions: 6, benignLesions: 6, scoredAfterOutcome: 1, seenInTraining: 2 });
    expect(evidence.sensitivity).toMatchObject({ successes: 6, trials: 6 });
    expect(evidence.criteriaMet).toBe(false);
    await expect(enableDeferral({ db: database.db, actorId: admin, modelVersionId: modelId, reason: "try" })).rejects.toThrow(DeferralChangeRefusedError);
    await expect(enableDeferral({ db: database.db, actorId: admin, modelVersionId: modelId, reason: "try" })).rejects.toThrow(/Malignant lesions: 6 of at least 30/);

    // A deployment with few cases pre-specifies smaller minimums (an admin's versioned choice).
    await database.db.setting.create({
      data: { key: LOCAL_VALIDATION_CRITERIA_KEY, value: { ...DEFAULT_LOCAL_VALIDATION_CRITERIA, version: 2, minMalignantLesions: 5, minBenignLesions: 5, sensitivityLowerBoundFloor: 0.5 } },
    });
    await enableDeferral({ db: database.db, actorId: admin, modelVersionId: modelId, reason: "criteria v2 met" });
    expect(await database.db.modelVersion.findUniqueOrThrow({ where: { id: modelId } })).toMatchObject({ deferralStatus: "ENABLED", deferralReason: "criteria v2 met" });
    const open = await database.db.flag.findFirstOrThrow({ where: { kind: "LIKELY_BENIGN", status: "OPEN" } });
    expect(open).toMatchObject({ deferralSuggested: true });
    expect(open.reason).toMatch(/consider deferring the biopsy/);
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { entityType: "ModelDeferral", entityId: modelId } });
    expect(audit).toMatchObject({ actorId: admin, action: "UPDATE" });
    expect(JSON.stringify(audit.after)).toContain('"criteriaVersion":2');
  });

  it("raises a safety event when the lesion it called likely benign proves malignant, and suspends deferral at once", async () => {
    const open = await database.db.flag.findFirstOrThrow({ where: { kind: "LIKELY_BENIGN", status: "OPEN" } });
    await outcome(open.lesionId, true);
    const events = await listSafetyEvents({ db: database.db });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "CALLED_LIKELY_BENIGN", pMalignant: 0.05, threshold: 0.3, modelVersion: { version: "safety-1" }, lesion: { id: open.lesionId } });
    const model = await database.db.modelVersion.findUniqueOrThrow({ where: { id: modelId } });
    expect(model.deferralStatus).toBe("SUSPENDED");
    expect(model.deferralReason).toMatch(/safety monitor.*Unacknowledged safety events: 1/);
    expect(await database.db.auditLog.count({ where: { entityType: "ModelDeferral", entityId: modelId, actorId: null } })).toBe(1);

    // A new likely-benign flag now says the suggestions are suspended.
    const lesionId = await scoredLesion(0.04);
    await recordAssessment({ db: database.db, actorId: clinician, lesionId, input: { impression: "UNCERTAIN", plan: "BIOPSY", suspectedDiagnosis: null, note: null } });
    const suspended = await database.db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    expect(suspended).toMatchObject({ kind: "LIKELY_BENIGN", deferralSuggested: false });
    expect(suspended.reason).toMatch(/suspended by the safety monitor/);

    // Acknowledged with a note, audited, gone from the open list; deferral stays off until an admin switches it on.
    await acknowledgeSafetyEvent({ db: database.db, actorId: clinician, safetyEventId: events[0]!.id, note: "Patient recalled, excised." });
    expect(await listSafetyEvents({ db: database.db })).toHaveLength(0);
    expect((await listSafetyEvents({ db: database.db, includeAcknowledged: true }))[0]).toMatchObject({ acknowledgement: "Patient recalled, excised.", acknowledgedBy: { name: "Dr C" } });
    expect((await database.db.modelVersion.findUniqueOrThrow({ where: { id: modelId } })).deferralStatus).toBe("SUSPENDED");
  });

  it("refuses stored criteria that do not parse instead of silently using others", async () => {
    await database.db.setting.update({ where: { key: LOCAL_VALIDATION_CRITERIA_KEY }, data: { value: { version: 3, minMalignantLesions: -1 } } });
    await expect(computeLocalValidation(database.db, modelId)).rejects.toThrow(/stored local validation criteria are invalid/);
  });
});

describe("the safety rule on a malignant result that raises no event", () => {
  it("still re-checks the criteria and suspends deferral when the local sensitivity falls below the floor", async () => {
    const { db } = database;
    await db.modelVersion.update({ where: { id: modelId }, data: { status: "RETIRED" } });
    modelId = (await createModelRowWithoutFiles(db, "safety-2")).id;
    await db.setting.update({
      where: { key: LOCAL_VALIDATION_CRITERIA_KEY },
      data: { value: { ...DEFAULT_LOCAL_VALIDATION_CRITERIA, version: 4, minMalignantLesions: 5, minBenignLesions: 2, sensitivityLowerBoundFloor: 0.5, maxUnacknowledgedSafetyEvents: 5 } },
    });
    for (let i = 0; i < 5; i++) await outcome(await scoredLesion(0.7), true);
    for (let i = 0; i < 2; i++) await outcome(await scoredLesion(0.1), false);
    await enableDeferral({ db, actorId: admin, modelVersionId: modelId, reason: "criteria v4 met" });
    // Two cancers the model scored below its threshold, on lesions with no clinical assessment: no flag, so no event.
    for (let i = 0; i < 2; i++) await outcome(await scoredLesion(0.05), true);
    expect(await db.safetyEvent.count({ where: { modelVersionId: modelId } })).toBe(0);
    const model = await db.modelVersion.findUniqueOrThrow({ where: { id: modelId } });
    expect(model.deferralStatus).toBe("SUSPENDED");
    expect(model.deferralReason).toMatch(/Sensitivity lower 95% bound/);
  });
});

describe("a deferred biopsy that proves malignant", () => {
  it("raises a DEFERRED safety event on the reviewer's decision, whatever the flag", async () => {
    const { db } = database;
    const lesionId = await scoredLesion(0.02);
    await recordAssessment({ db, actorId: clinician, lesionId, input: { impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: null, note: null } });
    const flag = await db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
    const followUpDate = new Date(Date.now() + 90 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await recordReview({ db, actorId: admin, input: { flagId: flag.id, decision: "DEFER_MONITOR", reason: "looks benign", note: null, followUpDate } });
    await outcome(lesionId, true);
    const event = await db.safetyEvent.findFirstOrThrow({ where: { lesionId } });
    expect(event).toMatchObject({ kind: "DEFERRED", flagId: flag.id, modelVersionId: modelId, pMalignant: 0.02 });
  });
});
