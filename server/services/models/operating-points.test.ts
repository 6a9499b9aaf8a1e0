/**
 * Operating points against a real PostgreSQL: adopting the local threshold proposal is a new, audited version (the
 * history is kept, the database refuses edits), open flags are recomputed at it by the queued sweep, local validation
 * evaluates the model at it, and reverting to the validation threshold is one more version.
 */
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBoss } from "../../jobs/boss";
import { queuedScoreSweeps } from "../../testing/queued-jobs";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { recordAssessment, recordBiopsyOutcome } from "../clinical/lesions";
import { recomputeStaleFlags } from "../flags/recompute-flags";
import { computeLocalValidation, LOCAL_VALIDATION_CRITERIA_KEY } from "../safety/local-validation";
import { DEFAULT_LOCAL_VALIDATION_CRITERIA } from "../safety/local-validation-criteria";
import { operatingPointInForce } from "./operating-point-in-force";
import { adoptLocalThreshold, listOperatingPoints, revertToValidationThreshold } from "./operating-points";

let database: TestDatabase;
let boss: PgBoss;
let admin: string;
let dermatologist: string;
let modelId: string;
let serial = 0;
const VALIDATION_THRESHOLD = 0.3;

async function scoredLesion(pMalignant: number) {
  const { db } = database;
  serial++;
  const patient = await db.patient.create({ data: { mrn: `OP-${serial}`, name: `Patient ${serial}`, fitzpatrickType: 2 } });
  const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: `L${serial}` } });
  const image = await db.lesionImage.create({
    data: { lesionId: lesion.id, contentHash: serial.toString(16).padStart(64, "0"), storageKey: `k${serial}`, width: 600, height: 450, mimeType: "image/png", byteSize: 1, quality: { passed: true, reasons: [] } },
  });
  await db.prediction.create({
    data: { imageId: image.id, modelVersionId: modelId, probabilities: {}, pMalignant, threshold: VALIDATION_THRESHOLD, aboveThreshold: pMalignant >= VALIDATION_THRESHOLD, backend: "test", latencyMs: 1 },
  });
  return lesion.id;
}

/** An open case: a planned biopsy the clinician suspects, scored `pMalignant`. */
async function openCase(pMalignant: number) {
  const lesionId = await scoredLesion(pMalignant);
  await recordAssessment({ db: database.db, actorId: dermatologist, lesionId, input: { impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: null, note: null } });
  return lesionId;
}

const openFlag = (lesionId: string) => database.db.flag.findFirst({ where: { lesionId, status: "OPEN" }, select: { kind: true, threshold: true } });

const sweepJobs = () => queuedScoreSweeps(database.db);

