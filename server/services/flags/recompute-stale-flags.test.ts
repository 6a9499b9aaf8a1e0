/** Regression: after promote -> roll back, no open flag may stay on the retired model's score. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { recordAssessment } from "../clinical/lesions";
import { recordReview } from "../review/record-review";
import { recomputeStaleFlags } from "./recompute-flags";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const activate = async (id: string) => {
  await database.db.modelVersion.updateMany({ where: { status: "ACTIVE" }, data: { status: "RETIRED" } });
  await database.db.modelVersion.update({ where: { id }, data: { status: "ACTIVE" } });
};

describe("recomputeStaleFlags", () => {
  it("moves an open flag of a retired model back to the active one, even when the active model's own flag was decided", async () => {
    const { db } = database;
    const reviewer = (await db.user.create({ data: { email: "r@x.example", name: "Dr R", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
    const a = await createModelRowWithoutFiles(db, "model-a");
    const b = await createModelRowWithoutFiles(db, "model-b", { status: "RETIRED" });
    const patient = await db.patient.create({ data: { mrn: "R-1", name: "Roll Back", fitzpatrickType: 2 } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "L" } });
    const image = await db.lesionImage.create({ data: { lesionId: lesion.id, contentHash: "a".repeat(64), storageKey: "k", width: 10, height: 10, mimeType: "image/png", byteSize: 1, quality: { passed: true, reasons: [] } } });
    for (const [model, p] of [[a, 0.1], [b, 0.05]] as const) {
      await db.prediction.create({ data: { imageId: image.id, modelVersionId: model.id, probabilities: {}, pMalignant: p, threshold: 0.3, aboveThreshold: false, backend: "t", latencyMs: 1 } });
    }
    await recordAssessment({ db, actorId: reviewer, lesionId: lesion.id, input: { impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: null, note: null } });
    const flagA = await db.flag.findFirstOrThrow({ where: { lesionId: lesion.id, status: "OPEN" } });
    expect(flagA.modelVersionId).toBe(a.id);
    await recordReview({ db, actorId: reviewer, input: { flagId: flagA.id, decision: "PROCEED_BIOPSY", reason: null, note: null, followUpDate: null } });

    // Promote B: the case gets B's flag.
    await activate(b.id);
    await recomputeStaleFlags({ db });
    expect(await db.flag.findFirstOrThrow({ where: { lesionId: lesion.id, status: "OPEN" } })).toMatchObject({ modelVersionId: b.id, pMalignant: 0.05 });

    // Roll back to A: B's open flag must go (A's decision covers A's score); nothing open stays on B.
    await activate(a.id);
    await recomputeStaleFlags({ db });
    expect(await db.flag.count({ where: { lesionId: lesion.id, status: "OPEN", modelVersionId: b.id } })).toBe(0);
    expect(await db.flag.count({ where: { lesionId: lesion.id, status: "OPEN" } })).toBe(0);
  });
});
