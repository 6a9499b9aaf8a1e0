/**
 * models.list answers with what the Models page shows (headline figures, gates, operating point in force), never the
 * stored evaluation report: measured on the committed demo model, whose report is about 200 KB.
 */
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listModelVersions as listModelDirectories, readModelDirectory } from "@/ml/store";
import type { EvaluationReport } from "@/ml/pipeline";
import { PRETRAINED_MODELS_DIR } from "@/prisma/seed-demo";
import type { SessionUser } from "../../auth/session";
import { evaluatePromotionGates } from "../../services/models/promotion-gates";
import { headlineMetrics, registerModelVersion } from "../../services/models/registry";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { createCaller } from "../root";

const MODELS = 12;
/** Bytes per row of the answer: a row is about 1 KB (ids, figures, the gates' sentences); the report is ~200 KB. */
const BYTES_PER_MODEL = 2_000;

let database: TestDatabase;
let report: EvaluationReport;
const admin: SessionUser = { id: "", email: "admin@models.example", name: "Admin", role: "ADMIN" };

beforeAll(async () => {
  database = await createTestDatabase();
  admin.id = (await database.db.user.create({ data: { email: admin.email, name: admin.name, role: admin.role, passwordHash: "x" } })).id;
  const demo = readModelDirectory(listModelDirectories(PRETRAINED_MODELS_DIR).at(-1)!.dir);
  report = demo.metrics as EvaluationReport;
  const gateResults = evaluatePromotionGates({
    targetSensitivity: 0.95,
    aucTolerance: 0.01,
    candidate: { sensitivity: report.test.binary.metrics.sensitivity.estimate, auc: report.test.binary.auc },
    active: null,
  });
  const registered = await registerModelVersion({ db: database.db, modelDir: demo.dir, gateResults });
  const row = await database.db.modelVersion.findUniqueOrThrow({ where: { id: registered.id } });
  // Further versions carrying the same ~200 KB report, as a registry grows with every retraining.
  for (let index = 1; index < MODELS; index += 1) {
    const { id: _id, createdAt: _createdAt, metrics, gateResults: gates, ...rest } = row;
    await database.db.modelVersion.create({
      data: { ...rest, version: `${row.version}-copy-${index}`, metrics: metrics ?? {}, gateResults: gates ?? undefined },
    });
  }
}, 60_000);
afterAll(() => database.drop());

describe("models.list", () => {
  it("gives each version's headline figures and gates, parsed, without its evaluation report", async () => {
    const versions = await createCaller({ db: database.db, user: admin }).models.list();
    expect(versions).toHaveLength(MODELS);
    const first = versions.find((version) => !version.version.includes("-copy-"))!;
    expect(first.headline).toEqual(headlineMetrics(report));
    expect(first.gates?.checks.map((check) => check.name)).toContain("sensitivity");
    expect(first.gatesVerdict).toEqual({ passed: first.gates!.passed, reason: first.gates!.passed ? null : "it did not pass the promotion gates" });
    expect(first.operatingPointInForce).toMatchObject({ version: 1, source: "VALIDATION" });
    expect(Object.keys(first)).not.toContain("metrics");
  });

  it(`stays under ${BYTES_PER_MODEL} bytes a version on the wire`, async () => {
    const versions = await createCaller({ db: database.db, user: admin }).models.list();
    const bytes = Buffer.byteLength(JSON.stringify(superjson.serialize(versions)));
    const stored = Buffer.byteLength(JSON.stringify(report));
    expect(stored).toBeGreaterThan(100_000);
    expect(bytes).toBeLessThan(MODELS * BYTES_PER_MODEL);
  });

  it("reads a version registered without a headline (older rows) as having none", async () => {
    await createModelRowWithoutFiles(database.db, "bare-1");
    const versions = await createCaller({ db: database.db, user: admin }).models.list();
    expect(versions.find((version) => version.version === "bare-1")).toMatchObject({ headline: null, gates: null, gatesVerdict: { passed: false } });
    await database.db.modelVersion.delete({ where: { version: "bare-1" } });
  });
});