beforeAll(async () => {
  database = await createTestDatabase();
  boss = await startBoss(database.url, "sender");
  const { db } = database;
  admin = (await db.user.create({ data: { email: "a@x.example", name: "Admin", role: "ADMIN", passwordHash: "x" } })).id;
  dermatologist = (await db.user.create({ data: { email: "d@x.example", name: "Dr D", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  // A bare registry row: no operating point rows yet (its validation threshold is version 1).
  modelId = (await createModelRowWithoutFiles(db, "op-1", { threshold: VALIDATION_THRESHOLD })).id;
  await db.setting.create({
    data: { key: LOCAL_VALIDATION_CRITERIA_KEY, value: { ...DEFAULT_LOCAL_VALIDATION_CRITERIA, version: 3, minMalignantLesions: 5, minBenignLesions: 5, sensitivityLowerBoundFloor: 0.5 } },
  });
  // Local evidence, scored before the results: malignant lesions score 0.45 and up, benign ones 0.05.
  for (const p of [0.9, 0.8, 0.7, 0.6, 0.5, 0.45]) {
    const lesionId = await scoredLesion(p);
    await recordBiopsyOutcome({ db, actorId: dermatologist, lesionId, input: { histopathologyDiagnosis: "mel", reportDate: "2026-11-01" } });
  }
  for (let i = 0; i < 6; i++) {
    const lesionId = await scoredLesion(0.05);
    await recordBiopsyOutcome({ db, actorId: dermatologist, lesionId, input: { histopathologyDiagnosis: "nv", reportDate: "2026-11-01" } });
  }
});
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await database?.drop();
});

describe("operating points", () => {
  it("adopts the local threshold as a new audited version, recomputes open flags at it, and reverts as another version", async () => {
    const { db } = database;
    expect(await operatingPointInForce(db, modelId)).toEqual({ id: null, version: 1, threshold: VALIDATION_THRESHOLD, source: "VALIDATION" });
    // Two open cases: one the model agrees with at 0.3 (no flag), one it calls likely benign.
    const agreed = await openCase(0.4);
    const likelyBenign = await openCase(0.2);
    expect(await openFlag(agreed)).toBeNull();
    expect(await openFlag(likelyBenign)).toMatchObject({ kind: "LIKELY_BENIGN", threshold: VALIDATION_THRESHOLD });

    const local = await computeLocalValidation(db, modelId);
    const proposal = local.proposedThreshold!.value;
    expect(proposal).toBeGreaterThan(0.4);
    expect(proposal).toBeLessThanOrEqual(0.45);

    // Only an admin, only the proposal the admin saw, only with the queued re-scoring.
    await expect(
      adoptLocalThreshold({ db, boss, actorId: dermatologist, modelVersionId: modelId, expectedThreshold: proposal, reason: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      adoptLocalThreshold({ db, boss, actorId: admin, modelVersionId: modelId, expectedThreshold: 0.2, reason: "x" }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("changed since the page was loaded") });
    const broken = new PgBoss({ connectionString: database.url, schema: "pgboss_missing" });
    await expect(adoptLocalThreshold({ db, boss: broken, actorId: admin, modelVersionId: modelId, expectedThreshold: proposal, reason: "x" })).rejects.toThrow();
    expect(await db.operatingPoint.count({ where: { modelVersionId: modelId } })).toBe(0);

    const jobsBefore = await sweepJobs();
    const adopted = await adoptLocalThreshold({ db, boss, actorId: admin, modelVersionId: modelId, expectedThreshold: proposal, reason: "our dermatoscopes score higher" });
    expect(adopted).toMatchObject({ version: 2, threshold: proposal, source: "LOCAL", deferralSuspended: false });
    expect(await sweepJobs()).toBe(jobsBefore + 1);
    expect(await operatingPointInForce(db, modelId)).toMatchObject({ version: 2, threshold: proposal, source: "LOCAL" });
    const history = await listOperatingPoints({ db, modelVersionId: modelId });
    expect(history.map((p) => [p.version, p.source, p.threshold])).toEqual([
      [2, "LOCAL", proposal],
      [1, "VALIDATION", VALIDATION_THRESHOLD],
    ]);
    expect(history[0]!.evidence).toMatchObject({ criteriaVersion: 3, malignantLesions: 6, benignLesions: 6 });
    expect(history[0]!.adoptedBy).toEqual({ name: "Admin" });
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "ADOPT", entityId: adopted.id } });
    expect(audit).toMatchObject({ actorId: admin, entityType: "OperatingPoint" });
    expect(audit.after).toMatchObject({ version: 2, source: "LOCAL", reason: "our dermatoscopes score higher" });

    // Local validation now evaluates the model at the adopted threshold.
    expect((await computeLocalValidation(db, modelId)).threshold).toBe(proposal);

    // The sweep the adoption queued brings open flags to the new threshold.
    await recomputeStaleFlags({ db });
    expect(await openFlag(agreed)).toMatchObject({ kind: "LIKELY_BENIGN", threshold: proposal });
    expect(await openFlag(likelyBenign)).toMatchObject({ kind: "LIKELY_BENIGN", threshold: proposal });

    // History is never edited.
    await expect(db.operatingPoint.update({ where: { id: adopted.id }, data: { threshold: 0.9 } })).rejects.toThrow(/append-only/);
    await expect(db.operatingPoint.delete({ where: { id: adopted.id } })).rejects.toThrow(/append-only/);

    // Reverting is a third version; the flags follow it back.
    const reverted = await revertToValidationThreshold({ db, boss, actorId: admin, modelVersionId: modelId, reason: "pending more local cases" });
    expect(reverted).toMatchObject({ version: 3, threshold: VALIDATION_THRESHOLD, source: "VALIDATION" });
    await expect(revertToValidationThreshold({ db, boss, actorId: admin, modelVersionId: modelId, reason: "again" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await listOperatingPoints({ db, modelVersionId: modelId })).map((p) => p.version)).toEqual([3, 2, 1]);
    await recomputeStaleFlags({ db });
    expect(await openFlag(agreed)).toBeNull();
    expect(await openFlag(likelyBenign)).toMatchObject({ kind: "LIKELY_BENIGN", threshold: VALIDATION_THRESHOLD });
  });

  it("is refused for a model that is not active", async () => {
    const retired = await database.db.modelVersion.create({
      data: { version: "op-retired", status: "RETIRED", architecture: "t", inputSize: 28, threshold: 0.5, targetSensitivity: 0.95, metrics: {}, storagePath: "/x", sha256: "0".repeat(64), trainingDataHash: "x", codeVersion: "x" },
    });
    await expect(revertToValidationThreshold({ db: database.db, boss, actorId: admin, modelVersionId: retired.id, reason: "x" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
  });
});
