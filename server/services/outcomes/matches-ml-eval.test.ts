/**
 * The dashboard and the ml module agree: the biopsied (histo) HAM10000 test lesions (ham10000-200, the images the
 * demo model was evaluated on; DermaMNIST's labels and split), imported, scored by the
 * committed demo model through the production scoring path, give the dashboard exactly the avoidable-biopsy and
 * missed-malignancy counts that the ml evaluation reported for the same cases (the model's metrics.json, written by
 * `npm run ml:train` / the benchmark, the same figures `npm run ml:eval` prints per lesion). The dashboard leaves
 * out the test lesions the model saw in train or validation, so it matches the report's lesion-disjoint test part.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAM10000_200_DIR } from "@/ml/data/shared-data";
import type { EvaluationReport } from "@/ml/pipeline";
import { listModelVersions } from "@/ml/store";
import { PRETRAINED_MODELS_DIR } from "@/prisma/seed-demo";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { LocalImageStore } from "../images/local-image-store";
import { disposePredictors } from "../inference/predictors";
import { scoreImages } from "../inference/score-images";
import { importDermamnist } from "../imports/import-dermamnist";
import { installModel } from "../models/install-model";
import { promoteModelVersion } from "../models/registry";
import { getOutcomesDashboard } from "./get-outcomes-dashboard";

let database: TestDatabase;
const scratch = mkdtempSync(path.join(os.tmpdir(), "dermflag-dashboard-vs-eval-"));

beforeAll(async () => {
  database = await createTestDatabase();
  // A DermaMNIST folder holding only the biopsied test rows (the report's "test-histo" subset).
  const subset = path.join(scratch, "dermamnist-test-histo");
  mkdirSync(subset);
  const [header, ...rows] = readFileSync(path.join(HAM10000_200_DIR, "labels.csv"), "utf8").trim().split(/\r?\n/); // ham10000-200's labels.csv has CRLF line ends
  const columns = header!.split(",");
  const split = columns.indexOf("split");
  const dxType = columns.indexOf("dx_type");
  const kept = rows.filter((row) => {
    const cells = row.split(",");
    return cells[split] === "test" && cells[dxType] === "histo";
  });
  writeFileSync(path.join(subset, "labels.csv"), [header, ...kept].join("\n") + "\n");
  symlinkSync(path.join(HAM10000_200_DIR, "images"), path.join(subset, "images"));

  const { db } = database;
  const store = new LocalImageStore(path.join(scratch, "images"));
  const newest = listModelVersions(PRETRAINED_MODELS_DIR).at(-1)!;
  const model = await installModel({ db, sourceDir: newest.dir, storeDir: path.join(scratch, "models") });
  await promoteModelVersion({ db, actorId: null, modelVersionId: model.id, overrideReason: "test" });
  const summary = await importDermamnist({ db, store, folder: subset });
  expect(summary.rejected).toEqual([]);
  const imageIds = (await db.lesionImage.findMany({ select: { id: true } })).map((image) => image.id);
  const scored = await scoreImages({ db, store, imageIds });
  expect(scored.failed).toEqual([]);
}, 300_000);

afterAll(async () => {
  await disposePredictors();
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("dashboard vs ml evaluation", () => {
  it("gives the same avoidable-biopsy and missed-malignancy counts for the same biopsied lesions", async () => {
    const model = await database.db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });
    const report = JSON.parse(readFileSync(path.join(model.storagePath, "metrics.json"), "utf8")) as EvaluationReport;
    // The dashboard leaves out the test lesions the model also saw in train or val (installModel recorded its
    // training lesions from ham10000-200's split): what is left is the report's lesion-disjoint biopsied part.
    const expected = report.lesionDisjointTest!.biopsy!.perLesion;
    const allHisto = report.histoTest!.biopsy!.perLesion;

    const dashboard = await getOutcomesDashboard({ db: database.db, query: { modelVersionId: model.id } });
    const biopsy = dashboard.modelOutcomes!.biopsy;
    expect(dashboard.modelOutcomes!.unscoredBiopsied).toBe(0);
    expect(dashboard.modelOutcomes!.trainingCases).toMatchObject({
      recorded: true,
      leftOutBiopsied: allHisto.benignBiopsied + allHisto.malignantBiopsied - expected.benignBiopsied - expected.malignantBiopsied,
    });
    expect(dashboard.modelOutcomes!.trainingCases.leftOutBiopsied).toBeGreaterThan(0);
    expect({
      benignBiopsied: biopsy.benignBiopsied,
      benignCalledLikelyBenign: biopsy.benignCalledLikelyBenign,
      malignantBiopsied: biopsy.malignantBiopsied,
      malignantMissed: biopsy.malignantMissed,
    }).toEqual({
      benignBiopsied: expected.benignBiopsied,
      benignCalledLikelyBenign: expected.benignCalledLikelyBenign,
      malignantBiopsied: expected.malignantBiopsied,
      malignantMissed: expected.malignantMissed,
    });
  });
});
