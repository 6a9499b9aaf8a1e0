import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBoss } from "../../jobs/boss";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { saveFixtureModel } from "../../testing/model-fixtures";
import { evaluatePromotionGates } from "./promotion-gates";
import { listModelVersions, promoteModelVersion, registerModelVersion, rollBackModel } from "./registry";

let database: TestDatabase;
let adminId: string;
let boss: PgBoss;
const modelsDir = mkdtempSync(path.join(os.tmpdir(), "dermflag-registry-"));

async function registerFixture(version: string, separation: number) {
  const { report, saved } = await saveFixtureModel({ modelsDir, version, separation });
  const active = await database.db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true, metrics: true } });
  const gates = evaluatePromotionGates({
    targetSensitivity: 0.95,
    aucTolerance: 0.01,
    candidate: { sensitivity: report.test.binary.metrics.sensitivity.estimate, auc: report.test.binary.auc },
    active: active ? { version: active.version, auc: (active.metrics as { headline: { testAuc: number } }).headline.testAuc } : null,
  });
  return registerModelVersion({ db: database.db, modelDir: saved.dir, gateResults: gates });
}

beforeAll(async () => {
  // Building the tiny fixture model needs a backend; the registry itself runs no model.
  await tf.setBackend("cpu");
  database = await createTestDatabase();
  boss = await startBoss(database.url, "sender");
  adminId = (await database.db.user.create({ data: { email: "admin@x.example", name: "Admin", role: "ADMIN", passwordHash: "x" } })).id;
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await database.drop();
  rmSync(modelsDir, { recursive: true, force: true });
});

describe("model registry", () => {
  it("registers, promotes through the gates, refuses a failing candidate without a reason, overrides with one, and rolls back", async () => {
    const good = await registerFixture("good-1", 0.3);
    expect(good.status).toBe("CANDIDATE");
    // Registration records operating point version 1: the validation threshold.
    expect(await database.db.operatingPoint.findMany({ where: { modelVersionId: good.id }, select: { version: true, threshold: true, source: true } })).toEqual([
      { version: 1, threshold: good.threshold, source: "VALIDATION" },
    ]);
    await promoteModelVersion({ db: database.db, actorId: adminId, modelVersionId: good.id });

    const worse = await registerFixture("worse-2", 0.02);
    await expect(promoteModelVersion({ db: database.db, actorId: adminId, modelVersionId: worse.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    await promoteModelVersion({ db: database.db, actorId: adminId, modelVersionId: worse.id, overrideReason: "trial on site B" });
    let versions = await listModelVersions({ db: database.db });
    expect(versions.find((v) => v.status === "ACTIVE")?.version).toBe("worse-2");
    expect(versions.find((v) => v.version === "good-1")?.status).toBe("RETIRED");

    await rollBackModel({ db: database.db, boss, actorId: adminId, reason: "more false reassurance" });
    versions = await listModelVersions({ db: database.db });
    expect(versions.filter((v) => v.status === "ACTIVE").map((v) => v.version)).toEqual(["good-1"]);

    const audit = await database.db.auditLog.findMany({ where: { entityType: "ModelVersion" }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => entry.action)).toEqual(["PROMOTE", "PROMOTE", "ROLLBACK"]);
    expect(audit[1]?.after).toMatchObject({ override: true, reason: "trial on site B" });
  });

  it("registers the same model directory once", async () => {
    const first = await registerFixture("same-3", 0.3);
    const again = await registerModelVersion({ db: database.db, modelDir: path.join(modelsDir, "same-3"), gateResults: { passed: true, checks: [] } });
    expect(again.id).toBe(first.id);
  });
});
