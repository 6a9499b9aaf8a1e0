import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError } from "@/ml/data/dataset-error";
import { HAM10000_SAMPLE_DIR } from "@/ml/data/shared-data";
import { DEFAULT_IMAGE_LIMITS } from "@/server/services/images/image-limits";
import { LocalImageStore } from "@/server/services/images/local-image-store";
import { tempFolder } from "@/server/services/images/test-images";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { importHam10000 } from "./import-ham10000";

let database: TestDatabase;
const folder = tempFolder("import-ham10000-");
const limits = { ...DEFAULT_IMAGE_LIMITS };

const metadata = readFileSync(path.join(HAM10000_SAMPLE_DIR, "HAM10000_metadata.csv"), "utf8").trim().split(/\r?\n/);
const sampleRows = metadata.slice(1).map((line) => {
  const [lesionId, imageId, dx, dxType, age, sex, site] = line.split(",") as [string, string, string, string, string, string, string];
  return { lesionId, imageId, dx, dxType, age, sex, site };
});

/** A copy of the sample (images and CSV) that a test can damage. */
function copySample(name: string, editCsv: (lines: string[]) => string[]): string {
  const dir = path.join(folder.dir, name);
  mkdirSync(path.join(dir, "images"), { recursive: true });
  for (const file of readdirSync(path.join(HAM10000_SAMPLE_DIR, "images"))) {
    copyFileSync(path.join(HAM10000_SAMPLE_DIR, "images", file), path.join(dir, "images", file));
  }
  writeFileSync(path.join(dir, "HAM10000_metadata.csv"), `${editCsv([...metadata]).join("\n")}\n`);
  return dir;
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  folder.remove();
});

describe("importHam10000", () => {
  it("imports the 70 sample images as lesions with research patients and confirmed outcomes; a second run adds nothing", async () => {
    const { db } = database;
    const store = new LocalImageStore(path.join(folder.dir, "store-real"));
    const progress: [number, number][] = [];
    const imported: number[] = [];
    const summary = await importHam10000({
      db,
      store,
      folder: HAM10000_SAMPLE_DIR,
      limits,
      onProgress: (d, t, counts) => (progress.push([d, t]), imported.push(counts.imported)),
    });
    const lesionIds = new Set(sampleRows.map((r) => r.lesionId));
    expect(summary).toMatchObject({ total: 70, imported: 70, skippedDuplicate: 0, rejected: [], lesionsCreated: lesionIds.size, outcomesCreated: lesionIds.size });
    expect(progress.at(-1)).toEqual([70, 70]);
    // Live: the imported count grows with the progress (the admin page showed "0 imported" until the end).
    expect(imported.at(-1)).toBe(70);
    expect(imported.some((count, i) => count > 0 && progress[i]![0] < 70)).toBe(true);
    expect(imported).toEqual([...imported].sort((a, b) => a - b));

    const histo = sampleRows.find((r) => r.dxType === "histo" && r.dx === "mel")!;
    const lesion = await db.lesion.findUniqueOrThrow({
      where: { externalId: `HAM:${histo.lesionId}` },
      include: { patient: true, biopsyOutcomes: true, images: true },
    });
    expect(lesion.patient).toMatchObject({ mrn: `HAM-${histo.lesionId}`, fitzpatrickType: null, sex: histo.sex === "male" ? "MALE" : "FEMALE" });
    expect(lesion.patient.birthDate?.toISOString().slice(0, 10)).toBe(`${2018 - Number(histo.age)}-07-01`);
    expect(lesion.bodySite).toBe(histo.site);
    expect(lesion.biopsyOutcomes).toHaveLength(1);
    expect(lesion.biopsyOutcomes[0]).toMatchObject({ histopathologyDiagnosis: "mel", malignant: true, confirmation: "histo" });
    expect(lesion.images.map((i) => i.externalId)).toContain(`HAM:${histo.imageId}`);

    const followUp = sampleRows.find((r) => r.dxType === "follow_up")!;
    const outcome = await db.biopsyOutcome.findFirstOrThrow({ where: { lesion: { externalId: `HAM:${followUp.lesionId}` } } });
    expect(outcome).toMatchObject({ histopathologyDiagnosis: followUp.dx, malignant: false, confirmation: "follow_up" });
    expect(await db.auditLog.count({ where: { action: "IMPORT", entityType: "LesionImage" } })).toBe(70);

    const counts = async () => ({
      images: await db.lesionImage.count(),
      lesions: await db.lesion.count(),
      patients: await db.patient.count(),
      outcomes: await db.biopsyOutcome.count(),
      audit: await db.auditLog.count(),
    });
    const before = await counts();
    const again = await importHam10000({ db, store, folder: HAM10000_SAMPLE_DIR, limits });
    expect(again).toMatchObject({ total: 70, imported: 0, skippedDuplicate: 70, rejected: [], lesionsCreated: 0 });
    expect(await counts()).toEqual(before);

    // The same pictures under another data-set code are duplicates by content, and create no empty lesions.
    const renamed = await importHam10000({ db, store, folder: HAM10000_SAMPLE_DIR, limits, datasetCode: "HAMCOPY" });
    expect(renamed).toMatchObject({ imported: 0, skippedDuplicate: 70, lesionsCreated: 0, patientsCreated: 0 });
    expect(await counts()).toEqual(before);
  });

  it("stops with the file and the column when a required column is missing", async () => {
    const dir = copySample("missing-column", (lines) => lines.map((line) => line.split(",").filter((_, i) => i !== 2).join(",")));
    const store = new LocalImageStore(path.join(folder.dir, "store-missing"));
    const attempt = importHam10000({ db: database.db, store, folder: dir, limits });
    await expect(attempt).rejects.toBeInstanceOf(DatasetError);
    await expect(attempt).rejects.toThrow(/HAM10000_metadata\.csv:1: missing column\(s\) "dx"/);
  });

  it("reports bad rows, missing and corrupt images with their reasons, and imports the rest", async () => {
    const dir = copySample("bad-rows", (lines) => {
      const edited = [...lines];
      edited[1] = edited[1]!.replace(/,(bkl|nv|mel|bcc|akiec|df|vasc),/, ",banana,"); // line 2: bad dx
      edited[2] = edited[2]!.split(",").map((v, i) => (i === 4 ? "old" : v)).join(","); // line 3: bad age
      edited[3] = edited[3]!.replace(/ISIC_\d+/, "ISIC_9999999"); // line 4: no such image file
      return edited;
    });
    const corruptRow = sampleRows[4]!; // line 6
    const corruptFile = path.join(dir, "images", `${corruptRow.imageId}.jpg`);
    writeFileSync(corruptFile, readFileSync(corruptFile).subarray(0, 3000));
    const store = new LocalImageStore(path.join(folder.dir, "store-bad"));
    const own = await createTestDatabase();
    const summary = await importHam10000({ db: own.db, store, folder: dir, limits }).finally(() => own.drop());

    expect(summary.total).toBe(70);
    const byRow = new Map(summary.rejected.map((r) => [r.row, r.reason]));
    expect(summary.rejected).toHaveLength(4);
    expect(byRow.get(2)).toMatch(/column "dx" = "banana"/);
    expect(byRow.get(3)).toMatch(/column "age" = "old": expected an age/);
    expect(byRow.get(4)).toBe("image file not found");
    expect(byRow.get(6)).toMatch(/^CORRUPT: /);
    expect(summary.imported).toBe(66);
    expect(summary.skippedDuplicate).toBe(0);
  });
});
