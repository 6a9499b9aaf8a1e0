/**
 * Training lesion keys; the committed demo model's training set, from the training-lesions.json it carries and, for a
 * model directory without one (models saved before it existed), from the real data sets by its recorded data hashes
 * (ham10000-200 and dermamnist-28 carry the same official split); recorded at installation.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageRecord } from "@/ml/data";
import { DERMAMNIST_28_DIR, HAM10000_200_DIR, SHARED_DATA_DIR } from "@/ml/data/shared-data";
import { listModelVersions, MANIFEST_JSON, readModelDirectory, TRAINING_LESIONS_JSON } from "@/ml/store";
import { PRETRAINED_MODELS_DIR } from "@/prisma/seed-demo";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { getOutcomesDashboard } from "../outcomes/get-outcomes-dashboard";
import { installModel } from "./install-model";
import { sourceIdOf } from "../imports/research-subject";
import { keyOfMlLesionKey, keyOfRecord, trainingLesionsOfModelDirectory, trainingLesionsOfRecords } from "./training-lesions";

const record = (values: Partial<ImageRecord> & Pick<ImageRecord, "id" | "split">): ImageRecord => ({
  file: "/x.jpg",
  diagnosis: null,
  malignant: false,
  lesionId: null,
  dxType: null,
  age: null,
  sex: null,
  site: null,
  ...values,
});

describe("lesion keys", () => {
  it("name data-set lesions, data-set images without a lesion, and clinic lesions", () => {
    expect(keyOfRecord(record({ id: "ISIC_0027615", split: "train", lesionId: "HAM_0006180" }))).toBe("source-lesion:HAM_0006180");
    expect(keyOfRecord(record({ id: "train/benign/ISIC_0000123.jpg", split: "train" }))).toBe("source-image:ISIC_0000123");
    // Clinic records (clinic-cases.ts): a lesion of the clinic's own, or an imported one with its data-set id.
    expect(keyOfRecord(record({ id: "clinic:img1", split: "val", lesionId: "clinic-cl0abc" }))).toBe("lesion:cl0abc");
    expect(keyOfRecord(record({ id: "clinic:img2", split: "train", lesionId: "ISIC2019-180:HAM_0000118" }))).toBe("source-lesion:HAM_0000118");
    expect(keyOfMlLesionKey("image:test\\malignant\\ISIC_0000001.png")).toBe("source-image:ISIC_0000001");
    expect(() => keyOfMlLesionKey("HAM_0000118")).toThrow(/not an ml\/data lesion key/);
    expect(sourceIdOf("HAM:HAM_0000118")).toBe("HAM_0000118");
  });

  it("take the labelled train and validation lesions only, a lesion in both as train", () => {
    const lesions = trainingLesionsOfRecords([
      record({ id: "a", split: "train", lesionId: "HAM_1" }),
      record({ id: "b", split: "val", lesionId: "HAM_1" }),
      record({ id: "c", split: "val", lesionId: "HAM_2" }),
      record({ id: "d", split: "test", lesionId: "HAM_3" }),
      record({ id: "e", split: "train", lesionId: "HAM_4", malignant: null }),
    ]);
    expect([...lesions].sort()).toEqual([
      ["source-lesion:HAM_1", "train"],
      ["source-lesion:HAM_2", "val"],
    ]);
  });
});

describe("the committed demo model's training lesions", () => {
  const committed = readModelDirectory(listModelVersions(PRETRAINED_MODELS_DIR).at(-1)!.dir);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "dermflag-training-lesions-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** The same model directory as saved before training-lesions.json existed: the file and its manifest entry removed. */
  function withoutTrainingLesionsFile() {
    const dir = path.join(scratch, "legacy", committed.version);
    cpSync(committed.dir, dir, { recursive: true });
    rmSync(path.join(dir, TRAINING_LESIONS_JSON));
    const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST_JSON), "utf8")) as { files: { path: string }[] };
    manifest.files = manifest.files.filter((file) => file.path !== TRAINING_LESIONS_JSON);
    writeFileSync(path.join(dir, MANIFEST_JSON), JSON.stringify(manifest, null, 2) + "\n");
    return readModelDirectory(dir);
  }
  const demo = withoutTrainingLesionsFile();

  const officialTrainAndVal = () => {
    const labels = readFileSync(path.join(HAM10000_200_DIR, "labels.csv"), "utf8").trim().split(/\r?\n/).slice(1).map((line) => line.split(","));
    return new Set(labels.filter((cells) => cells[1] === "train" || cells[1] === "val").map((cells) => `source-lesion:${cells[4]}`));
  };

  it("are listed in the model directory itself (training-lesions.json, hash-checked with the rest): HAM10000's official train + validation split", () => {
    expect(committed.trainingLesions).not.toBeNull();
    const set = trainingLesionsOfModelDirectory(committed, [])!;
    expect(set.source).toBe(`${TRAINING_LESIONS_JSON} in the model directory`);
    expect(new Set(set.lesions.keys())).toEqual(officialTrainAndVal());
  });

  /** A folder holding only the named data sets (linked). */
  function rootWith(name: string, datasets: Record<string, string>): string {
    const root = path.join(scratch, name);
    mkdirSync(root);
    for (const [link, target] of Object.entries(datasets)) symlinkSync(target, path.join(root, link));
    return root;
  }

  it("without the file, come from HAM10000's official train + validation split, checked against the model's data hashes", () => {
    const set = trainingLesionsOfModelDirectory(demo, [SHARED_DATA_DIR])!;
    expect(set.source).toMatch(/^ham10000-200: /);
    // labels.csv: 8,010 train + val images of 6,316 HAM10000 lesions (lesion-safe: none is also in test's place).
    const expected = officialTrainAndVal();
    expect(expected.size).toBe(6316);
    expect(new Set(set.lesions.keys())).toEqual(expected);
    expect([...set.lesions.values()].filter((split) => split === "train").length).toBeGreaterThan(5000);
  });

  it("are found in another copy of the same split (dermamnist-28), but not in a data set whose split differs", () => {
    const copy = trainingLesionsOfModelDirectory(demo, [rootWith("copy", { "dermamnist-28": DERMAMNIST_28_DIR })])!;
    expect(copy.source).toMatch(/^dermamnist-28: /);
    expect(copy.lesions.size).toBe(6316);

    // One training row moved to validation: the hashes no longer match, so nothing is claimed.
    const changed = path.join(scratch, "changed-split");
    mkdirSync(changed);
    const lines = readFileSync(path.join(DERMAMNIST_28_DIR, "labels.csv"), "utf8").trim().split("\n");
    lines[1] = lines[1]!.replace(",train,", ",val,");
    writeFileSync(path.join(changed, "labels.csv"), lines.join("\n") + "\n");
    symlinkSync(path.join(DERMAMNIST_28_DIR, "images"), path.join(changed, "images"));
    expect(trainingLesionsOfModelDirectory(demo, [rootWith("changed", { "ham10000-200": changed })])).toBeNull();
    expect(trainingLesionsOfModelDirectory(demo, [path.join(scratch, "no-such-folder")])).toBeNull();
  });

  describe("installation", () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(() => database.drop());

    it("records them with the version in one step; a version whose training cases cannot be established says so", async () => {
      const { db } = database;
      const unknown = await installModel({ db, sourceDir: demo.dir, storeDir: path.join(scratch, "store-a"), dataRoots: [] });
      expect(unknown.trainingLesions).toBeNull();
      expect(await db.modelTrainingSet.count()).toBe(0);
      const dashboard = await getOutcomesDashboard({ db, query: { modelVersionId: unknown.id } });
      expect(dashboard.modelOutcomes!.trainingCases).toMatchObject({ recorded: false, leftOutBiopsied: 0 });

      // Registering the same directory again with its data set at hand records them (the version itself is unchanged).
      const known = await installModel({ db, sourceDir: demo.dir, storeDir: path.join(scratch, "store-a"), dataRoots: [SHARED_DATA_DIR] });
      expect(known.id).toBe(unknown.id);
      expect(known.trainingLesions).toEqual({ source: expect.stringMatching(/^ham10000-200: /), lesions: 6316 });
      const set = await db.modelTrainingSet.findUniqueOrThrow({ where: { modelVersionId: known.id } });
      expect(set.trainLesions + set.valLesions).toBe(6316);
      expect(await db.modelTrainingLesion.count({ where: { modelVersionId: known.id } })).toBe(6316);
    }, 120_000);
  });
});
